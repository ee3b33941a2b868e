/**
 * Transposed im2col for a stride-1 'same' convolution with an odd `k × k` kernel: row
 * `(ki·k + kj)·channels + c` (the kernel's [ki, kj, channel] order) holds, for every output
 * pixel `p = (b·height + y)·width + x`, the input value that kernel tap sees there (0 outside
 * the image). Multiplying it by the output gradient (`pixels × outChannels`) gives the kernel
 * gradient directly. Plain loops over Float32Arrays: they replace the tfjs slice / concat /
 * transpose chain, which the WebAssembly backend runs element by element in JavaScript.
 * @param input NHWC values, `batch × height × width × channels`.
 * @param out reused when given (at least `k²·channels·batch·height·width` long).
 * @returns `(k²·channels) × (batch·height·width)` values, row-major.
 */
export function patchColumns(
  input: Float32Array,
  batch: number,
  height: number,
  width: number,
  channels: number,
  k: number,
  out?: Float32Array,
): Float32Array {
  const half = (k - 1) >> 1;
  const pixels = batch * height * width;
  const columns = out ?? new Float32Array(k * k * channels * pixels);
  for (let ki = 0; ki < k; ki++) {
    const dy = ki - half;
    for (let kj = 0; kj < k; kj++) {
      const dx = kj - half;
      // Output columns whose tap falls inside the image on this row.
      const first = Math.max(0, -dx);
      const end = Math.min(width, width - dx);
      for (let c = 0; c < channels; c++) {
        const rowStart = ((ki * k + kj) * channels + c) * pixels;
        // One contiguous run of writes per image line; reads step over the channels.
        for (let b = 0; b < batch; b++) {
          for (let y = 0; y < height; y++) {
            const dst = rowStart + (b * height + y) * width;
            const sy = y + dy;
            if (sy < 0 || sy >= height) {
              columns.fill(0, dst, dst + width);
              continue;
            }
            for (let x = 0; x < first; x++) columns[dst + x] = 0;
            for (let x = end; x < width; x++) columns[dst + x] = 0;
            const src = ((b * height + sy) * width + dx) * channels + c;
            for (let x = first; x < end; x++) columns[dst + x] = input[src + x * channels]!;
          }
        }
      }
    }
  }
  return columns;
}
