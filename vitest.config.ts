import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // interop tests start real peers on fixed loopback addresses: one file at a time keeps them apart
    fileParallelism: false,
    reporters: ['default'],
  },
});
