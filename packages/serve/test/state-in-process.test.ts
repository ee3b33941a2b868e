import { InProcessStateStore } from '../src/state/in-process-state-store.js';
import { describeStateStoreContract } from './state-store-contract.js';

describeStateStoreContract(
  'InProcessStateStore',
  async (model, options) => InProcessStateStore.forModel(model, options),
  { sweepsIdleEntities: true },
);
