// Tier p: the Pine semantics (issue 12) on every `../shared/golden/pine` fixture, for every
// backend that declares `semantics: 'pine'`; the others are reported as skipped, by name.
import { FAMILIES, type FamilyRecord, REFERENCE_FAMILY_NAMES, familyWeight, fromReferenceParams } from '@adaptive-trend/core';
import { expect, it } from 'vitest';
import type { BackendSource, EngineSource } from '../engine-source.js';
import { findSharedDir, loadCloses } from '../fixtures.js';
import { MAX_TIE_RATE } from '../parity.js';
import { comparePine, describePineReport, loadPineFixture, pineFixtureNames, replayPineTies } from './pine-parity.js';

export function definePineTests(backend: BackendSource, engine: EngineSource): void {
  const shared = findSharedDir();
  const names = shared ? pineFixtureNames(shared) : [];
  if (!shared || names.length === 0) {
    const message = 'SKIPPED: Pine fixtures not found (no ../shared/golden/pine next to the repository; set ATC_SHARED_DIR). The Pine semantics were NOT checked.';
    console.warn(`\n!!! ${message}\n`);
    it.skip(message, () => {});
    return;
  }
  for (const name of names) {
    it(`pine ${name}`, (context) => {
      const { name: backendName, semantics } = backend();
      if (!semantics.includes('pine')) {
        console.warn(`pine ${name}: skipped: ${backendName} does not implement 'pine'`);
        return context.skip(`${backendName} does not implement 'pine'`);
      }
      const fixture = loadPineFixture(shared, name);
      const close = loadCloses(shared, fixture.dataset);
      expect(close.length).toBe(fixture.barsIn);
      const resolved = engine().resolveConfig({ ...fromReferenceParams(fixture.params), semantics: 'pine' });
      const result = engine().compute(close, resolved, { details: true });
      expect(result.length).toBe(close.length); // full length: no slicing
      const config = { ...resolved, weights: Object.fromEntries(FAMILIES.map((f) => [f, familyWeight(resolved, f)])) as FamilyRecord<number> };
      const report = comparePine(fixture, close, config, result);
      const replay = replayPineTies(fixture, close, config, result, (p, m, out) => backend().crossoverSignal(p, m, out));
      const widest = replay.flips.reduce((w, t) => ({ gap: Math.max(w.gap, t.gap), lag: Math.max(w.lag, t.firstDiff - t.bar) }), { gap: 0, lag: 0 });
      console.log([
        describePineReport(report),
        `  replay: ${replay.flips.length} tie decisions flipped (largest gap ${widest.gap.toExponential(2)}, difference at most ${widest.lag} bars after its tie) → ${replay.left.length === 0 ? 'all 13 outputs match on every bar' : 'still differs'}`,
        ...FAMILIES.map((f) => replay.flips.filter((t) => t.family === f)).filter((flips) => flips.length > 0)
          .map((flips) => `    flipped: ${flips.map((t) => `${REFERENCE_FAMILY_NAMES[t.family]}[${t.length}]@${t.bar}`).join(' ')}`),
        ...replay.left.map((l) => `    LEFT: ${l}`),
      ].join('\n'));
      expect(report.naMismatches).toEqual([]);
      expect(report.unexplained).toEqual([]);
      expect(report.ties.length / report.bars).toBeLessThanOrEqual(MAX_TIE_RATE);
      expect(replay.left).toEqual([]);
    });
  }
}
