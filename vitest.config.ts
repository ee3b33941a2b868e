import { readdirSync } from 'node:fs';
import { configDefaults, defineConfig } from 'vitest/config';

// Tests run against src/ through the "@mlsd/source" export condition, so no build is needed.
const sourceConditions = ['@mlsd/source', 'node', 'import', 'default'];

const packageProjects = readdirSync(new URL('./packages', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => ({
    extends: true as const,
    test: {
      name: entry.name,
      root: `packages/${entry.name}`,
      include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    },
  }));

export default defineConfig({
  resolve: { conditions: sourceConditions },
  ssr: { resolve: { conditions: sourceConditions, externalConditions: ['@mlsd/source'] } },
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      ...packageProjects,
      {
        extends: true,
        test: {
          name: 'e2e',
          root: '.',
          include: ['test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/fuzz/**'],
        },
      },
      {
        // Property-based fuzzing of the HTTP routes and the readers (fast-check, seeded, bounded;
        // MLSD_FUZZ_RUNS scales it up locally): `pnpm vitest run --project fuzz`.
        extends: true,
        test: { name: 'fuzz', root: '.', include: ['test/fuzz/**/*.test.ts'] },
      },
    ],
  },
});
