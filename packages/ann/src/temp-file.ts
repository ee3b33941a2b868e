import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Folder for the index files handed to and from hnswlib-node (which reads and writes only
 * paths): shared memory where Linux has it, so a 200 MB hand-over never waits on a disk.
 */
const TEMP_DIR = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

/** Runs `use` with a fresh temporary file path, removing the file afterwards. */
export function withTempFile<T>(use: (path: string) => T): T {
  const path = join(TEMP_DIR, `mlsd-hnsw-${process.pid}-${Date.now()}-${Math.random()}.bin`);
  try {
    return use(path);
  } finally {
    rmSync(path, { force: true });
  }
}
