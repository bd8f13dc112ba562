import { defineConfig } from 'vitest/config';

// Each test starts its own redis-server and worker processes: bounded per test, one file at a time
// (two shared cores). wiring/ holds the CLI's staged files (their test runs from packages/cli).
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 90_000, hookTimeout: 60_000, fileParallelism: false } });
