// Pine semantics (issue 12) on the js kernels: every `../shared/golden/pine` fixture (the
// original TradingView script's outputs in exact doubles) within 1e-9 relative, the na pattern
// identical, and crossover ties excused the way the reference tier excuses them
// (packages/conformance/src/parity.ts), with the tie audit printed.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FAMILIES, type Family, type FamilyRecord, REFERENCE_FAMILY_NAMES, type Robustness, entrySignals, familyLengths } from '@adaptive-trend/core';
import { describe, expect, it } from 'vitest';
import { crossoverSignal } from '../src/kernels/signals.js';
import { type PineConfig, type PineResult, computePine, pineAverageSignal, pineDema, pineEquity, pineKama, pineLayer1, pineLinreg, pineMovingAverage, pineRound2, pineScaledReturns } from '../src/pine/index.js';

const SHARED = fileURLToPath(new URL('../../../../shared/', import.meta.url));
const GOLDEN = `${SHARED}golden/pine`;
const TOLERANCE = 1e-9;
/** Tie events may not exceed this fraction of a fixture's bars (the reference tier's bound). */
const MAX_TIE_RATE = 0.005;

// ---- fixtures ---------------------------------------------------------------------------------

/** The script's inputs, by their Pine names, with the script's defaults. */
const PINE_DEFAULTS = {
  La: 0.02, De: 0.03, cutout: 0, robustness: 'Medium' as Robustness,
  ema_len: 28, hull_len: 28, wma_len: 28, dema_len: 28, lsma_len: 28, kama_len: 28,
  ema_w: 1, hma_w: 1, wma_w: 1, dema_w: 1, lsma_w: 1, kama_w: 1,
};
type PineInputs = typeof PINE_DEFAULTS;
const LEN_INPUT: FamilyRecord<keyof PineInputs> = { ema: 'ema_len', hma: 'hull_len', wma: 'wma_len', dema: 'dema_len', lsma: 'lsma_len', kama: 'kama_len' };
const WEIGHT_INPUT: FamilyRecord<keyof PineInputs> = { ema: 'ema_w', hma: 'hma_w', wma: 'wma_w', dema: 'dema_w', lsma: 'lsma_w', kama: 'kama_w' };

function configFromInputs(params: Partial<PineInputs>): PineConfig {
  for (const key of Object.keys(params)) if (!(key in PINE_DEFAULTS)) throw new Error(`unknown Pine input ${key}`);
  const p = { ...PINE_DEFAULTS, ...params };
  const byFamily = <T>(f: (family: Family) => T) => Object.fromEntries(FAMILIES.map((family) => [family, f(family)])) as FamilyRecord<T>;
  return {
    lengths: byFamily((family) => familyLengths(p[LEN_INPUT[family]] as number, p.robustness)),
    weights: byFamily((family) => p[WEIGHT_INPUT[family]] as number),
    lambda: p.La, decay: p.De, cutout: p.cutout,
  };
}

interface PineFixture { name: string; dataset: string; params: Partial<PineInputs>; barsIn: number; outputs: Record<string, Float64Array> }

function loadFixture(name: string): PineFixture {
  const raw = JSON.parse(readFileSync(`${GOLDEN}/${name}.json`, 'utf8'));
  const outputs: Record<string, Float64Array> = {};
  for (const [key, values] of Object.entries(raw.outputs as Record<string, (number | null)[]>)) outputs[key] = Float64Array.from(values, (v) => (v === null ? NaN : v));
  return { name, dataset: raw.dataset, params: raw.params, barsIn: raw.bars_in, outputs };
}

function loadCloses(dataset: string): Float64Array {
  const lines = readFileSync(`${SHARED}data/${dataset}.csv`, 'utf8').trim().split(/\r?\n/);
  const column = lines[0]!.split(',').indexOf('close');
  return Float64Array.from(lines.slice(1), (line) => Number(line.split(',')[column]));
}

// ---- comparison, modulo ties ------------------------------------------------------------------

