/** The process events whose listeners decide what an uncaught error does. */
const GUARDED_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

type Listener = (...args: unknown[]) => void;

/** `process` as a plain emitter: its typed overloads take one event name literal at a time. */
const emitter: NodeJS.EventEmitter = process;

/**
 * Runs `work`, then removes every `uncaughtException` / `unhandledRejection` listener that was
 * added to `process` while it ran (whether it resolved or threw), so a library initialised in
 * `work` cannot change how the process reports and exits on the user's own errors.
 *
 * A listener the application itself adds during that window would be removed too; initialising
 * the backend takes a few milliseconds at start-up, where applications do not do that.
 */
export async function withoutNewProcessHandlers<T>(work: () => Promise<T>): Promise<T> {
  const before = new Map(
    GUARDED_EVENTS.map((event) => [event, new Set(emitter.listeners(event) as Listener[])]),
  );
  try {
    return await work();
  } finally {
    for (const event of GUARDED_EVENTS) {
      const kept = before.get(event)!;
      for (const listener of emitter.listeners(event) as Listener[]) {
        if (!kept.has(listener)) emitter.removeListener(event, listener);
      }
    }
  }
}
