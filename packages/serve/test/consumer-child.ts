// A scorer replica in a process of its own, for the fault tests (which SIGKILL it) and the
// stream benchmark: runs startFraudConsumer with the options given as one JSON argument, prints
// "ready <name> [<metrics url>]" on stdout once it consumes, logs events as JSON lines on
// stderr, stops on SIGTERM (printing "stats <json>" of what it handled).
import { type FraudConsumerOptions, startFraudConsumer } from '../src/stream/fraud-consumer.js';

const options = JSON.parse(process.argv[2] ?? '{}') as FraudConsumerOptions;
const running = await startFraudConsumer({
  ...options,
  log: (event) => process.stderr.write(`${JSON.stringify({ time: Date.now(), ...event })}\n`),
});
process.stdout.write(`ready ${running.consumer.consumer} ${running.metricsUrl ?? ''}\n`);
process.once('SIGTERM', () => {
  running.close().then(
    () => {
      process.stdout.write(`stats ${JSON.stringify(running.consumer.stats())}\n`, () =>
        process.exit(0),
      );
    },
    () => process.exit(1),
  );
});
