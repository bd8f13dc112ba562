#!/usr/bin/env node
// `npm test`: set up (idempotent: after `npm run demo` nothing is rebuilt), make sure the
// browser test has its Chromium, then every test of every package: the Rust crates' tests and
// the vitest suites (turbo runs each package's `test` after building what it depends on).
import { join } from 'node:path';
import { ensureChromium } from './lib/chromium.mjs';
import { pnpm, root, run, setup } from './setup.mjs';

setup();
ensureChromium();
run('cargo', ['test', '--workspace', '--release', '--quiet']);
// The wasm binding is its own workspace (built for wasm32 by build-wasm.mjs); its unit tests run on the host.
run('cargo', ['test', '--manifest-path', join(root, 'crates', 'atc-wasm', 'Cargo.toml'), '--release', '--quiet']);
pnpm(['exec', 'turbo', 'run', 'test', '--concurrency=1', '--log-order=grouped']);
