// The reference every backend is held to bit for bit: backend-js (the plain TypeScript
// transcription of docs/kernels.md), and its kernel-by-kernel composition of the pipeline.
import { composeAtcFromKernels, createJsBackend } from '@adaptive-trend/backend-js';
import { type AtcBuffers, type Backend, type ResolvedAtcConfig, allocateBuffers, outputBars } from '@adaptive-trend/core';

let reference: Backend | undefined;

/** The js backend, created once. */
export function referenceBackend(): Backend {
  return (reference ??= createJsBackend());
}

/** `backend.computeAtc` on a resolved config, details included, into fresh buffers. */
export function fusedBuffers(backend: Backend, prices: Float64Array, config: ResolvedAtcConfig): AtcBuffers {
  const buffers = allocateBuffers(outputBars(config, prices.length), true);
  backend.computeAtc(prices, config, buffers);
  return buffers;
}

/** The same pipeline run through `backend`'s own kernels one by one, details included. */
export function composedBuffers(backend: Backend, prices: Float64Array, config: ResolvedAtcConfig): AtcBuffers {
  const buffers = allocateBuffers(outputBars(config, prices.length), true);
  composeAtcFromKernels(backend, prices, config, buffers);
  return buffers;
}
