/**
 * The service under load, in its own process so the load generator does not share its event
 * loop. Started by serving.bench.ts with `fork()`; reads its options from MLSD_SERVE_OPTIONS
 * (JSON of ServiceOptions), listens on a free loopback port and sends `{ url, pid }` to the
 * parent over IPC. Stops on SIGTERM after draining.
 */
import { createService, type ServiceOptions } from '@mlsd/serve';

const options = JSON.parse(process.env.MLSD_SERVE_OPTIONS ?? '{}') as ServiceOptions;
const service = await createService({ ...options, logger: false });
const url = await service.listen({ host: '127.0.0.1', port: 0 });
process.send?.({ url, pid: process.pid });

let closing = false;
const stop = async () => {
  if (closing) return;
  closing = true;
  await service.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('disconnect', () => void stop());
