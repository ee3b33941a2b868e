import type { FraudModel } from '@mlsd/fraud';
import { InProcessStateStore } from '../src/state/in-process-state-store.js';
import { describeStateStoreContract } from './state-store-contract.js';

describeStateStoreContract('InProcessStateStore', async (model) =>
  InProcessStateStore.forModel(model as FraudModel),
);
