/**
 * Drives hnswlib_peer.py (hnswlib's Python binding) as a child process, one JSON command per
 * line, so its measurements can be interleaved with ours under the same machine load.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { HnswBenchmarkPoint } from '@mlsd/ann/internal';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('hnswlib_peer.py', import.meta.url));

/** What the peer reports for a build. */
export interface PeerBuild {
  buildS: number;
  threads: number;
  memoryBytesPerVector: number;
}

/** The data files the peer reads (written by the benchmark) and their shapes. */
export interface PeerData {
  dir: string;
  n: number;
  queries: number;
  dim: number;
  truthK: number;
}

/** One running peer process. */
export class PythonPeer {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: Interface;
  readonly #pending: ((line: string) => void)[] = [];
  readonly #exited: Promise<number | null>;

  constructor(data: PeerData) {
    this.#child = spawn(
      PYTHON,
      [
        SCRIPT,
        '--data',
        data.dir,
        '--n',
        String(data.n),
        '--queries',
        String(data.queries),
        '--dim',
        String(data.dim),
        '--truth-k',
        String(data.truthK),
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    this.#child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    this.#lines = createInterface({ input: this.#child.stdout });
    this.#lines.on('line', (line) => this.#pending.shift()?.(line));
    this.#exited = new Promise((resolve) => this.#child.on('exit', resolve));
  }

  /** Builds hnswlib's index in the peer (on `threads` threads). */
  build(M: number, efConstruction: number, threads: number): Promise<PeerBuild> {
    return this.#request({ cmd: 'build', M, efConstruction, threads });
  }

  /** Runs the queries one at a time at each ef. */
  async sweep(efs: readonly number[], warmup: number): Promise<HnswBenchmarkPoint[]> {
    const reply = await this.#request<{ points: HnswBenchmarkPoint[] }>({
      cmd: 'sweep',
      efs,
      warmup,
    });
    return reply.points;
  }

  /** Asks the peer to exit and waits for it. */
  async close(): Promise<void> {
    this.#child.stdin.end(`${JSON.stringify({ cmd: 'quit' })}\n`);
    await this.#exited;
  }

  #request<T>(command: Record<string, unknown>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`hnswlib_peer.py exited (code ${code}) during ${command.cmd}`));
      this.#child.once('exit', onExit);
      this.#pending.push((line) => {
        this.#child.off('exit', onExit);
        const reply = JSON.parse(line) as T & { error?: string };
        if (reply.error !== undefined) reject(new Error(`hnswlib_peer.py: ${reply.error}`));
        else resolve(reply);
      });
      this.#child.stdin.write(`${JSON.stringify(command)}\n`);
    });
  }
}
