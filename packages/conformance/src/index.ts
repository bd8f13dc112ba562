/**
 * `@adaptive-trend/conformance`: the one suite every backend runs against itself.
 *
 * @example
 * ```ts
 * // conformance.test.ts, run with vitest
 * import { defineConformanceSuite } from '@adaptive-trend/conformance';
 * import { backendFactory } from '@adaptive-trend/backend-wasm';
 * defineConformanceSuite({ name: 'wasm', load: () => backendFactory.load() });
 * ```
 * @packageDocumentation
 */
export { type ConformanceOptions, defineConformanceSuite } from './suite.js';
export { findSharedDir, loadCloses, loadMaFixture, loadPipelineFixture, maFixtureNames, pipelineFixtureNames, type MaFixture, type PipelineFixture } from './fixtures.js';
export { MAX_TIE_RATE, PARITY_TOLERANCE, closeEnough, compareWithFixture, describeReport, type Mismatch, type ParityReport, type TieEvent } from './parity.js';
export { priceSeries, validConfig } from './arbitraries.js';
export { smokeSeries } from './tiers/vectors.js';
export { firstDifference, requireSameBits } from './bits.js';
export { expectedStreamBars, seededWalk } from './stream-support.js';
