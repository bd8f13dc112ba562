import { AtcInputError } from '@adaptive-trend/core';
import { describe, expect, it, vi } from 'vitest';
import { parseCloses, runCli, sampleSeries } from '../src/index.js';

describe('cli', () => {
  it('the synthetic sample is deterministic, positive and long enough', () => {
    const a = sampleSeries();
    expect(a.length).toBe(1500);
    expect(a).toEqual(sampleSeries());
    expect(Math.min(...a)).toBeGreaterThan(0);
  });
  it('parses the close column, or the last column without a header', () => {
    expect([...parseCloses('timestamp,open,close\n1,2,3\n4,5,6\n')]).toEqual([3, 6]);
    expect([...parseCloses('1.5\n2.5\n\n')]).toEqual([1.5, 2.5]);
    expect(() => parseCloses('a,b\n1,2')).toThrow(AtcInputError);
    expect(() => parseCloses('close\n1\nx\n')).toThrow(/line 3/);
  });
  it('prints the last bar and the backend that ran', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(await runCli([], { backend: 'js' })).toBe(0);
    const out = log.mock.calls.map((c) => String(c[0])).join('\n');
    log.mockRestore();
    expect(out).toMatch(/backend: js/);
    expect(out).toMatch(/Average_Signal: -?\d\.\d{6}/);
    expect(out).toMatch(/KAMA/);
  });
});