function closeEnough(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  const diff = Math.abs(a - b);
  return diff <= TOLERANCE * Math.max(Math.abs(a), Math.abs(b)) || diff <= 1e-12;
}
const relativeError = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));

interface Tie { kind: 'crossover' | 'rounding'; family: Family; length?: number; bar: number; firstDiff: number; gap: number }

/** Bars where `close` and one of the family's MAs are within 1e-9 relative: the crossover there is a coin toss. */
function crossoverTies(close: Float64Array, result: PineResult, family: Family, lengths: readonly number[]): { bar: number; length: number; gap: number }[] {
  const ties: { bar: number; length: number; gap: number }[] = [];
  result.details!.movingAverages[family].forEach((ma, k) => {
    for (let i = 0; i < close.length; i++) {
      const gap = Math.abs(close[i]! - ma[i]!) / Math.abs(close[i]!);
      if (gap <= TOLERANCE) ties.push({ bar: i, length: lengths[k]!, gap });
    }
  });
  return ties.sort((a, b) => a.bar - b.bar);
}

/** Unrounded Layer-1 quotient of a family at a bar (rounding-tie check). */
function unroundedLayer1(result: PineResult, family: Family, bar: number): number {
  let num = 0.0, den = 0.0;
  result.details!.maSignals[family].forEach((s, k) => {
    const e = result.details!.maEquities[family][k]![bar]!;
    num += s[bar]! * e;
    den += e;
  });
  return num / den;
}

interface Report { fixture: string; bars: number; ties: Tie[]; excused: Record<string, number>; unexplained: string[]; naMismatches: string[]; maxRelError: Record<string, number> }

function compare(fixture: PineFixture, close: Float64Array, config: PineConfig, result: PineResult): Report {
  const n = close.length;
  const ties: Tie[] = [];
  const excused: Record<string, number> = {};
  const unexplained: string[] = [];
  const naMismatches: string[] = [];
  const maxRelError: Record<string, number> = {};
  const tiesOf = Object.fromEntries(FAMILIES.map((f) => [f, crossoverTies(close, result, f, config.lengths[f])])) as FamilyRecord<ReturnType<typeof crossoverTies>>;
  const crossoverFrom = Object.fromEntries(FAMILIES.map((f) => [f, Infinity])) as FamilyRecord<number>;
  const roundingFrom = Object.fromEntries(FAMILIES.map((f) => [f, Infinity])) as FamilyRecord<number>;

  const compareSeries = (label: string, ours: Float64Array, theirs: Float64Array | undefined, excusedFrom: (bar: number) => boolean, family?: Family) => {
    if (!theirs || theirs.length !== n) return void unexplained.push(`${label}: length ${theirs?.length} ≠ ${n}`);
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const a = ours[i]!, b = theirs[i]!;
      if (Number.isNaN(a) !== Number.isNaN(b)) {
        naMismatches.push(`${label} bar ${i}: ours ${a}, fixture ${b}`); // never excused: ties do not move na
        continue;
      }
      if (closeEnough(a, b)) {
        if (!Number.isNaN(a)) worst = Math.max(worst, relativeError(a, b));
        continue;
      }
      if (excusedFrom(i)) {
        excused[label] = (excused[label] ?? 0) + 1;
        continue;
      }
      if (family) {
        // A Layer-1 value one step (0.01) away, with the unrounded quotient on a .5 boundary.
        if (closeEnough(Math.abs(a - b), 0.01)) {
          const q = unroundedLayer1(result, family, i) * 100;
          const gap = Math.abs(Math.abs(q - Math.trunc(q)) - 0.5) / 100;
          if (gap <= TOLERANCE) {
            ties.push({ kind: 'rounding', family, bar: i, firstDiff: i, gap });
            roundingFrom[family] = Math.min(roundingFrom[family], i);
            excused[label] = (excused[label] ?? 0) + 1;
            continue;
          }
        }
        // The latest crossover tie of this family at or before the first difference.
        const tie = tiesOf[family].filter((t) => t.bar <= i).at(-1);
        if (tie && crossoverFrom[family] === Infinity) {
          ties.push({ kind: 'crossover', family, length: tie.length, bar: tie.bar, firstDiff: i, gap: tie.gap });
          crossoverFrom[family] = i;
          excused[label] = (excused[label] ?? 0) + 1;
          continue;
        }
      }
      unexplained.push(`${label} bar ${i}: ours ${a}, fixture ${b}`);
    }
    maxRelError[label] = worst;
  };

  for (const family of FAMILIES) {
    const name = REFERENCE_FAMILY_NAMES[family];
    compareSeries(`${name}_Signal`, result.signals[family], fixture.outputs[`${name}_Signal`], (i) => i >= crossoverFrom[family], family);
  }
  for (const family of FAMILIES) {
    const name = REFERENCE_FAMILY_NAMES[family];
    compareSeries(`${name}_S`, result.equities[family], fixture.outputs[`${name}_S`], (i) => i >= Math.min(crossoverFrom[family], roundingFrom[family] + 1));
  }
  const averageFrom = Math.min(...FAMILIES.map((f) => Math.min(crossoverFrom[f], roundingFrom[f])));
  compareSeries('Average_Signal', result.averageSignal, fixture.outputs.Average_Signal, (i) => i >= averageFrom);
  return { fixture: fixture.name, bars: n, ties, excused, unexplained, naMismatches, maxRelError };
}

