/**
 * `@adaptive-trend/core`: Adaptive Trend Classification behind one backend interface.
 * Install a backend next to it (`@adaptive-trend/backend-js`, `-wasm` or `-native`).
 * @packageDocumentation
 */
export type { AtcBuffers, AtcKernels, Backend, BatchFootprint, BackendFactory, BackendName, BackendOptions, BackendStream, BackendStreamSet, StreamState } from './backend.js';
export { type OutputArrayKinds, uninitializedArray } from './uninitialized.js';
export { STEP_NOT_FINITE, STEP_OK } from './backend.js';
export { STREAM_FAMILY_SLOTS, STREAM_MA_SLOTS, type StreamLayout, streamLayout, streamStateLength } from './stream-layout.js';
export {
  type AtcConfig,
  type AtcConfigInput,
  type ReferenceParams,
  type ResolvedAtcConfig,
  DECAY_RANGE,
  DEFAULT_CONFIG,
  LAMBDA_RANGE,
  PACKED_CONFIG_LENGTH,
  baseLength,
  checkConfigAgainstSeries,
  unpackConfig,
  decayMultiplier,
  familyWeight,
  fromReferenceParams,
  packConfig,
  resolveConfig,
  scaledLambda,
} from './config.js';
export type { BatchOptions } from './batch.js';
export { AtcEngine, type ComputeOptions, type EquityOptions } from './engine.js';
export { AtcBackendError, AtcError, AtcInputError, type AtcInputErrorCode, type BackendLoadFailure } from './errors.js';
export {
  FAMILIES,
  type Family,
  type FamilyRecord,
  LENGTHS_PER_FAMILY,
  MA_KINDS,
  MA_KIND_CODE,
  type MaKind,
  REFERENCE_FAMILY_NAMES,
  ROBUSTNESS,
  type Robustness,
  familyLengths,
} from './families.js';
export { EXP_OVERFLOW_THRESHOLD, firstNonFiniteOutputBar, growthOverflowBar } from './growth.js';
export { MA_COUNT, OUTPUT_ROWS, allocateBuffers } from './pipeline.js';
export { KNOWN_BACKENDS, type BackendChoice, type CreateAtcOptions, createAtc, registerBackend, registeredBackends } from './registry.js';
export {
  type AtcDetails,
  type AtcRecord,
  AtcResult,
  REFERENCE_OUTPUT_NAMES,
  type ReferenceOutputName,
  trendSign,
} from './result.js';
export { type SeriesInput, sharesMemory, toFloat64, toPrices } from './series.js';
export { verifyBackend } from './verify.js';
export { entrySignals } from './entries.js';
export { SEMANTICS, type Semantics, firstInputBar, outputBars } from './semantics.js';
export { AtcBar, AtcStream, AtcStreamBars, AtcStreamSet, AtcStreamSetBar, MAX_STREAMS } from './stream.js';
export { SNAPSHOT_VERSION, crc32, decodeSnapshot, encodeSnapshot, sameConfig, type SnapshotContents } from './snapshot.js';
