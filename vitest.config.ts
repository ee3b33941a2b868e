import { readdirSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

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
        },
      },
    ],
  },
});
