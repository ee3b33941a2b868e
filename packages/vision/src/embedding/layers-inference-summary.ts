/** What compiling a layers model for inference folded away, for logs and tests. */
export interface LayersInferenceSummary {
  /** Steps the plan runs (layers after folding). */
  steps: number;
  /** Batch normalisations folded into the convolution or dense layer before them. */
  foldedBatchNorms: number;
  /** Activations applied inside the convolution or dense layer before them. */
  fusedActivations: number;
  /** Zero paddings merged into the convolution after them. */
  mergedPaddings: number;
}
