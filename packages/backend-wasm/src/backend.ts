import {
  type AtcBuffers,
  type Backend,
  MA_KIND_CODE,
  type MaKind,
  PACKED_CONFIG_LENGTH,
  type ResolvedAtcConfig,
  type StreamState,
  packConfig,
  sharesMemory,
  uninitializedArray,
} from '@adaptive-trend/core';
import { type AtcGlue, MODULE_EXPORTS, createAtcGlue } from '../wasm/atc.js';
import { wasmBatchFootprint } from './footprint.js';
import type { CompiledWasm, WasmMemory, WasmModule } from './loader.js';
import { workerEntry } from '#platform';
import { type StreamHost, createWasmStream, createWasmStreamSet } from './stream.js';

/** Refuses a module that is not this package's build before the glue would call into it. */
function requireOwnBuild({ module, source }: CompiledWasm): void {
  const present = new Set(WebAssembly.Module.exports(module as WebAssembly.Module).map((e) => e.name));
  const missing = MODULE_EXPORTS.filter((name) => !present.has(name));
  if (missing.length > 0) throw new Error(`${source} is not this package's atc-wasm module (missing exports: ${missing.join(', ')})`);
}

/**
 * `out` must share no memory with an input (the same contract as every backend's own API:
 * conformance tier d). wasm computes on copies, so an overlap could not corrupt anything here;
 * it is refused all the same so the backends stay interchangeable.
 */
function requireSeparate(method: string, out: ArrayBufferView, a: ArrayBufferView, b?: ArrayBufferView): void {
  if (sharesMemory(out, a) || (b !== undefined && sharesMemory(out, b))) {
    throw new RangeError(`[adaptive-trend wasm] ${method}: an output shares memory with an input`);
  }
}

/** Bars per call of a long equity curve (3 × 128 kB of copies: L2-sized). */
const EQUITY_CHUNK = 1 << 14;

/**
 * The WebAssembly backend: the `#[wasm_bindgen]` exports of `crates/atc-wasm` through the glue
 * wasm-bindgen generated, one glue (and so one instance) per backend. Each call copies the
 * typed-array inputs into linear memory once; the kernel writes into scratch the module keeps
 * between calls (it only grows), and one copy moves the result into the caller's array.
 * Kernel errors arrive as `RangeError`s thrown by the glue. Streams keep their state in the
 * instance's linear memory (`stream.ts`): `dispose()` frees it, or the garbage collector does.
 */
export class WasmBackend implements Backend {
  readonly name = 'wasm' as const;
  readonly semantics = ['reference', 'pine'] as const; // both in crates/atc-kernels (Params.semantics, packed slot 19)
  /** The compiled module (a fresh instance is made from it if the instance ever traps). */
  readonly module: WasmModule;
  /** Where the module came from. */
  readonly source: string;
  #glue: AtcGlue;
  #memory: WasmMemory;
  readonly #packed = new Float64Array(PACKED_CONFIG_LENGTH);
  /** computeBatch's worker threads import this module to get the same backend (none in browsers)… */
  readonly workerModule = workerEntry();
  /** …and instantiate the already compiled module (a `WebAssembly.Module` is cloned to workers). */
  readonly workerLoadOptions: { readonly module: WasmModule };

  private constructor(compiled: CompiledWasm, glue: AtcGlue, memory: WasmMemory) {
    this.module = compiled.module;
    this.source = compiled.source;
    this.workerLoadOptions = { module: compiled.module };
    this.#glue = glue;
    this.#memory = memory;
  }

  /** What this backend's streams see of it: the live glue, and the catch that replaces a trapped instance. */
  readonly #streamHost: StreamHost = { glue: () => this.#glue, recover: (error) => this.#recover(error) };

  /** Instantiates a compiled module through a glue of its own. */
  static async instantiate(compiled: CompiledWasm): Promise<WasmBackend> {
    requireOwnBuild(compiled);
    const glue = createAtcGlue();
    const { memory } = await glue({ module_or_path: compiled.module });
    return new WasmBackend(compiled, glue, memory);
  }

  /** The module's linear memory (its `buffer` is replaced whenever the memory grows). */
  get memory(): WasmMemory {
    return this.#memory;
  }

  /** Whether the running module was compiled with wasm SIMD (simd128). */
  get simd(): boolean {
    return this.#glue.simdEnabled();
  }

