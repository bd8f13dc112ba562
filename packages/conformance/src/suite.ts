import { AtcEngine, type Backend, type BackendName } from '@adaptive-trend/core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BackendSource, EngineSource } from './engine-source.js';
import { defineBackendBoundaryTests } from './tiers/backend-boundary.js';
import { defineBatchTests } from './tiers/batch.js';
import { defineBitIdentityTests, fuzzRunsFromEnv } from './tiers/bit-identity.js';
import { defineCallerMemoryTests } from './tiers/caller-memory.js';
import { defineGoldenTests } from './tiers/golden.js';
import { definePineTests } from './tiers/pine.js';
import { definePropertyTests } from './tiers/properties.js';
import { defineStreamingTests } from './tiers/streaming.js';
import { defineVectorTests } from './tiers/vectors.js';

/** What a backend package passes to {@link defineConformanceSuite}. */
export interface ConformanceOptions {
  /** The backend's name; `engine.backend` must report exactly this. */
  readonly name: BackendName;
  /** Loads the backend under test (e.g. `backendFactory.load`). */
  readonly load: () => Promise<Backend>;
  /** fast-check runs per property (default 60). */
  readonly propertyRuns?: number;
  /** Random cases of the bit-identity tier (default `ATC_FUZZ_RUNS`, else 500). */
  readonly fuzzRuns?: number;
}

/**
 * Defines the whole conformance suite (vitest) for one backend: (a) hand-checked vectors,
 * (b) reference parity on every golden fixture (skipped loudly without `../shared`),
 * (c) property-based invariants, (d) the backend's own API refusing bad buffers, (e) the same
 * bits as backend-js on golden and random series, plus caller memory, the batch API, (p) Pine
 * semantics and (s) streams equal to `compute` bit for bit.
 * Input validation is core's and is tested there, once, not per backend.
 *
 * @example
 * ```ts
 * // packages/backend-foo/test/conformance.test.ts
 * import { defineConformanceSuite } from '@adaptive-trend/conformance';
 * import { backendFactory } from '@adaptive-trend/backend-foo';
 * defineConformanceSuite({ name: 'foo', load: () => backendFactory.load() });
 * ```
 */
export function defineConformanceSuite(options: ConformanceOptions): void {
  let backend: Backend | undefined;
  let engine: AtcEngine | undefined;
  const getBackend: BackendSource = () => {
    if (!backend) throw new Error('backend not loaded');
    return backend;
  };
  const getEngine: EngineSource = () => {
    if (!engine) throw new Error('backend not loaded');
    return engine;
  };
  describe(`conformance: ${options.name} backend`, () => {
    beforeAll(async () => {
      backend = await options.load();
      engine = new AtcEngine(backend);
    });
    it('reports the backend that runs', () => {
      expect(getEngine().backend).toBe(options.name);
    });
    describe('tier a: hand-checked vectors', () => defineVectorTests(getEngine));
    describe('tier b: reference parity (golden fixtures)', () => defineGoldenTests(getEngine));
    describe('tier c: invariants (property tests)', () => definePropertyTests(getEngine, options.propertyRuns ?? 60));
    describe("tier d: the backend's own API refuses bad buffers", () => defineBackendBoundaryTests(getBackend));
    describe('tier e: bit-identical to backend-js', () => defineBitIdentityTests(getBackend, getEngine, options.fuzzRuns ?? fuzzRunsFromEnv()));
    describe('caller memory', () => defineCallerMemoryTests(getEngine));
    describe('batch API', () => defineBatchTests(getEngine));
    describe("tier p: TradingView semantics (golden/pine fixtures)", () => definePineTests(getBackend, getEngine));
    describe('tier s: streaming equals compute, bit for bit (docs/streaming.md)', () => defineStreamingTests(getEngine, options.fuzzRuns ?? fuzzRunsFromEnv(), getBackend));
  });
}
