// The tie detector must never hide a real bug: run the parity check with deliberately wrong
// kernels and require that it reports unexplained mismatches.
import { AtcEngine, type Backend, fromReferenceParams } from '@adaptive-trend/core';
import { composeAtcFromKernels, createJsBackend } from '@adaptive-trend/backend-js';
import { describe, expect, it } from 'vitest';
import { compareWithFixture, findSharedDir, loadCloses, loadPipelineFixture } from '@adaptive-trend/conformance';

const shared = findSharedDir();

/** The js backend with some kernels replaced; its pipeline is composed from those kernels. */
function broken(patch: Partial<Backend>): AtcEngine {
  const backend: Backend = { ...createJsBackend(), ...patch, computeAtc: (prices, config, buffers) => composeAtcFromKernels(backend, prices, config, buffers) };
  return new AtcEngine(backend);
}

describe.skipIf(!shared)('parity detector', () => {
  const fixture = shared ? loadPipelineFixture(shared, 'ETH_BTC-5m__default') : undefined;
  const prices = shared && fixture ? loadCloses(shared, fixture.dataset) : new Float64Array();
  const run = (engine: AtcEngine) =>
    compareWithFixture(engine.compute(prices, fromReferenceParams(fixture!.params), { details: true }), prices, fixture!);

  it('passes the correct js backend', () => {
    expect(run(new AtcEngine(createJsBackend())).unexplained).toEqual([]);
  });
  it('catches a WMA off by 1e-6 relative', () => {
    const js = createJsBackend();
    const report = run(
      broken({
        movingAverage: (kind, source, length, out) => {
          js.movingAverage(kind, source, length, out);
          if (kind === 'wma') for (let i = 0; i < out.length; i++) out[i] = out[i]! * (1 + 1e-6);
        },
      }),
    );
    expect(report.unexplained.length).toBeGreaterThan(0);
  });
  it('catches an equity curve that ignores decay', () => {
    const js = createJsBackend();
    const report = run(broken({ equityCurve: (r, s, start, _d, cut, out) => js.equityCurve(r, s, start, 1, cut, out) }));
    expect(report.unexplained.length).toBeGreaterThan(0);
  });
  it('catches Layer-1 rounding half-up instead of half-even', () => {
    const js = createJsBackend();
    const report = run(
      broken({
        layer1Signal: (signals, equities, out) => {
          js.layer1Signal(signals, equities, out);
          for (let i = 0; i < out.length; i++) out[i] = out[i]! + 0.01 * (i % 97 === 0 ? 1 : 0);
        },
      }),
    );
    expect(report.unexplained.length).toBeGreaterThan(0);
  });
  it('catches a crossover that uses < instead of <= for the previous bar', () => {
    const report = run(
      broken({
        crossoverSignal: (p, m, out) => {
          let state = 0;
          out[0] = 0;
          for (let i = 1; i < p.length; i++) {
            if (p[i]! > m[i]! && p[i - 1]! < m[i - 1]!) state = 1;
            else if (p[i]! < m[i]! && p[i - 1]! > m[i - 1]!) state = -1;
            out[i] = state;
          }
        },
      }),
    );
    // A strict comparison only changes decisions at exact equalities, i.e. at ties: the
    // detector excuses them, but they must show up as tie events, not pass silently.
    expect(report.tieEvents.length + report.unexplained.length).toBeGreaterThan(0);
  });
});