  /**
   * The catch of every glue call. A trap (an abort: out of memory inside a kernel, or a panic,
   * which the kernels never raise by design) leaves the instance's state undefined, so it is
   * replaced by a fresh one of the same module and the call throws, naming the panic when there
   * was one. Anything else (the kernels' RangeErrors) is rethrown as is.
   */
  #recover(error: unknown): never {
    if (!(error instanceof WebAssembly.RuntimeError)) throw error;
    let panic: string | undefined;
    try {
      panic = this.#glue.takePanicMessage();
    } catch {
      // the trapped instance cannot even answer: no message then
    }
    const glue = createAtcGlue();
    this.#memory = glue.initSync({ module: this.module }).memory;
    this.#glue = glue;
    const reason = panic ? `${error.message}: ${panic}` : error.message;
    throw new Error(`[adaptive-trend wasm] the module trapped (${reason}); it was re-instantiated`, { cause: error });
  }

  // --- kernels --------------------------------------------------------------------------------

  movingAverage = (kind: MaKind, source: Float64Array, length: number, out: Float64Array): void => {
    requireSeparate('movingAverage', out, source);
    try {
      this.#glue.movingAverage(MA_KIND_CODE[kind] ?? 0xffffffff, source, length, out);
    } catch (error) {
      this.#recover(error);
    }
  };

  rateOfChange = (prices: Float64Array, out: Float64Array): void => {
    requireSeparate('rateOfChange', out, prices);
    try {
      this.#glue.rateOfChange(prices, out);
    } catch (error) {
      this.#recover(error);
    }
  };

  scaledReturns = (prices: Float64Array, lambdaScaled: number, out: Float64Array): void => {
    requireSeparate('scaledReturns', out, prices);
    try {
      this.#glue.scaledReturns(prices, lambdaScaled, out);
    } catch (error) {
      this.#recover(error);
    }
  };

  crossoverSignal = (prices: Float64Array, ma: Float64Array, out: Int8Array): void => {
    requireSeparate('crossoverSignal', out, prices, ma);
    try {
      this.#glue.crossoverSignal(prices, ma, out);
    } catch (error) {
      this.#recover(error);
    }
  };

  persistSignal = (up: Uint8Array, down: Uint8Array, out: Int8Array): void => {
    requireSeparate('persistSignal', out, up, down);
    try {
      this.#glue.persistSignal(up, down, out);
    } catch (error) {
      this.#recover(error);
    }
  };

  equityCurve = (
    returns: Float64Array,
    signal: Float64Array,
    startingEquity: number,
    decayMultiplier: number,
    cutout: number,
    out: Float64Array,
  ): void => {
    requireSeparate('equityCurve', out, returns, signal);
    try {
      const n = returns.length;
      if (n - cutout < 2 * EQUITY_CHUNK || signal.length !== n || out.length !== n) {
        this.#glue.equityCurve(returns, signal, startingEquity, decayMultiplier, cutout, out);
        return;
      }
      // Long series in chunks, so that the linear-memory side of the copies (24 bytes a bar)
      // stays in cache: 10⁶ bars 5.8–6.2 → 5.5–5.6 ms (native 2.4: the caller's side of the
      // copies still streams from DRAM). A chunk starts one bar early, from that bar's equity
      // as its starting equity: the floor keeps a floored value as it is, and the next bar is
      // `(E·d)·(1 + a)` with the position of the bar before, as in one call.
      let end = cutout + EQUITY_CHUNK;
      this.#glue.equityCurve(returns.subarray(0, end), signal.subarray(0, end), startingEquity, decayMultiplier, cutout, out.subarray(0, end));
      for (let from = end - 1; end < n; from = end - 1) {
        const carried = out[from]!;
        if (!Number.isFinite(carried)) {
          // NaN or ∞ (∞·0 on infinite returns): no chunk can start from it; one call does all.
          this.#glue.equityCurve(returns, signal, startingEquity, decayMultiplier, cutout, out);
          return;
        }
        end = Math.min(n, end + EQUITY_CHUNK);
        this.#glue.equityCurve(returns.subarray(from, end), signal.subarray(from, end), carried, decayMultiplier, 0, out.subarray(from, end));
      }
    } catch (error) {
      this.#recover(error);
    }
  };

  layer1Signal = (signals: Int8Array, equities: Float64Array, out: Float64Array): void => {
    requireSeparate('layer1Signal', out, signals, equities);
    try {
      this.#glue.layer1Signal(signals, equities, out);
    } catch (error) {
      this.#recover(error);
    }
  };

  /**
   * The whole pipeline in one call of the module's `computeAtc`. Returns the growth check's
   * verdict from the Rust pipeline's last loop (−1: all finite), so core does not scan the
   * outputs again.
   */
  computeAtc = (prices: Float64Array, config: ResolvedAtcConfig, buffers: AtcBuffers): number => {
    const { outputs, movingAverages, maSignals, maEquities } = buffers;
    const outs = [outputs, movingAverages, maSignals, maEquities].filter((b) => b !== undefined);
    outs.forEach((out, k) => {
      requireSeparate('computeAtc', out, prices);
      for (const other of outs.slice(k + 1)) requireSeparate('computeAtc', out, other);
    });
    packConfig(config, this.#packed);
    try {
      return this.#glue.computeAtc(prices, this.#packed, outputs, movingAverages, maSignals, maEquities);
    } catch (error) {
      this.#recover(error);
    }
  };

  /**
   * Linear memory a `computeAtc` may use (default 4 GiB minus a reserve for the module). Only
   * tests lower it, to exercise the refusal without allocating gigabytes.
   * @internal
   */
  memoryLimitBytes: number | undefined = undefined;

  /** What `computeAtc` of `bars` bars needs in linear memory (core checks it before allocating). */
  batchFootprint = (bars: number, details: boolean) => wasmBatchFootprint(bars, details, this.memoryLimitBytes);

  /**
   * Results core allocates, not zeroed: every kernel copies a full result out of linear memory
   * into them (tests/output-writes.test.ts hands them sentinel-filled arrays).
   */
  allocateOutput = uninitializedArray;

  // --- streams --------------------------------------------------------------------------------

  /** A stream in this instance (restored from `restore` when given); the config is packed once. */
  createStream = (config: ResolvedAtcConfig, restore?: StreamState) =>
    createWasmStream(this.#streamHost, packConfig(config, this.#packed), restore);

  /** `count` streams in this instance, stepped together. */
  createStreamSet = (count: number, config: ResolvedAtcConfig) =>
    createWasmStreamSet(this.#streamHost, count, packConfig(config, this.#packed));
}