function describeReport(r: Report): string {
  const worst = Math.max(...Object.values(r.maxRelError));
  const lines = [`${r.fixture}: ${r.bars} bars, max rel error ${worst.toExponential(2)}, ${r.ties.length} tie events, ${r.unexplained.length} unexplained, ${r.naMismatches.length} na mismatches`];
  for (const t of r.ties) {
    const what = t.kind === 'crossover' ? `${REFERENCE_FAMILY_NAMES[t.family]}[${t.length}] crossover tie at bar ${t.bar}, first difference at ${t.firstDiff}` : `${REFERENCE_FAMILY_NAMES[t.family]}_Signal rounding tie at bar ${t.bar}`;
    lines.push(`  tie: ${what}, gap ${t.gap.toExponential(2)}`);
  }
  for (const [series, count] of Object.entries(r.excused)) lines.push(`  excused ${series}: ${count} bars`);
  for (const u of [...r.naMismatches, ...r.unexplained].slice(0, 12)) lines.push(`  MISMATCH ${u}`);
  return lines.join('\n');
}

// ---- replay: each tie decided the other way reproduces the fixture ---------------------------
// Stronger than excusing everything after a tie: at the first difference, flip the crossover
// decision at one of the family's ties (the MA's value there moved to the other side of, or
// onto, the price) and recompute; keep the flip if it moves the first difference later. When
// no difference is left, every excused bar is proven to be the tie's doing.

interface Flip { family: Family; length: number; bar: number; gap: number; firstDiff: number }

function firstDifference(ours: Float64Array, theirs: Float64Array): number {
  for (let i = 0; i < ours.length; i++) if (!closeEnough(ours[i]!, theirs[i]!)) return i;
  return Infinity;
}

