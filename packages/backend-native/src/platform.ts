import { readFileSync } from 'node:fs';

/** What napi-rs's file naming depends on: OS, CPU and C library of a Node process. */
export interface Host {
  platform: string;
  arch: string;
  /** Linux on musl libc (Alpine) rather than glibc. */
  musl?: boolean;
  /** Windows Node built with MinGW (`win32-x64-gnu` binaries) rather than MSVC. */
  windowsGnu?: boolean;
}

/**
 * napi-rs's platform triples for `host`, e.g. `linux-x64-gnu`, `darwin-arm64`,
 * `win32-x64-msvc`, in the order napi-rs's generated loader tries them (macOS: the universal
 * binary first). Each names a binary (`atc-node.<triple>.node`, what `napi build --platform`
 * writes) and a per-platform package (`@adaptive-trend/backend-native-<triple>`). Empty when
 * napi-rs builds nothing for the host. Tested against napi-rs's own `parseTriple`.
 */
export function platformTriples(host: Host = currentHost()): string[] {
  const { platform, arch } = host;
  switch (platform) {
    case 'linux':
      if (arch === 'arm') return [host.musl ? 'linux-arm-musleabihf' : 'linux-arm-gnueabihf'];
      return LINUX_ARCHS.has(arch) ? [`linux-${arch}-${host.musl ? 'musl' : 'gnu'}`] : [];
    case 'android':
      if (arch === 'arm64') return ['android-arm64'];
      return arch === 'arm' ? ['android-arm-eabi'] : [];
    case 'win32':
      if (arch === 'x64') return [host.windowsGnu ? 'win32-x64-gnu' : 'win32-x64-msvc'];
      return arch === 'ia32' || arch === 'arm64' ? [`win32-${arch}-msvc`] : [];
    case 'darwin':
      return arch === 'x64' || arch === 'arm64' ? ['darwin-universal', `darwin-${arch}`] : ['darwin-universal'];
    case 'freebsd':
      return arch === 'x64' || arch === 'arm64' || arch === 'ppc64' ? [`freebsd-${arch}`] : [];
    case 'openharmony':
      return arch === 'x64' || arch === 'arm64' || arch === 'arm' ? [`openharmony-${arch}`] : [];
    default:
      return [];
  }
}

/**
 * The oldest glibc the `linux-*-gnu` binaries load on: they are linked against napi-rs's
 * cross-toolchain sysroot (`@napi-rs/cross-toolchain`, glibc 2.17), so every versioned glibc
 * symbol they import is at most this one. Stated in those packages' READMEs and checked against
 * the built binaries' `objdump -T` by test/platform-packages.test.ts.
 */
export const GLIBC_BASELINE = '2.17';

const LINUX_ARCHS = new Set(['x64', 'arm64', 'riscv64', 'loong64', 'ppc64', 's390x']);

/** This process's host, detected the way napi-rs's generated loader does. */
export function currentHost(): Host {
  return { platform: process.platform, arch: process.arch, musl: process.platform === 'linux' && isMusl(), windowsGnu: isWindowsGnu() };
}

/** The triple to name in messages: the most specific one, or `<platform>-<arch>` when napi-rs has none. */
export function platformTriple(host: Host = currentHost()): string {
  return platformTriples(host).at(-1) ?? `${host.platform}-${host.arch}`;
}

function isMusl(): boolean {
  try {
    return readFileSync('/usr/bin/ldd', 'utf8').includes('musl');
  } catch {
    const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string }; sharedObjects?: string[] } | undefined;
    if (!report || report.header?.glibcVersionRuntime) return false;
    return (report.sharedObjects ?? []).some((f) => f.includes('libc.musl-') || f.includes('ld-musl-'));
  }
}

function isWindowsGnu(): boolean {
  const variables = (process.config as { variables?: Record<string, unknown> } | undefined)?.variables;
  return process.platform === 'win32' && (variables?.shlib_suffix === 'dll.a' || variables?.node_target_type === 'shared_library');
}
