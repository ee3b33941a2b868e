import { InvalidArgumentError } from '@mlsd/core';
import type { EmbedderInfo } from '../embedding/image-embedder.js';

/** How each refused action reads in the message. */
const VERBS = { open: 'opened', add: 'given vectors', query: 'queried' } as const;

/**
 * Vectors from one embedder used with an index built by another: their distances mean nothing,
 * so adds, queries and opens across embedders are refused. Code INVALID_ARGUMENT; the service
 * answers 409 EMBEDDER_MISMATCH.
 */
export class EmbedderMismatchError extends InvalidArgumentError {
  /** The version the index records. */
  readonly expected: string;
  /** The version that was offered. */
  readonly actual: string;

  constructor(
    dir: string | undefined,
    index: Pick<EmbedderInfo, 'version'> & Partial<EmbedderInfo>,
    offered: Pick<EmbedderInfo, 'version'> & Partial<EmbedderInfo>,
    action: 'open' | 'add' | 'query',
  ) {
    const where = dir === undefined ? 'This index' : `The index at ${dir}`;
    const name = (info: Partial<EmbedderInfo>) =>
      info.name === undefined ? '' : ` (${info.name})`;
    super(
      `${where} was built with embedder ${index.version}${name(index)} and cannot be ${VERBS[action]} with ${offered.version}${name(offered)}: vectors of different models cannot be compared. Use the index's own embedder, or re-embed the catalogue for the new model with \`mlsd images reindex --index <dir> --model <new model> --out <new dir>\`.`,
      {
        expected: index.version,
        actual: offered.version,
        action,
        ...(dir === undefined ? {} : { dir }),
      },
    );
    this.expected = index.version;
    this.actual = offered.version;
  }
}
