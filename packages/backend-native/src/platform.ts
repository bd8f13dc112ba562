/**
 * The napi-rs platform triple of this process, e.g. `linux-x64-gnu`, `darwin-arm64`,
 * `win32-x64-msvc`: it names the binary (`atc-node.<triple>.node`) and the per-platform
 * package (`@adaptive-trend/backend-native-<triple>`).
 */
export function platformTriple(platform: string = process.platform, arch: string = process.arch): string {
  if (platform === 'linux') return `linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

function isMusl(): boolean {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return !report?.header?.glibcVersionRuntime;
}
