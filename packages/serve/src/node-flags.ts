/**
 * V8's young generation for the service, MiB per semi-space (Node's default on 64-bit: 16).
 * A scored request leaves ~20 KB of short-lived garbage, and each scavenge of the young
 * generation stops the event loop: with 16 MiB semi-spaces a scavenge came every ~0.3 s at
 * 2,000 req/s and, on a busy 2-core machine, paused ~10 ms at the median and 30–100 ms at worst;
 * with 4 MiB they come four times as often and pause ~2–3 ms at the median
 * (benchmarks/serving/README.md, the hostile-load bench).
 */
export const SERVICE_SEMI_SPACE_MB = 4;

/**
 * The Node flags a process running the service should start with (V8 reads heap sizes only at
 * start-up, so they cannot be applied from inside): `mlsd serve` starts its service process with
 * them, and a program embedding {@link createService} can pass them in `NODE_OPTIONS`.
 */
export function serviceNodeFlags(): string[] {
  return [`--max-semi-space-size=${SERVICE_SEMI_SPACE_MB}`];
}
