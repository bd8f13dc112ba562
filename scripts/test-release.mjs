#!/usr/bin/env node
// `npm run test:release`: install by NAME from a registry, as users do. Starts a throwaway
// Verdaccio on 127.0.0.1 (6.8.0: 6.10 wants Node 22; node-fetch pinned to 2.7.0, which its
// dependency tree needs), publishes every package's tarball into it (@adaptive-trend/* stay
// local, everything else is proxied from the public registry), then in clean directories
// installs core + each backend + the conformance package by name with npm, pnpm, yarn classic
// (1.22) and yarn berry (4, node-modules linker), checks that the native install pulled exactly
// this machine's platform package, computes, and runs `adaptive-trend-conformance <backend>`
// from the installed packages (the golden tier too when ../shared is found). Bounded
// (TIMEOUT_MS) and self-stopping: Verdaccio is killed and the directory removed on success,
// failure, timeout or Ctrl-C.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { nativePlatformPackages, packablePlatformPackageDirs } from './lib/native-packages.mjs';
import { exitPath, logger, root } from './lib/process.mjs';
import { pnpmBinary } from './setup.mjs';

const { log } = logger('test-release');
/** Throws (never exits): the one exit path, stop(), must kill Verdaccio first. */
const fail = (message) => {
  throw new Error(message);
};
const TIMEOUT_MS = 25 * 60_000;
const VERDACCIO = '6.8.0';
/** The clients, installed from npm into the throwaway directory (no global yarn, no corepack download). */
const YARN_CLASSIC = '1.22.22';
const YARN_BERRY = '4.12.0'; // @yarnpkg/cli-dist: berry's single-file bundle
const VITEST = '4.1.12'; // the conformance package's peer
const ALL_CLIENTS = ['npm', 'pnpm', 'yarn-classic', 'yarn-berry'];
// `--clients yarn-berry --backends native` narrows the matrix (default: all of it).
const { values: args } = parseArgs({ options: { clients: { type: 'string' }, backends: { type: 'string' } } });
const CLIENTS = args.clients ? args.clients.split(',') : ALL_CLIENTS;
/** The shared reference data for the conformance golden tier ('' = that tier reports it was skipped). */
const shared = process.env.ATC_SHARED_DIR || (existsSync(join(root, '..', 'shared', 'golden')) ? join(root, '..', 'shared') : '');
const PORT = 4873 + (process.pid % 1000); // two runs on one machine do not collide
const registry = `http://127.0.0.1:${PORT}/`;
// Every platform package with a binary here: linux-x64-gnu, and linux-arm64-gnu once `npm run
// test:arm64` has built it — then the native installs below prove npm/pnpm skip it on x64.
const PUBLISHED = ['core', 'backend-js', 'backend-wasm', ...packablePlatformPackageDirs(), 'backend-native', 'conformance', 'cluster', 'cli'];
/**
 * The platform packages whose binary only CI builds, published as manifest-only stand-ins (no
 * .node): a real release publishes all of them, and yarn (classic and berry) resolves every
 * optional dependency across platforms — a missing one fails the install ("Package not
 * found"), where npm and pnpm skip it. A client that installed a stand-in here is caught by
 * the platform check below.
 */
const STAND_INS = nativePlatformPackages().filter((p) => !p.hasBinary).map((p) => p.dir);
/**
 * The platform packages each client must install on linux x64 glibc: exactly linux-x64-gnu —
 * except yarn classic, which knows `os` and `cpu` but not `libc`, so it adds linux-x64-musl
 * too (unused: the loader picks the gnu binary on glibc).
 */
const EXPECTED_PLATFORM = { 'yarn-classic': ['linux-x64-gnu', 'linux-x64-musl'] };
const BACKENDS = Object.fromEntries(['js', 'wasm', 'native'].filter((b) => !args.backends || args.backends.split(',').includes(b)).map((b) => [b, []]));

const work = mkdtempSync(join(tmpdir(), 'atc-release-'));
let server;
const stop = exitPath('test-release', TIMEOUT_MS, () => {
  if (server && server.exitCode === null) server.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
});

