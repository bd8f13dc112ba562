#!/usr/bin/env node
// `npm test`: set up (idempotent), then every test of every package: Rust unit tests and the
// vitest suites (turbo runs each package's `test` after building what it depends on).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pnpm, root, run, setup } from './setup.mjs';

setup();
if (existsSync(join(root, 'Cargo.toml'))) {
  run('cargo', ['test', '--workspace', '--release', '--quiet']);
  // The wasm binding is its own workspace (built for wasm32 by build-wasm.mjs); its unit tests run on the host.
  run('cargo', ['test', '--manifest-path', join(root, 'crates', 'atc-wasm', 'Cargo.toml'), '--release', '--quiet']);
}
pnpm(['exec', 'turbo', 'run', 'test', '--concurrency=1', '--log-order=grouped']);
