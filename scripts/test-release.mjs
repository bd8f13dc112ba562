#!/usr/bin/env node
// `npm run test:release`: install by NAME from a registry, as users do. Starts a throwaway
// Verdaccio on 127.0.0.1 (6.8.0: 6.10 wants Node 22; node-fetch pinned to 2.7.0, which its
// dependency tree needs), publishes every package's tarball into it (@adaptive-trend/* stay
// local, everything else is proxied from the public registry), then in clean directories
// installs core + each backend by name with npm and pnpm and checks that the native install
// pulled this machine's platform package and computes. Bounded (TIMEOUT_MS) and self-stopping:
// Verdaccio is killed and the directory removed on success, failure, timeout or Ctrl-C.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packablePlatformPackageDirs } from './lib/native-packages.mjs';
import { logger, root } from './lib/process.mjs';
import { pnpmBinary } from './setup.mjs';

const { log } = logger('test-release');
/** Throws (never exits): the one exit path, stop(), must kill Verdaccio first. */
const fail = (message) => {
  throw new Error(message);
};
const TIMEOUT_MS = 15 * 60_000;
const VERDACCIO = '6.8.0';
const PORT = 4873 + (process.pid % 1000); // two runs on one machine do not collide
const registry = `http://127.0.0.1:${PORT}/`;
// Every platform package with a binary here: linux-x64-gnu, and linux-arm64-gnu once `npm run
// test:arm64` has built it — then the native installs below prove npm/pnpm skip it on x64.
const PUBLISHED = ['core', 'backend-js', 'backend-wasm', ...packablePlatformPackageDirs(), 'backend-native', 'conformance', 'cluster', 'cli'];
const BACKENDS = { js: [], wasm: [], native: [] };

const work = mkdtempSync(join(tmpdir(), 'atc-release-'));
let server;
const stop = (code) => {
  if (server && server.exitCode === null) server.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
  process.exit(code);
};
process.on('SIGINT', () => stop(130));
process.on('SIGTERM', () => stop(143));
setTimeout(() => {
  console.error(`[test-release] error: not finished after ${TIMEOUT_MS / 60_000} min`);
  stop(1);
}, TIMEOUT_MS).unref();

// No NODE_PATH (pnpm's shims export one into the workspace, where a package missing from an
// app would resolve) and no backend override.
const { NODE_PATH: _workspace, ...baseEnv } = process.env;
const sh = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...baseEnv, ATC_NATIVE_BINDING: '', ATC_BACKEND: '' } });

async function startVerdaccio() {
  const dir = join(work, 'verdaccio');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ private: true, dependencies: { verdaccio: VERDACCIO }, overrides: { 'node-fetch': '2.7.0' } }),
  );
  log(`installing verdaccio ${VERDACCIO}`);
  sh('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], dir);
  writeFileSync(
    join(dir, 'config.yaml'),
    [
      `storage: ${join(dir, 'storage')}`,
      'auth:',
      `  htpasswd: { file: ${join(dir, 'htpasswd')} }`,
      'uplinks:',
      '  npmjs: { url: https://registry.npmjs.org/ }',
      'packages:',
      "  '@adaptive-trend/*': { access: $all, publish: $authenticated }",
      "  '**': { access: $all, proxy: npmjs }",
      'log: { type: stdout, format: pretty, level: error }',
      '',
    ].join('\n'),
  );
  server = spawn(process.execPath, [join(dir, 'node_modules', 'verdaccio', 'bin', 'verdaccio'), '--config', join(dir, 'config.yaml'), '--listen', `127.0.0.1:${PORT}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 120; i++) {
    if (server.exitCode !== null) fail(`verdaccio exited (${server.exitCode})`);
    const up = await fetch(`${registry}-/ping`).then((r) => r.ok, () => false);
    if (up) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  fail('verdaccio did not answer within 60 s');
}

/** A user on the throwaway registry, and an .npmrc with its token (npm publish needs one). */
async function login() {
  const response = await fetch(`${registry}-/user/org.couchdb.user:release-test`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'release-test', password: 'release-test-password' }),
  });
  const { token } = await response.json();
  if (!token) fail(`could not create a registry user (HTTP ${response.status})`);
  const npmrc = join(work, '.npmrc');
  writeFileSync(npmrc, `registry=${registry}\n//127.0.0.1:${PORT}/:_authToken=${token}\n`);
  return npmrc;
}

function publishAll(npmrc) {
  const packs = join(work, 'packs');
  mkdirSync(packs);
  for (const pkg of PUBLISHED) {
    const before = new Set(readdirSync(packs));
    sh(pnpmBinary(), ['pack', '--pack-destination', packs], join(root, 'packages', pkg));
    const tgz = readdirSync(packs).find((f) => !before.has(f));
    sh('npm', ['publish', join(packs, tgz), '--userconfig', npmrc, '--registry', registry, '--loglevel=error'], work);
    log(`published ${tgz}`);
  }
}

const APP = (backend) => `import { createAtc } from '@adaptive-trend/core';
import '@adaptive-trend/backend-${backend}';
const prices = Float64Array.from({ length: 500 }, (_, i) => 100 + 10 * Math.sin(i / 20));
const engine = await createAtc({ backend: '${backend}', env: {} });
const signal = engine.compute(prices).toRecord().Average_Signal;
console.log(JSON.stringify({ backend: engine.backend, last: signal.at(-1) }));
`;

function installByName(client, backend, npmrc) {
  const app = join(work, `app-${client}-${backend}`);
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: `app-${client}-${backend}`, private: true, version: '0.0.0', type: 'module' }));
  writeFileSync(join(app, '.npmrc'), `registry=${registry}\n`);
  const names = ['@adaptive-trend/core', `@adaptive-trend/backend-${backend}`];
  if (client === 'npm') sh('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--userconfig', npmrc, ...names], app);
  else sh(pnpmBinary(), ['add', '--config.registry=' + registry, ...names], app);
  if (backend === 'native') {
    const installed = readdirSync(join(app, 'node_modules', '@adaptive-trend')).filter((n) => n.startsWith('backend-native-'));
    const pnpmStore = join(app, 'node_modules', '.pnpm');
    const platform = client === 'pnpm' ? readdirSync(pnpmStore).filter((n) => n.startsWith('@adaptive-trend+backend-native-')) : installed;
    log(`${client} native: platform packages installed: ${platform.join(', ') || 'none'}`);
    if (platform.length !== 1 || !platform[0].includes('linux-x64-gnu')) fail(`${client}: expected exactly the linux-x64-gnu platform package, got ${platform.join(', ') || 'none'}`);
  }
  writeFileSync(join(app, 'app.mjs'), APP(backend));
  const out = JSON.parse(sh(process.execPath, ['app.mjs'], app));
  if (out.backend !== backend || typeof out.last !== 'number') fail(`${client} ${backend}: ${JSON.stringify(out)}`);
  log(`${client}: core + backend-${backend} installed by name, computed on ${out.backend}`);
}

try {
  if (process.platform !== 'linux' || process.arch !== 'x64') fail('only linux-x64-gnu is built here');
  if (!existsSync(join(root, 'packages', 'backend-native', 'atc-node.linux-x64-gnu.node'))) fail('build first: npm run build');
  await startVerdaccio();
  const npmrc = await login();
  publishAll(npmrc);
  for (const client of ['npm', 'pnpm']) for (const backend of Object.keys(BACKENDS)) installByName(client, backend, npmrc);
  log('passed');
  stop(0);
} catch (error) {
  console.error(`[test-release] error: ${error.stderr ?? ''}${error.message}`);
  stop(1);
}