// No NODE_PATH (pnpm's shims export one into the workspace, where a package missing from an
// app would resolve) and no backend override.
const { NODE_PATH: _workspace, ...baseEnv } = process.env;
const sh = (cmd, args, cwd, extraEnv = {}) =>
  execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...baseEnv, ATC_NATIVE_BINDING: '', ATC_BACKEND: '', ...extraEnv },
    maxBuffer: 64 * 1024 * 1024,
  });

/** Installs both yarns into the work directory; returns their entry scripts. */
function installYarns() {
  const dir = join(work, 'yarns');
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true }));
  sh('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `yarn@${YARN_CLASSIC}`, `@yarnpkg/cli-dist@${YARN_BERRY}`], dir);
  return {
    classic: join(dir, 'node_modules', 'yarn', 'bin', 'yarn.js'),
    berry: join(dir, 'node_modules', '@yarnpkg', 'cli-dist', 'bin', 'yarn.js'),
  };
}

/**
 * Berry's settings as environment variables: this registry over plain http, node_modules (the
 * apps run with plain `node`, not through PnP), a cache and a global folder of its own (the
 * same versions are republished with new contents, on another port, every run; nothing lands in
 * ~/.yarn), no telemetry, not immutable (CI=true would be).
 */
const berryEnv = (app) => ({
  YARN_NPM_REGISTRY_SERVER: registry.replace(/\/$/, ''),
  YARN_UNSAFE_HTTP_WHITELIST: '127.0.0.1',
  YARN_NODE_LINKER: 'node-modules',
  YARN_CACHE_FOLDER: join(app, '.yarn-cache'),
  YARN_ENABLE_GLOBAL_CACHE: 'false',
  // Berry keeps registry metadata (tarball URLs with this run's port) in its global folder.
  YARN_GLOBAL_FOLDER: join(app, '.yarn-global'),
  YARN_ENABLE_TELEMETRY: '0',
  YARN_ENABLE_IMMUTABLE_INSTALLS: 'false',
  YARN_ENABLE_PROGRESS_BARS: 'false',
});

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
  for (const pkg of [...STAND_INS, ...PUBLISHED]) {
    const before = new Set(readdirSync(packs));
    // A stand-in has no binary to stage: its prepack (scripts/stage-native.mjs) would refuse.
    const scripts = STAND_INS.includes(pkg) ? ['--config.ignore-scripts=true'] : [];
    sh(pnpmBinary(), ['pack', ...scripts, '--pack-destination', packs], join(root, 'packages', pkg));
    const tgz = readdirSync(packs).find((f) => !before.has(f));
    sh('npm', ['publish', join(packs, tgz), '--userconfig', npmrc, '--registry', registry, '--loglevel=error'], work);
    log(`published ${tgz}${STAND_INS.includes(pkg) ? ' (stand-in: manifest only, its binary is built in CI)' : ''}`);
  }
}

const APP = (backend) => `import { createAtc } from '@adaptive-trend/core';
import '@adaptive-trend/backend-${backend}';
const prices = Float64Array.from({ length: 500 }, (_, i) => 100 + 10 * Math.sin(i / 20));
const engine = await createAtc({ backend: '${backend}', env: {} });
const signal = engine.compute(prices).toRecord().Average_Signal;
console.log(JSON.stringify({ backend: engine.backend, last: signal.at(-1) }));
`;

/** The platform packages an install put into the app (pnpm keeps them in its virtual store). */
function platformPackagesIn(app, client) {
  if (client === 'pnpm') return readdirSync(join(app, 'node_modules', '.pnpm')).filter((n) => n.startsWith('@adaptive-trend+backend-native-'));
  return readdirSync(join(app, 'node_modules', '@adaptive-trend')).filter((n) => n.startsWith('backend-native-'));
}

