// The loader's platform triples are napi-rs's: for every target napi-rs builds, the name its
// `parseTriple` gives the binary (what `napi build --platform` writes) is among the names the
// loader looks for on a host of that kind.
import { parseTriple } from '@napi-rs/cli';
import { describe, expect, it } from 'vitest';
import { type Host, platformTriple, platformTriples } from '../src/platform.js';

/** Rust target → a Node host it runs on. */
const TARGETS: [string, Host][] = [
  ['x86_64-unknown-linux-gnu', { platform: 'linux', arch: 'x64' }],
  ['x86_64-unknown-linux-musl', { platform: 'linux', arch: 'x64', musl: true }],
  ['aarch64-unknown-linux-gnu', { platform: 'linux', arch: 'arm64' }],
  ['aarch64-unknown-linux-musl', { platform: 'linux', arch: 'arm64', musl: true }],
  ['armv7-unknown-linux-gnueabihf', { platform: 'linux', arch: 'arm' }],
  ['armv7-unknown-linux-musleabihf', { platform: 'linux', arch: 'arm', musl: true }],
  ['riscv64gc-unknown-linux-gnu', { platform: 'linux', arch: 'riscv64' }],
  ['riscv64gc-unknown-linux-musl', { platform: 'linux', arch: 'riscv64', musl: true }],
  ['loongarch64-unknown-linux-gnu', { platform: 'linux', arch: 'loong64' }],
  ['s390x-unknown-linux-gnu', { platform: 'linux', arch: 's390x' }],
  ['s390x-unknown-linux-musl', { platform: 'linux', arch: 's390x', musl: true }],
  ['powerpc64le-unknown-linux-gnu', { platform: 'linux', arch: 'ppc64' }],
  ['powerpc64le-unknown-linux-musl', { platform: 'linux', arch: 'ppc64', musl: true }],
  ['aarch64-linux-android', { platform: 'android', arch: 'arm64' }],
  ['armv7-linux-androideabi', { platform: 'android', arch: 'arm' }],
  ['x86_64-apple-darwin', { platform: 'darwin', arch: 'x64' }],
  ['aarch64-apple-darwin', { platform: 'darwin', arch: 'arm64' }],
  ['universal-apple-darwin', { platform: 'darwin', arch: 'arm64' }],
  ['universal-apple-darwin', { platform: 'darwin', arch: 'x64' }],
  ['x86_64-pc-windows-msvc', { platform: 'win32', arch: 'x64' }],
  ['x86_64-pc-windows-gnu', { platform: 'win32', arch: 'x64', windowsGnu: true }],
  ['i686-pc-windows-msvc', { platform: 'win32', arch: 'ia32' }],
  ['aarch64-pc-windows-msvc', { platform: 'win32', arch: 'arm64' }],
  ['x86_64-unknown-freebsd', { platform: 'freebsd', arch: 'x64' }],
  ['aarch64-unknown-freebsd', { platform: 'freebsd', arch: 'arm64' }],
  ['aarch64-unknown-linux-ohos', { platform: 'openharmony', arch: 'arm64' }],
];

describe('platform triples follow napi-rs', () => {
  it.each(TARGETS)('%s is found on %o', (target, host) => {
    expect(platformTriples(host)).toContain(parseTriple(target).platformArchABI);
  });
  it('a host only ever looks for names napi-rs can build, most specific last', () => {
    for (const [target, host] of TARGETS) {
      const names = new Set(TARGETS.map(([t]) => parseTriple(t).platformArchABI));
      for (const triple of platformTriples(host)) expect(names, `${target}: ${triple}`).toContain(triple);
      expect(platformTriple(host)).toBe(platformTriples(host).at(-1));
    }
  });
  it('a platform napi-rs does not build for has no triple, and messages still name it', () => {
    expect(platformTriples({ platform: 'aix', arch: 'ppc64' })).toEqual([]);
    expect(platformTriples({ platform: 'linux', arch: 'mips' })).toEqual([]);
    expect(platformTriple({ platform: 'aix', arch: 'ppc64' })).toBe('aix-ppc64');
  });
  it('this machine has a triple', () => {
    expect(platformTriples().length).toBeGreaterThan(0);
  });
});
