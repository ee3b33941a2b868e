import { ColumnTransformer } from './column-transformer.js';
import { MinMaxScaler } from './min-max-scaler.js';
import { OneHotEncoder } from './one-hot-encoder.js';
import { OrdinalEncoder } from './ordinal-encoder.js';
import { Pipeline } from './pipeline.js';
import { StandardScaler } from './standard-scaler.js';
import { type StepBuilder, StepRegistry } from './step-registry.js';

/**
 * The registry that {@link Pipeline.load}, {@link readPipeline} and the composite steps' `fromJSON`
 * use by default. It knows the built-in steps; add your own with
 * `defaultStepRegistry.register(kind, (json) => MyStep.fromJSON(json))`.
 */
export const defaultStepRegistry: StepRegistry = new StepRegistry({
  // Builders are closures so this module can load before the classes it names (they import it).
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
