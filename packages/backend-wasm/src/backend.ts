import {
  type AtcBuffers,
  type Backend,
  MA_COUNT,
  MA_KIND_CODE,
  type MaKind,
  OUTPUT_ROWS,
  PACKED_CONFIG_LENGTH,
  type ResolvedAtcConfig,
  packConfig,
} from '@adaptive-trend/core';
import type { InstantiatedWasm } from './loader.js';

/** Version of the crate's export API this package speaks (`abi_version()` of the module). */
export const ABI_VERSION = 1;

/** The exports of `crates/atc-wasm` (pointers and lengths are wasm32 `usize`, i.e. i32 here). */
interface AtcExports {
  readonly memory: WebAssembly.Memory;
  alloc_bytes(size: number): number;
  free_bytes(ptr: number, size: number): number;
  last_error_ptr(): number;
  last_error_len(): number;
  abi_version(): number;
  simd_enabled(): number;
  moving_average(kind: number, x: number, n: number, length: number, out: number): number;
  rate_of_change(p: number, n: number, out: number): number;
  scaled_returns(p: number, n: number, lambda: number, out: number): number;
  crossover_signal(p: number, ma: number, n: number, out: number): number;
  persist_signal(up: number, down: number, n: number, out: number): number;
  equity_curve(r: number, s: number, n: number, start: number, decay: number, cutout: number, out: number): number;
  layer1_signal(signals: number, equities: number, len: number, out: number, n: number): number;
  compute_atc(prices: number, n: number, params: number, out: number, mas: number, sigs: number, eqs: number): number;
}

const REQUIRED_EXPORTS = [
  'memory',
  'alloc_bytes',
  'free_bytes',
  'last_error_ptr',
  'last_error_len',
  'abi_version',
  'moving_average',
  'rate_of_change',
  'scaled_returns',
  'crossover_signal',
  'persist_signal',
  'equity_curve',
  'layer1_signal',
  'compute_atc',
] as const;

function exportsOf(instance: WebAssembly.Instance, source: string): AtcExports {
  const ex = instance.exports as Record<string, unknown>;
  const missing = REQUIRED_EXPORTS.filter((name) => ex[name] === undefined);
  if (missing.length > 0) throw new Error(`${source} is not an atc-wasm module (missing exports: ${missing.join(', ')})`);
  const atc = ex as unknown as AtcExports;
  const abi = atc.abi_version() >>> 0;
  if (abi !== ABI_VERSION) throw new Error(`${source} has export API version ${abi}, this package needs ${ABI_VERSION} (rebuild the wasm)`);
  return atc;
}

const align16 = (bytes: number) => (bytes + 15) & ~15;
/** wasm `u32` parameters: lengths beyond 2^32 − 1 saturate (only KAMA accepts them, and it clamps anyway). */
const u32 = (value: number) => (value >= 0xffffffff ? 0xffffffff : value >>> 0);

function requireLength(kernel: string, what: string, actual: number, expected: number): void {
  if (actual !== expected) throw new RangeError(`[adaptive-trend wasm] ${kernel}: ${what} has length ${actual}, expected ${expected}`);
}

/**
 * The WebAssembly backend: every kernel copies its typed-array inputs into the module's linear
 * memory, runs the Rust kernel there and copies the results back out.
 *
 * One scratch region ("arena") inside linear memory is reused by every call and only grows
 * when a call needs more, and the fused pipeline's scratch inside the module is kept between
 * calls too, so repeated calls of the same size never grow the memory. Views on
 * `memory.buffer` are re-created whenever a growth has detached the old buffer.
 */
export class WasmBackend implements Backend {
  readonly name = 'wasm' as const;
  /** The compiled module (a fresh instance is made from it if the instance ever traps). */
  readonly module: WebAssembly.Module;
  /** Where the module came from. */
  readonly source: string;
  #ex: AtcExports;
  #arenaPtr = 0;
  #arenaSize = 0;
  #buffer: ArrayBuffer | undefined;
  #f64 = new Float64Array(0);
  #i8 = new Int8Array(0);
  #u8 = new Uint8Array(0);
  readonly #packed = new Float64Array(PACKED_CONFIG_LENGTH);
  /** computeBatch's worker threads import this module to get the same backend… */
  readonly workerModule = new URL('./index.js', import.meta.url).href;
  /** …and instantiate the already compiled module (a `WebAssembly.Module` is cloned to workers). */
  readonly workerLoadOptions: Record<string, unknown>;

  constructor(loaded: InstantiatedWasm) {
    this.module = loaded.module;
    this.source = loaded.source;
    this.workerLoadOptions = { wasm: loaded.module };
    this.#ex = exportsOf(loaded.instance, loaded.source);
    this.#refresh();
  }