function replayTies(fixture: PineFixture, close: Float64Array, config: PineConfig, result: PineResult): { flips: Flip[]; left: string[] } {
  const n = close.length;
  const details = result.details!;
  const r = new Float64Array(n);
  pineScaledReturns(close, config.lambda / 1000, config.cutout, r);
  const d = 1 - config.decay / 100;
  const signals = Object.fromEntries(FAMILIES.map((f) => [f, details.maSignals[f].map((s) => s.slice())])) as FamilyRecord<Int8Array[]>;
  const equities = Object.fromEntries(FAMILIES.map((f) => [f, details.maEquities[f].map((e) => e.slice())])) as FamilyRecord<Float64Array[]>;
  const mas = Object.fromEntries(FAMILIES.map((f) => [f, details.movingAverages[f].map((m) => m.slice())])) as FamilyRecord<Float64Array[]>;
  const layer1 = { ...result.signals }, layer2 = { ...result.equities };
  const family = (f: Family) => {
    const rows = signals[f].length;
    const packedS = new Int8Array(rows * n), packedE = new Float64Array(rows * n);
    signals[f].forEach((s, k) => { packedS.set(s, k * n); packedE.set(equities[f][k]!, k * n); });
    const l1 = new Float64Array(n), l2 = new Float64Array(n);
    pineLayer1(packedS, packedE, l1);
    pineEquity(r, l1, config.weights[f], d, config.cutout, l2);
    return { l1, l2 };
  };
  const familyDiff = (f: Family, l1: Float64Array, l2: Float64Array) => {
    const name = REFERENCE_FAMILY_NAMES[f];
    return Math.min(firstDifference(l1, fixture.outputs[`${name}_Signal`]!), firstDifference(l2, fixture.outputs[`${name}_S`]!));
  };
  type TieAt = ReturnType<typeof crossoverTies>[number];
  /** The family recomputed with each tie's MA value moved to `moved` (on top of the flips kept so far). */
  const attempt = (f: Family, moves: { tie: TieAt; moved: number }[]) => {
    const changed = new Map<number, Float64Array>();
    for (const { tie, moved } of moves) {
      const k = config.lengths[f].indexOf(tie.length);
      if (!changed.has(k)) changed.set(k, mas[f][k]!.slice());
      changed.get(k)![tie.bar] = moved;
    }
    const kept = [...changed.keys()].map((k) => [k, signals[f][k]!, equities[f][k]!] as const);
    const newSignals = [...changed].map(([k, ma]) => {
      const signal = new Int8Array(n);
      crossoverSignal(close, ma, signal);
      return signal;
    });
    if (newSignals.every((signal, j) => signal.every((v, i) => v === kept[j]![1][i]))) return undefined; // decides nothing differently
    const rows = [...changed].map(([k, ma], j) => {
      const signal = newSignals[j]!;
      const equity = new Float64Array(n);
      pineEquity(r, signal, 1, d, config.cutout, equity);
      signals[f][k] = signal; equities[f][k] = equity;
      return { k, ma, signal, equity };
    });
    const { l1, l2 } = family(f);
    for (const [k, s, e] of kept) { signals[f][k] = s; equities[f][k] = e; }
    return { rows, l1, l2, diff: familyDiff(f, l1, l2), moves };
  };
  /** The three orders a tie can take: the MA on, just above or just below the price. */
  const orders = (tie: TieAt) => { const p = close[tie.bar]!; return [p, p * (1 + 2 ** -52), p * (1 - 2 ** -52)]; };
  /** Every way of deciding the given ties (several MAs can tie on the same flat bars). */
  const jointly = (ties: TieAt[]): { tie: TieAt; moved: number }[][] => ties.reduce<{ tie: TieAt; moved: number }[][]>(
    (acc, tie) => acc.flatMap((moves) => [moves, ...orders(tie).map((moved) => [...moves, { tie, moved }])]), [[]]).filter((m) => m.length > 0);

  const flips: Flip[] = [];
  const left: string[] = [];
  for (const f of FAMILIES) {
    let diff = familyDiff(f, layer1[f], layer2[f]);
    const ties = crossoverTies(close, result, f, config.lengths[f]);
    while (diff < Infinity) {
      const singles = ties.filter((t) => t.bar <= diff).reverse().slice(0, 12).flatMap((tie) => orders(tie).map((moved) => [{ tie, moved }]));
      const near = ties.filter((t) => t.bar >= diff - 1 && t.bar <= diff).slice(0, 5);
      let best: ReturnType<typeof attempt>;
      for (const moves of [singles, jointly(near)]) {
        for (const m of moves) {
          const a = attempt(f, m);
          if (a && a.diff > diff && (!best || a.diff > best.diff || (a.diff === best.diff && a.moves.length < best.moves.length))) best = a;
        }
        if (best) break; // joint decisions only when no single one explains the difference
      }
      if (!best) {
        left.push(`${REFERENCE_FAMILY_NAMES[f]} first differs at bar ${diff} and no tie decided otherwise fixes it`);
        break;
      }
      for (const row of best.rows) { mas[f][row.k] = row.ma; signals[f][row.k] = row.signal; equities[f][row.k] = row.equity; }
      layer1[f] = best.l1; layer2[f] = best.l2;
      for (const { tie } of best.moves) flips.push({ family: f, length: tie.length, bar: tie.bar, gap: tie.gap, firstDiff: diff });
      diff = best.diff;
    }
  }
  const average = new Float64Array(n);
  pineAverageSignal(FAMILIES.map((f) => layer1[f]), FAMILIES.map((f) => layer2[f]), average);
  const avgDiff = firstDifference(average, fixture.outputs.Average_Signal!);
  if (avgDiff < Infinity) left.push(`Average_Signal differs at bar ${avgDiff} after the flips`);
  return { flips, left };
}

