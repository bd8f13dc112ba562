#!/usr/bin/env node
// `adaptive-trend-conformance <js|wasm|native>`: runs the whole conformance suite against the
// backend package installed in the current project (vitest must be installed next to it).
// The golden tier reads ../shared, or ATC_SHARED_DIR; without it that tier says it was skipped.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KNOWN_BACKENDS } from '@adaptive-trend/core';

/** The shipped backends, from core's one list of their package names. */
const BACKENDS = Object.keys(KNOWN_BACKENDS) as (keyof typeof KNOWN_BACKENDS)[];

async function main(): Promise<number> {
  const name = process.argv[2];
  if (!name || !(BACKENDS as readonly string[]).includes(name)) {
    console.error(`usage: adaptive-trend-conformance <${BACKENDS.join('|')}>`);
    return 2;
  }
  // The test file lives in the project so `@adaptive-trend/*` resolve to what is installed there.
  const dir = join(process.cwd(), 'node_modules', '.cache', 'adaptive-trend-conformance');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.conformance.test.mjs`);
  writeFileSync(
    file,
    `import { defineConformanceSuite } from '@adaptive-trend/conformance';\n` +
      `import { backendFactory } from '${KNOWN_BACKENDS[name as keyof typeof KNOWN_BACKENDS]}';\n` +
      `defineConformanceSuite({ name: '${name}', load: () => backendFactory.load() });\n`,
  );
  const { startVitest } = (await import('vitest/node')) as typeof import('vitest/node');
  const vitest = await startVitest('test', [file], { run: true, root: dir, testTimeout: 300_000, hookTimeout: 120_000, watch: false });
  const failed = vitest?.state.getCountOfFailedTests() ?? 1;
  await vitest?.close();
  return failed > 0 || process.exitCode ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
