import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['properties/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['./properties/global-setup.ts'],
    setupFiles: ['./properties/setup.ts'],
    reporters: ['verbose'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