// ---- tests ------------------------------------------------------------------------------------

const fixtureNames = existsSync(GOLDEN) ? readdirSync(GOLDEN).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort() : [];
if (fixtureNames.length === 0) console.warn(`pine.test: SKIPPED the golden tier: no fixtures at ${GOLDEN}`);

describe.skipIf(fixtureNames.length === 0)('Pine golden fixtures (../shared/golden/pine)', () => {
  it.each(fixtureNames)('%s', (name) => {
    const fixture = loadFixture(name);
    const close = loadCloses(fixture.dataset);
    expect(close.length).toBe(fixture.barsIn);
    const config = configFromInputs(fixture.params);
    const result = computePine(close, config, { details: true });
    const report = compare(fixture, close, config, result);
    console.log(describeReport(report));
    expect(report.naMismatches).toEqual([]);
    expect(report.unexplained).toEqual([]);
    expect(report.ties.length / report.bars).toBeLessThanOrEqual(MAX_TIE_RATE);
    const replay = replayTies(fixture, close, config, result);
    const widest = replay.flips.reduce((w, t) => ({ gap: Math.max(w.gap, t.gap), lag: Math.max(w.lag, t.firstDiff - t.bar) }), { gap: 0, lag: 0 });
    console.log([`  replay: ${replay.flips.length} tie decisions flipped (largest gap ${widest.gap.toExponential(2)}, difference at most ${widest.lag} bars after its tie) → ${replay.left.length === 0 ? 'all 13 outputs match on every bar' : 'still differs'}`,
      ...replay.flips.map((t) => `    flipped ${REFERENCE_FAMILY_NAMES[t.family]}[${t.length}] at bar ${t.bar} (gap ${t.gap.toExponential(2)}), first difference was bar ${t.firstDiff}`),
      ...replay.left.map((l) => `    LEFT: ${l}`)].join('\n'));
    expect(replay.left).toEqual([]);
  });
});

