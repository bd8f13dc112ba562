// The parts that need no Redis: the backtest, the grid, the job checks, paths, the address.
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClusterError, InvalidJobError, backtest, chunksOf, decodePrices, encodePrices, jobId, parseGrid, parseQueueUrl, pathInRoot, realRoot, redact, relativeToRoot, validateJob } from '../src/index.js';

describe('backtest', () => {
  it('holds the sign of the previous bar\'s signal, in the documented order of operations', () => {
    const prices = Float64Array.of(100, 110, 99, 99, 120, 60);
    const signal = Float64Array.of(0.5, -0.2, -0.3, NaN, 1, 1);
    // bar 1: position sign(0.5)=+1, r=0.1 → 1.1; bar 2: −1, r=−0.1 → 1.21; bar 3: −1, r=0 → 1.21;
    // bar 4: flat (NaN); bar 5: +1, r=−0.5 → 0.605.
    let equity = 1;
    equity = Math.max(0, equity * (1 + 1 * (110 / 100 - 1)));
    equity = Math.max(0, equity * (1 + -1 * (99 / 110 - 1)));
    equity = Math.max(0, equity * (1 + -1 * (99 / 99 - 1)));
    const peak = equity;
    equity = Math.max(0, equity * (1 + 1 * (60 / 120 - 1)));
    const score = backtest(prices, signal, 0);
    expect(Object.is(score.totalReturn, equity - 1)).toBe(true);
    expect(Object.is(score.maxDrawdown, (peak - equity) / peak)).toBe(true);
    expect(score.trades).toBe(3); // long, flip to short, long again after the flat bar
  });

  it('a short that loses everything stops at zero; output bar j is input bar firstBar + j', () => {
    expect(backtest(Float64Array.of(1, 3), Float64Array.of(-1), 0)).toEqual({ totalReturn: -1, maxDrawdown: 1, trades: 1 });
    // With firstBar 2 the first two prices have no signal: only 5 → 10 is traded, on signal[0].
    expect(backtest(Float64Array.of(1, 100, 5, 10), Float64Array.of(1, 1), 2)).toEqual({ totalReturn: 1, maxDrawdown: 0, trades: 1 });
  });
});

describe('parseGrid', () => {
  it('is the cartesian product, first flag slowest, values typed by the config key', () => {
    expect(parseGrid(['lambda=0.01,0.02', 'robustness=Narrow,Wide', 'strategy-mode=true'])).toEqual([
      { lambda: 0.01, robustness: 'Narrow', strategyMode: true },
      { lambda: 0.01, robustness: 'Wide', strategyMode: true },
      { lambda: 0.02, robustness: 'Narrow', strategyMode: true },
      { lambda: 0.02, robustness: 'Wide', strategyMode: true },
    ]);
  });

  it('refuses unknown keys, bad values, repeats', () => {
    expect(() => parseGrid(['lamda=1'])).toThrow(ClusterError);
    expect(() => parseGrid(['lambda=x'])).toThrow(/x is not a number/);
    expect(() => parseGrid(['robustness=Huge'])).toThrow(/one of Narrow, Medium, Wide/);
    expect(() => parseGrid(['lambda=1', 'lambda=2'])).toThrow(/given twice/);
    expect(() => parseGrid(['emaLength=1,2,3,4,5,6,7,8,9,10,11', ...['hma', 'wma', 'dema', 'lsma', 'kama'].map((f) => `${f}-length=${Array.from({ length: 10 }, (_, i) => i + 1).join(',')}`)])).toThrow(/more than 1000000 configs/);
  });
});

