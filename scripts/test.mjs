#!/usr/bin/env node
// `npm test`: set up (idempotent: after `npm run demo` nothing is rebuilt), make sure the
// browser test has its Chromium and the cluster tests their redis-server, then every test of
// every package: the Rust crates' tests and the vitest suites (turbo runs each package's `test`
// after building what it depends on).
import { ensureChromium } from './lib/chromium.mjs';
import { ensureRedisServer } from './lib/redis.mjs';
import { pnpm, run, setup } from './setup.mjs';

setup();
ensureChromium();
ensureRedisServer(); // packages/cluster's tests start their own redis-server
// The Rust workspace (kernels + the Node-API binding). The wasm binding has no host tests: it
// is a thin wasm-bindgen layer, tested through backend-wasm's suites in Node and Chromium.
run('cargo', ['test', '--workspace', '--release', '--quiet']);
pnpm(['exec', 'turbo', 'run', 'test', '--concurrency=1', '--log-order=grouped']);