describe('Pine arithmetic, one difference at a time', () => {
  it('math.round(x, 2) rounds x·100 half away from zero, decided in doubles', () => {
    expect(pineRound2(0.125)).toBe(0.13);
    expect(pineRound2(-0.125)).toBe(-0.13); // the reference (half to even) gives −0.12
    expect(pineRound2(0.145)).toBe(0.14); // 0.145·100 = 14.499999999999998
    expect(pineRound2(-0.005)).toBe(-0.01);
    expect(pineRound2(0.3349)).toBe(0.33);
    expect(pineRound2(1)).toBe(1);
    expect(pineRound2(NaN)).toBeNaN();
  });

  it('KAMA starts from 0 and creeps by 0.064² while the noise sum is na', () => {
    const x = Float64Array.from([10, 11, 12, 11, 13, 14]);
    const out = new Float64Array(x.length);
    pineKama(x, 3, out);
    let k = 0;
    for (let i = 0; i < 3; i++) {
      k = k + 0.064 * 0.064 * (x[i]! - k);
      expect(out[i]).toBe(k);
    }
    expect(out[0]).toBe(0.064 * 0.064 * 10);
    // bar 3: noise = |11−10|+|12−11|+|11−12| = 3, signal = |11−10| = 1
    const t = (1 / 3) * (0.666 - 0.064) + 0.064;
    expect(out[3]).toBe(k + t * t * (11 - k));
  });

  it('DEMA (TradingView/ta) starts at bar 2L−2 with 2·E1 − SMA-seeded EMA(E1)', () => {
    const x = Float64Array.from({ length: 12 }, (_, i) => 100 + ((i * 7) % 5));
    const out = new Float64Array(x.length);
    pineDema(x, 4, out);
    for (let i = 0; i < 6; i++) expect(out[i]).toBeNaN();
    const e1: number[] = [];
    let e = (x[0]! + x[1]! + x[2]! + x[3]!) / 4;
    e1[3] = e;
    for (let i = 4; i < 12; i++) e1[i] = e = 0.4 * x[i]! + 0.6 * e;
    let e2 = (e1[3]! + e1[4]! + e1[5]! + e1[6]!) / 4;
    expect(out[6]).toBeCloseTo(2 * e1[6]! - e2, 12);
    for (let i = 7; i < 12; i++) {
      e2 = 0.4 * e1[i]! + 0.6 * e2;
      expect(out[i]).toBeCloseTo(2 * e1[i]! - e2, 12);
    }
  });

  it('ta.linreg(x, L, 0) is the fitted line at the newest bar of the window', () => {
    const x = Float64Array.from({ length: 10 }, (_, i) => 3 + 2 * i); // a line: the fit is exact
    const out = new Float64Array(x.length);
    pineLinreg(x, 5, out);
    for (let i = 0; i < 4; i++) expect(out[i]).toBeNaN();
    for (let i = 4; i < 10; i++) expect(out[i]).toBeCloseTo(x[i]!, 12); // the reference gives x[i] − 2
  });

  it('equity keeps the last `a` while the previous signal is 0 (var float a)', () => {
    const r = Float64Array.from([NaN, 0.1, 0.2, 0.3, 0.4]);
    const signal = Int8Array.from([1, 0, 0, -1, 0]);
    const out = new Float64Array(5);
    pineEquity(r, signal, 1, 1, 0, out);
    // bar 1: a = r1 (sig[0] = 1); bars 2–3: sig 0 keeps a = 0.1; bar 4: sig[3] = −1 → a = −0.4
    expect(Array.from(out)).toEqual([1, 1.1, 1.1 * 1.1, 1.1 * 1.1 * 1.1, 1.1 * 1.1 * 1.1 * 0.6]);
  });

  it('equity starts at the cutout bar, where `a` already takes that bar’s return', () => {
    const r = Float64Array.from([NaN, 0.1, 0.2, 0.3]);
    const signal = Int8Array.from([0, 1, 0, 0]);
    const out = new Float64Array(4);
    pineEquity(r, signal, 2, 1, 2, out);
    // bar 2: e = 2, a = r2 = 0.2 (sig[1] = 1); bar 3: sig[2] = 0 keeps a = 0.2
    expect(Array.from(out)).toEqual([NaN, NaN, 2, 2.4]);
  });

  it('entries: a threshold cross is an entry only against the remembered direction', () => {
    const x = Float64Array.from([NaN, 0, 0.2, 0, 0.3, -0.2, 0, -0.3, 0.2, 0.2, 0.05, 0.2]);
    const out = entrySignals(x, 0.1, -0.1, false);
    // bar 2 only arms direction = 1; bar 4 crosses up again (same direction): no entry;
    // bar 5 crosses down against 1: short; bar 7 crosses down again: none; bar 8 long;
    // bar 11 crosses up again while direction is already 1: none.
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, -1, 0, 0, 1, 0, 0, 0]);
    const shifted = entrySignals(x, 0.1, -0.1, true);
    expect(Array.from(shifted)).toEqual([0, 0, 0, 0, 0, 0, -1, 0, 0, 1, 0, 0]);
  });

  it('outputs are full length with na only before the cutout', () => {
    const close = Float64Array.from({ length: 200 }, (_, i) => 100 + 10 * Math.sin(i / 7) + i / 10);
    const config = configFromInputs({ cutout: 60, ema_len: 20, hull_len: 20, wma_len: 20, dema_len: 20, lsma_len: 20, kama_len: 20 });
    const result = computePine(close, config);
    for (const series of [...Object.values(result.signals), ...Object.values(result.equities), result.averageSignal]) {
      expect(series.length).toBe(200);
      for (let i = 0; i < 200; i++) expect(Number.isNaN(series[i]!), `bar ${i}`).toBe(i < 60);
    }
  });
});