describe('job payloads', () => {
  it('prices round-trip bit for bit (base64 of little-endian float64)', () => {
    const prices = Float64Array.of(0.1, 1e-300, 123456.789, Number.MIN_VALUE, 2 ** 53 + 2);
    const back = decodePrices(encodePrices(prices), 'p');
    expect(back.length).toBe(prices.length);
    for (let i = 0; i < prices.length; i++) expect(Object.is(back[i], prices[i])).toBe(true);
    expect(() => decodePrices('AAAA', 'p')).toThrow('p: 3 bytes is not a whole number of float64 values');
  });

  it('validateJob names the first bad field', () => {
    const input = { kind: 'series', series: [{ file: 'a.csv', prices: encodePrices(Float64Array.of(1, 2)), lastClose: 2 }] };
    expect(validateJob({ format: 1, task: 'scan', config: { lambda: 0.02 }, input }).task).toBe('scan');
    const bad = (data: unknown) => {
      try {
        validateJob(data);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidJobError);
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(bad(null)).toBe('invalid job: payload: must be an object');
    expect(bad({ format: 1, task: 'mine', input })).toBe("invalid job: task: must be 'scan' or 'sweep'");
    expect(bad({ format: 1, task: 'scan', config: { lambda: '0.02'.repeat(20) }, input })).toMatch(/config\.lambda: must be a finite number, a boolean or a short string/);
    expect(bad({ format: 1, task: 'scan', config: { ['__proto__x']: 1 }, input })).toMatch(/config\.__proto__x/);
    expect(bad({ format: 1, task: 'scan', config: {}, input: { ...input, series: [{ ...input.series[0], lastClose: NaN }] } })).toBe('invalid job: input.series[0].lastClose: must be a finite number');
    expect(bad({ format: 1, task: 'scan', config: {}, input: { ...input, series: [{ ...input.series[0], file: 'a\0b' }] } })).toMatch(/input\.series\[0\]\.file: must be a non-empty string/);
    expect(bad({ format: 1, task: 'sweep', configs: [], input })).toBe('invalid job: configs: must hold 1–10000 entries, got 0');
    expect(bad({ format: 1, task: 'scan', config: {}, input: { kind: 'files', files: ['a.csv'], source: '../x', closedOnly: false } })).toMatch(/input\.source/);
  });

  it('job ids come from (task, run id, chunk); chunks keep order', () => {
    expect(jobId('scan', 'r1', 7)).toBe('scan.r1.7');
    expect(chunksOf([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(() => chunksOf([1], 0)).toThrow(ClusterError);
  });
});

describe('paths under a root', () => {
  it('accepts files inside, refuses .., absolute paths and links out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atc-root-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'a.csv'), 'x');
    symlinkSync(join(dir, 'sub', 'a.csv'), join(dir, 'inside-link.csv'));
    symlinkSync(tmpdir(), join(dir, 'out'));
    const root = realRoot(dir);
    expect(pathInRoot(root, 'sub/a.csv')).toBe(join(root, 'sub', 'a.csv'));
    expect(pathInRoot(root, 'inside-link.csv')).toBe(join(root, 'sub', 'a.csv'));
    expect(pathInRoot(root, 'sub/../sub/missing.csv')).toBe(join(root, 'sub', 'missing.csv'));
    expect(() => pathInRoot(root, '../x.csv')).toThrow(/outside the worker's --root/);
    expect(() => pathInRoot(root, 'sub/../../x.csv')).toThrow(/outside/);
    expect(() => pathInRoot(root, '/etc/passwd')).toThrow(/absolute path/);
    expect(() => pathInRoot(root, 'out/anything')).toThrow(/a link to outside/);
    expect(relativeToRoot(dir, join(dir, 'sub', 'a.csv'))).toBe('sub/a.csv');
    expect(() => relativeToRoot(dir, '/etc/passwd')).toThrow(ClusterError);
    expect(() => realRoot(join(dir, 'nope'))).toThrow(/no such directory/);
  });
});

describe('queue address', () => {
  it('parses redis:// and rediss://, shows no credentials, scrubs the password from messages', () => {
    const a = parseQueueUrl('redis://:p%40ss@10.0.0.5:6380/3', {});
    expect(a.redis).toEqual({ host: '10.0.0.5', port: 6380, db: 3, password: 'p@ss' });
    expect(a.display).toBe('redis://10.0.0.5:6380/3');
    expect(redact('AUTH p@ss failed', a)).toBe('AUTH *** failed');
    expect(parseQueueUrl('redis://h', {}).redis).toEqual({ host: 'h', port: 6379, db: 0 });
    expect(() => parseQueueUrl('redis://h/99', {})).toThrow(/database number/);
    expect(() => parseQueueUrl('redis://h?name=a:b', {})).toThrow(/\?name=/);
    expect(() => parseQueueUrl('not a url', {})).toThrow(/must be a URL/);
  });
});
