import { defineConfig } from 'vitest/config';

// Each test starts its own redis-server and worker processes: bounded per test, one file at a time
// (two shared cores).
export default defineConfig({ test: { testTimeout: 90_000, hookTimeout: 60_000, fileParallelism: false } });