/** The pipeline from the single-job kernels, one array per step (what the fused pass must equal). */
function composedPine(close: Float64Array, config: PineConfig, source = close): PineResult {
  const n = close.length;
  const r = new Float64Array(n);
  pineScaledReturns(close, config.lambda / 1000, config.cutout, r);
  const d = 1 - config.decay / 100;
  const signals = {} as FamilyRecord<Float64Array>, equities = {} as FamilyRecord<Float64Array>;
  for (const family of FAMILIES) {
    const rows = config.lengths[family].length;
    const s = new Int8Array(rows * n), e = new Float64Array(rows * n);
    config.lengths[family].forEach((length, k) => {
      const ma = new Float64Array(n);
      pineMovingAverage(family, source, length, ma);
      crossoverSignal(close, ma, s.subarray(k * n, (k + 1) * n));
      pineEquity(r, s.subarray(k * n, (k + 1) * n), 1, d, config.cutout, e.subarray(k * n, (k + 1) * n));
    });
    signals[family] = new Float64Array(n);
    pineLayer1(s, e, signals[family]);
    equities[family] = new Float64Array(n);
    pineEquity(r, signals[family], config.weights[family], d, config.cutout, equities[family]);
  }
  const averageSignal = new Float64Array(n);
  pineAverageSignal(FAMILIES.map((f) => signals[f]), FAMILIES.map((f) => equities[f]), averageSignal);
  return { signals, equities, averageSignal };
}

describe('the fused Pine pass', () => {
  const walk = (n: number, seed: number) => {
    let x = seed, p = 100;
    return Float64Array.from({ length: n }, () => {
      x = (x * 16807) % 2147483647;
      p *= 1 + ((x / 2147483647) - 0.5) * 0.02;
      return Math.round(p * 100) / 100; // cents: flat runs and exact ties happen
    });
  };
  it.each([
    ['random walk, defaults', walk(3000, 7), {}],
    ['random walk, cutout 150, short lengths, weights', walk(2000, 11), { cutout: 150, ema_len: 6, hull_len: 7, wma_len: 8, dema_len: 9, lsma_len: 10, kama_len: 11, ema_w: 2, kama_w: 0.1 }],
    ['series shorter than the longest MA', walk(30, 3), { robustness: 'Wide' as Robustness }],
    ['cutout past the end', walk(100, 5), { cutout: 200 }],
  ])('equals the composed kernels bit for bit: %s', (_, close, params) => {
    const config = configFromInputs(params);
    const fused = computePine(close, config);
    const composed = composedPine(close, config);
    for (const family of FAMILIES) {
      expect(Array.from(fused.signals[family])).toEqual(Array.from(composed.signals[family]));
      expect(Array.from(fused.equities[family])).toEqual(Array.from(composed.equities[family]));
    }
    expect(Array.from(fused.averageSignal)).toEqual(Array.from(composed.averageSignal));
  });

  it('feeds `source` to the MAs only: R and the crossovers use close (the script\'s `src` input)', () => {
    const close = walk(1500, 13);
    const source = close.map((c, i) => c * (1 + 0.003 * Math.sin(i))); // e.g. hl2
    const config = configFromInputs({});
    const fused = computePine(close, config, { source });
    const composed = composedPine(close, config, source);
    expect(Array.from(fused.averageSignal)).toEqual(Array.from(composed.averageSignal));
    expect(Array.from(fused.averageSignal)).not.toEqual(Array.from(computePine(close, config).averageSignal));
    expect(() => computePine(close, config, { source: source.subarray(1) })).toThrow(RangeError);
  });
});
