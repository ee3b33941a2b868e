/**
 * A TensorFlow.js layers model (tfjs-layers' `LayersModel`), typed by the
 * little our API needs of it, so that the declarations of `@mlsd/vision` name no TensorFlow.js
 * type (tfjs' own declarations need the DOM lib to compile). Every `LayersModel` is one; the
 * models this package returns are `LayersModel`s, which `layersModelOf` from
 * `@mlsd/vision/tfjs` gives back with their full type.
 */
export interface LayersModelHandle {
  readonly name: string;
  /** Its layers, in order (names only here). */
  readonly layers: readonly { readonly name: string }[];
  /** Number of weights (scalars). */
  countParams(): number;
  dispose(): unknown;
}
