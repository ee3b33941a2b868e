import { ColumnTransformer } from './column-transformer.js';
import { MinMaxScaler } from './min-max-scaler.js';
import { OneHotEncoder } from './one-hot-encoder.js';
import { OrdinalEncoder } from './ordinal-encoder.js';
import { Pipeline } from './pipeline.js';
import { StandardScaler } from './standard-scaler.js';
import { type StepBuilder, StepRegistry } from './step-registry.js';

/**
 * The registry that `readPipeline`, `loadPipeline` and `loadColumnTransformer` use by default.
 * It knows the built-in steps; add your own with
 * `defaultStepRegistry.register(kind, (json) => MyStep.fromJSON(json))`. The steps it names do
 * not import it: composite steps get a registry as an argument of `fromJSON`.
 */
export const defaultStepRegistry: StepRegistry = new StepRegistry({
  StandardScaler: (json) => StandardScaler.fromJSON(json),
  MinMaxScaler: (json) => MinMaxScaler.fromJSON(json),
  OneHotEncoder: (json) => OneHotEncoder.fromJSON(json),
  OrdinalEncoder: (json) => OrdinalEncoder.fromJSON(json),
  Pipeline: (json, registry) => Pipeline.fromJSON(json, registry),
  ColumnTransformer: (json, registry) => ColumnTransformer.fromJSON(json, registry),
});

/** Registers a step type in {@link defaultStepRegistry} so saved pipelines holding it can be loaded. */
export function registerStepType(
  kind: string,
  builder: StepBuilder,
  options: { replace?: boolean } = {},
): void {
  defaultStepRegistry.register(kind, builder, options);
}
