import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['properties/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['./properties/global-setup.ts'],
    setupFiles: ['./properties/setup.ts'],
    // JUnit XML for CI beside the verbose log (test-artifacts/ is gitignored).
    reporters: ['verbose', 'junit'],
    outputFile: { junit: 'test-artifacts/vitest-junit.xml' },
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // vitest's default is one worker fewer than the cores: on CI's two cores that is one. The
    // suites are CPU-bound and independent, so use every core (QFS_WORKERS overrides).
    maxWorkers: Number(process.env.QFS_WORKERS ?? availableParallelism()),
  },
});