function installByName(client, backend, npmrc, yarns) {
  const app = join(work, `app-${client}-${backend}`);
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: `app-${client}-${backend}`, private: true, version: '0.0.0', type: 'module' }));
  writeFileSync(join(app, '.npmrc'), `registry=${registry}\n`);
  const names = ['@adaptive-trend/core', `@adaptive-trend/backend-${backend}`, '@adaptive-trend/conformance', `vitest@${VITEST}`];
  const started = Date.now();
  if (client === 'npm') sh('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--userconfig', npmrc, ...names], app);
  else if (client === 'pnpm') sh(pnpmBinary(), ['add', '--config.registry=' + registry, ...names], app);
  else if (client === 'yarn-classic') {
    sh(process.execPath, [yarns.classic, 'add', '--registry', registry, '--cache-folder', join(app, '.yarn-cache'), '--non-interactive', '--silent', ...names], app);
  } else {
    writeFileSync(join(app, 'yarn.lock'), ''); // marks the project root for berry
    sh(process.execPath, [yarns.berry, 'add', ...names], app, berryEnv(app));
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (backend === 'native') {
    const platform = platformPackagesIn(app, client);
    log(`${client} native: platform packages installed: ${platform.join(', ') || 'none'}`);
    const expected = EXPECTED_PLATFORM[client] ?? ['linux-x64-gnu'];
    const triples = platform.map((name) => /backend-native-([\w-]+?)(@|$)/.exec(name)?.[1]).sort();
    if (triples.join() !== [...expected].sort().join()) fail(`${client}: expected the platform packages ${expected.join(', ')}, got ${platform.join(', ') || 'none'}`);
  }
  writeFileSync(join(app, 'app.mjs'), APP(backend));
  const out = JSON.parse(sh(process.execPath, ['app.mjs'], app));
  if (out.backend !== backend || typeof out.last !== 'number') fail(`${client} ${backend}: ${JSON.stringify(out)}`);
  // The user's conformance run, from the installed bin, on the installed backend.
  const conformance = sh(join(app, 'node_modules', '.bin', 'adaptive-trend-conformance'), [backend], app, { ATC_SHARED_DIR: shared, NO_COLOR: '1' });
  const tests = /Tests\s+(\d+) passed(?: \| (\d+) skipped)?/.exec(conformance);
  if (!tests || /\bfailed\b/.test(conformance)) fail(`${client} ${backend}: adaptive-trend-conformance did not pass:\n${conformance.slice(-3000)}`);
  log(`${client}: core + backend-${backend} installed by name (${seconds} s), computed on ${out.backend}; adaptive-trend-conformance ${backend}: ${tests[1]} passed${tests[2] ? `, ${tests[2]} skipped` : ''}`);
}

try {
  if (process.platform !== 'linux' || process.arch !== 'x64') fail('only linux-x64-gnu is built here');
  if (!existsSync(join(root, 'packages', 'backend-native', 'atc-node.linux-x64-gnu.node'))) fail('build first: npm run build');
  await startVerdaccio();
  const npmrc = await login();
  publishAll(npmrc);
  const yarns = installYarns();
  // Every (client, backend) runs even after a failure, so one run shows the whole matrix.
  const failures = [];
  for (const client of CLIENTS) {
    for (const backend of Object.keys(BACKENDS)) {
      try {
        installByName(client, backend, npmrc, yarns);
      } catch (error) {
        const message = `${client} ${backend}: ${error.stderr ?? ''}${error.stdout ? String(error.stdout).slice(-2000) : ''}${error.message}`;
        const registryGone = server.exitCode !== null || server.signalCode !== null ? ` (verdaccio exited: ${server.exitCode ?? server.signalCode})` : '';
        console.error(`[test-release] FAILED ${message}${registryGone}`);
        failures.push(`${client} ${backend}`);
      }
    }
  }
  if (failures.length > 0) fail(`${failures.length} of ${CLIENTS.length * Object.keys(BACKENDS).length} failed: ${failures.join(', ')}`);
  log('passed');
  stop(0);
} catch (error) {
  console.error(`[test-release] error: ${error.stderr ?? ''}${error.message}`);
  stop(1);
}