  /** The module's linear memory (its `buffer` is replaced whenever the memory grows). */
  get memory(): WebAssembly.Memory {
    return this.#ex.memory;
  }

  /** Whether the running module was compiled with wasm SIMD (simd128). */
  get simd(): boolean {
    return typeof this.#ex.simd_enabled === 'function' && this.#ex.simd_enabled() === 1;
  }

  // --- memory plumbing ------------------------------------------------------------------------

  /** Re-creates the views when the memory has grown (which detaches the old ArrayBuffer). */
  #refresh(): void {
    const buffer = this.#ex.memory.buffer;
    if (buffer === this.#buffer) return;
    this.#buffer = buffer;
    this.#f64 = new Float64Array(buffer);
    this.#i8 = new Int8Array(buffer);
    this.#u8 = new Uint8Array(buffer);
  }

  /**
   * Addresses of consecutive 16-byte-aligned regions of the given byte sizes inside the arena,
   * growing the arena (geometrically) only when it is too small.
   */
  #layout(sizes: readonly number[]): number[] {
    const offsets: number[] = [];
    let total = 0;
    for (const size of sizes) {
      offsets.push(total);
      total += align16(size);
    }
    if (total > this.#arenaSize) {
      const size = Math.max(total, Math.ceil((this.#arenaSize * 1.5) / 65536) * 65536);
      if (this.#arenaPtr !== 0) this.#ex.free_bytes(this.#arenaPtr, this.#arenaSize);
      this.#arenaPtr = 0;
      this.#arenaSize = 0;
      const ptr = this.#invoke(() => this.#ex.alloc_bytes(size)) >>> 0;
      if (ptr === 0) throw new RangeError(`[adaptive-trend wasm] out of memory: cannot allocate ${size} bytes of scratch in linear memory`);
      this.#arenaPtr = ptr;
      this.#arenaSize = size;
    }
    this.#refresh();
    return offsets.map((offset) => this.#arenaPtr + offset);
  }

  /** Runs an export; a trap (e.g. out of memory) leaves the instance unusable, so replace it. */
  #invoke(call: () => number): number {
    try {
      return call();
    } catch (error) {
      if (error instanceof WebAssembly.RuntimeError) {
        this.#ex = exportsOf(new WebAssembly.Instance(this.module, {}), this.source);
        this.#arenaPtr = 0;
        this.#arenaSize = 0;
        this.#buffer = undefined;
        this.#refresh();
        throw new Error(`[adaptive-trend wasm] the module trapped (${error.message}); it was re-instantiated`, { cause: error });
      }
      throw error;
    }
  }

  /** Runs a kernel export and turns a non-zero status into a RangeError with its message. */
  #run(call: () => number): void {
    const status = this.#invoke(call);
    this.#refresh();
    if (status === 0) return;
    const ptr = this.#ex.last_error_ptr() >>> 0;
    const len = this.#ex.last_error_len() >>> 0;
    this.#refresh();
    const message = new TextDecoder().decode(this.#u8.subarray(ptr, ptr + len));
    throw new RangeError(`[adaptive-trend wasm] ${message || `status ${status}`}`);
  }

  #readF64(addr: number, out: Float64Array): void {
    const at = addr / 8;
    out.set(this.#f64.subarray(at, at + out.length));
  }

  // --- kernels --------------------------------------------------------------------------------

  movingAverage = (kind: MaKind, source: Float64Array, length: number, out: Float64Array): void => {
    const n = source.length;
    requireLength('movingAverage', 'out', out.length, n);
    const code = MA_KIND_CODE[kind] ?? 0xffffffff;
    const [x, o] = this.#layout([8 * n, 8 * n]) as [number, number];
    this.#f64.set(source, x / 8);
    this.#run(() => this.#ex.moving_average(code, x, n, u32(length), o));
    this.#readF64(o, out);
  };

  rateOfChange = (prices: Float64Array, out: Float64Array): void => {
    const n = prices.length;
    requireLength('rateOfChange', 'out', out.length, n);
    const [p, o] = this.#layout([8 * n, 8 * n]) as [number, number];
    this.#f64.set(prices, p / 8);
    this.#run(() => this.#ex.rate_of_change(p, n, o));
    this.#readF64(o, out);
  };

  scaledReturns = (prices: Float64Array, lambdaScaled: number, out: Float64Array): void => {
    const n = prices.length;
    requireLength('scaledReturns', 'out', out.length, n);
    const [p, o] = this.#layout([8 * n, 8 * n]) as [number, number];
    this.#f64.set(prices, p / 8);
    this.#run(() => this.#ex.scaled_returns(p, n, lambdaScaled, o));
    this.#readF64(o, out);
  };

  crossoverSignal = (prices: Float64Array, ma: Float64Array, out: Int8Array): void => {
    const n = prices.length;
    requireLength('crossoverSignal', 'ma', ma.length, n);
    requireLength('crossoverSignal', 'out', out.length, n);
    const [p, m, o] = this.#layout([8 * n, 8 * n, n]) as [number, number, number];
    this.#f64.set(prices, p / 8);
    this.#f64.set(ma, m / 8);
    this.#run(() => this.#ex.crossover_signal(p, m, n, o));
    out.set(this.#i8.subarray(o, o + n));
  };

  persistSignal = (up: Uint8Array, down: Uint8Array, out: Int8Array): void => {
    const n = up.length;
    requireLength('persistSignal', 'down', down.length, n);
    requireLength('persistSignal', 'out', out.length, n);
    const [u, d, o] = this.#layout([n, n, n]) as [number, number, number];
    this.#u8.set(up, u);
    this.#u8.set(down, d);
    this.#run(() => this.#ex.persist_signal(u, d, n, o));
    out.set(this.#i8.subarray(o, o + n));
  };

  equityCurve = (
    returns: Float64Array,
    signal: Float64Array,
    startingEquity: number,
    decayMultiplier: number,
    cutout: number,
    out: Float64Array,
  ): void => {
    const n = returns.length;
    requireLength('equityCurve', 'signal', signal.length, n);
    requireLength('equityCurve', 'out', out.length, n);
    const [r, s, o] = this.#layout([8 * n, 8 * n, 8 * n]) as [number, number, number];
    this.#f64.set(returns, r / 8);
    this.#f64.set(signal, s / 8);
    this.#run(() => this.#ex.equity_curve(r, s, n, startingEquity, decayMultiplier, u32(cutout), o));
    this.#readF64(o, out);
  };

  layer1Signal = (signals: Int8Array, equities: Float64Array, out: Float64Array): void => {
    const len = signals.length;
    requireLength('layer1Signal', 'equities', equities.length, len);
    const n = out.length;
    const [s, e, o] = this.#layout([len, 8 * len, 8 * n]) as [number, number, number];
    this.#i8.set(signals, s);
    this.#f64.set(equities, e / 8);
    this.#run(() => this.#ex.layer1_signal(s, e, len, o, n));
    this.#readF64(o, out);
  };

  /** The whole pipeline in one call of the module's `compute_atc`. */
  computeAtc = (prices: Float64Array, config: ResolvedAtcConfig, buffers: AtcBuffers): void => {
    const n = prices.length;
    const m = Math.max(0, n - config.cutout);
    const { outputs, movingAverages, maSignals, maEquities } = buffers;
    requireLength('computeAtc', 'outputs', outputs.length, OUTPUT_ROWS * m);
    const details = movingAverages !== undefined || maSignals !== undefined || maEquities !== undefined;
    const d = details ? MA_COUNT * m : 0;
    if (movingAverages) requireLength('computeAtc', 'movingAverages', movingAverages.length, d);
    if (maSignals) requireLength('computeAtc', 'maSignals', maSignals.length, d);
    if (maEquities) requireLength('computeAtc', 'maEquities', maEquities.length, d);
    packConfig(config, this.#packed);
    const [p, c, o, mas, eqs, sigs] = this.#layout([8 * n, 8 * PACKED_CONFIG_LENGTH, 8 * OUTPUT_ROWS * m, 8 * d, 8 * d, d]) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    this.#f64.set(prices, p / 8);
    this.#f64.set(this.#packed, c / 8);
    this.#run(() => (details ? this.#ex.compute_atc(p, n, c, o, mas, sigs, eqs) : this.#ex.compute_atc(p, n, c, o, 0, 0, 0)));
    this.#readF64(o, outputs);
    if (movingAverages) this.#readF64(mas, movingAverages);
    if (maEquities) this.#readF64(eqs, maEquities);
    if (maSignals) maSignals.set(this.#i8.subarray(sigs, sigs + d));
  };
}

/**
 * Checks a freshly loaded backend on a tiny EMA with a hand-computed result
 * (`EMA([1, 2, 3, 4, 5], 3)` = NaN, NaN, 2, 3, 4) before it is handed out.
 */
export function smokeTest(backend: WasmBackend): void {
  const out = new Float64Array(5);
  backend.movingAverage('ema', Float64Array.of(1, 2, 3, 4, 5), 3, out);
  const ok = Number.isNaN(out[0]) && Number.isNaN(out[1]) && out[2] === 2 && out[3] === 3 && out[4] === 4;
  if (!ok) throw new Error(`smoke test failed: EMA([1..5], 3) gave [${Array.from(out).join(', ')}], expected [NaN, NaN, 2, 3, 4]`);
}
