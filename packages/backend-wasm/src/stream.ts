// Streams over the module's `WasmStream` / `WasmStreamSet` classes (crates/atc-wasm/src/stream.rs):
// the state lives in linear memory, so each JS object here owns a pointer that must be freed —
// by `dispose()`, or by the FinalizationRegistry below when the stream is simply forgotten.
import { type BackendStream, type BackendStreamSet, type StreamState, sharesMemory } from '@adaptive-trend/core';
import type { AtcGlue } from '../wasm/atc.js';

type GlueStream = InstanceType<AtcGlue['WasmStream']>;
type GlueStreamSet = InstanceType<AtcGlue['WasmStreamSet']>;

/** What a stream needs of its backend: the live glue and the backend's trap recovery. */
export interface StreamHost {
  /** The glue of the live instance (a new one after a trap). */
  glue(): AtcGlue;
  /** Rethrows `error`; a trap first replaces the instance (`WasmBackend`'s catch). */
  recover(error: unknown): never;
}

/**
 * Frees the linear memory of a stream whose JS object was collected without `dispose()`. The
 * held value is the glue object (the pointer's owner), never the stream itself, so holding it
 * does not keep the stream alive. A stream of a trapped (replaced) instance may fail to free:
 * that instance is unreachable garbage anyway.
 */
const forgotten = new FinalizationRegistry<{ free(): void }>((inner) => {
  try {
    inner.free();
  } catch {
    // the instance trapped and was replaced: nothing left to free
  }
});

/** The checks and bookkeeping both stream kinds share: liveness, disposal, the registry. */
class Owned<T extends { free(): void }> {
  #inner: T | undefined;
  readonly #host: StreamHost;
  readonly #glue: AtcGlue;

  constructor(host: StreamHost, inner: T) {
    this.#host = host;
    this.#glue = host.glue();
    this.#inner = inner;
    forgotten.register(this, inner, this);
  }

  /** The glue object, refusing a disposed stream or one whose instance trapped. */
  get live(): T {
    const inner = this.#inner;
    if (inner === undefined) throw new Error('[adaptive-trend wasm] the stream was disposed');
    if (this.#host.glue() !== this.#glue) {
      throw new Error('[adaptive-trend wasm] the stream was lost: the module trapped and was re-instantiated since it was created');
    }
    return inner;
  }

  recover(error: unknown): never {
    return this.#host.recover(error);
  }

  dispose(): void {
    const inner = this.#inner;
    if (inner === undefined) return;
    this.#inner = undefined;
    forgotten.unregister(this);
    if (this.#host.glue() === this.#glue) inner.free();
  }
}

function requireSeparate(method: string, out: Float64Array, closes: Float64Array): void {
  // the same contract as the native streams (wasm computes on a copy, but backends stay interchangeable)
  if (sharesMemory(out, closes)) throw new RangeError(`[adaptive-trend wasm] ${method}: out must not share memory with closes`);
}

/**
 * A {@link BackendStream} over one `WasmStream`; `dispose()` frees its linear memory at once.
 *
 * @example
 * ```ts
 * const stream = (await loadWasmBackend()).createStream(resolveConfig({}));
 * const out = new Float64Array(13);
 * stream.push(101.5, out); // STEP_OK; out holds bar 0's 13 outputs
 * stream.dispose();
 * ```
 */
export class WasmBackendStream implements BackendStream {
  readonly #owned: Owned<GlueStream>;

  constructor(host: StreamHost, inner: GlueStream) {
    this.#owned = new Owned(host, inner);
  }

  get length(): number {
    return this.#owned.live.length;
  }

  push(close: number, out: Float64Array): number {
    const inner = this.#owned.live;
    try {
      return inner.push(close, out);
    } catch (error) {
      this.#owned.recover(error);
    }
  }

  replaceLast(close: number, out: Float64Array): number {
    const inner = this.#owned.live;
    try {
      return inner.replaceLast(close, out);
    } catch (error) {
      this.#owned.recover(error);
    }
  }

  pushMany(closes: Float64Array, out: Float64Array): number {
    const inner = this.#owned.live;
    requireSeparate('pushMany', out, closes);
    try {
      return inner.pushMany(closes, out);
    } catch (error) {
      this.#owned.recover(error);
    }
  }

  exportState(): Float64Array {
    const inner = this.#owned.live;
    try {
      return inner.exportState();
    } catch (error) {
      this.#owned.recover(error);
    }
  }

  dispose(): void {
    this.#owned.dispose();
  }
}

/**
 * A {@link BackendStreamSet} over one `WasmStreamSet`; `dispose()` frees its linear memory at once.
 *
 * @example
 * ```ts
 * const set = (await loadWasmBackend()).createStreamSet(2, resolveConfig({}));
 * const out = new Float64Array(13 * 2);
 * set.push(Float64Array.of(101.5, 47.25), out); // −1: both committed; column k is stream k
 * set.dispose();
 * ```
 */
export class WasmBackendStreamSet implements BackendStreamSet {
  readonly #owned: Owned<GlueStreamSet>;
  readonly count: number;

  constructor(host: StreamHost, inner: GlueStreamSet) {
    this.#owned = new Owned(host, inner);
    this.count = inner.count;
  }

  get length(): number {
    return this.#owned.live.length;
  }

  push(closes: Float64Array, out: Float64Array): number {
    const inner = this.#owned.live;
    requireSeparate('push', out, closes);
    try {
      return inner.push(closes, out);
    } catch (error) {
      this.#owned.recover(error);
    }
  }

  replaceLast(closes: Float64Array, out: Float64Array): number {
    const inner = this.#owned.live;
    requireSeparate('replaceLast', out, closes);
    try {
      return inner.replaceLast(closes, out);
    } catch (error) {
      this.#owned.recover(error);
    }
  }

  exportState(index: number): Float64Array {
    const inner = this.#owned.live;
    try {
      return inner.exportState(index);
    } catch (error) {
      this.#owned.recover(error);
    }
  }

  dispose(): void {
    this.#owned.dispose();
  }
}

/** A new stream (or a restored one) for `packed` (core's `packConfig`, copied in by the module). */
export function createWasmStream(host: StreamHost, packed: Float64Array, restore?: StreamState): WasmBackendStream {
  const { WasmStream } = host.glue();
  let inner: GlueStream;
  try {
    inner = restore === undefined ? new WasmStream(packed) : WasmStream.restore(packed, restore.bars, restore.state);
  } catch (error) {
    host.recover(error);
  }
  return new WasmBackendStream(host, inner);
}

/** `count` new streams of `packed` stepped together. */
export function createWasmStreamSet(host: StreamHost, count: number, packed: Float64Array): WasmBackendStreamSet {
  const { WasmStreamSet } = host.glue();
  let inner: GlueStreamSet;
  try {
    inner = new WasmStreamSet(packed, count);
  } catch (error) {
    host.recover(error);
  }
  return new WasmBackendStreamSet(host, inner);
}
