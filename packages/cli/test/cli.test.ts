import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

  describe('errors from the built command are one line naming the file, exit code non-zero', () => {
    const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
    const cli = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', env: { ...process.env, ATC_BACKEND: 'js' } });
    const dir = mkdtempSync(join(tmpdir(), 'atc-cli-'));
    const cases: [string, string[], RegExp, number][] = [
      ['a missing file', ['/missing.csv'], /^adaptive-trend: cannot read \/missing\.csv: no such file$/, 1],
      ['a directory', [dir], /^adaptive-trend: cannot read .*: is a directory, not a CSV file$/, 1],
      ['an unknown option', ['--frobnicate'], /^adaptive-trend: unknown option --frobnicate/, 2],
      ['two files', ['a.csv', 'b.csv'], /^adaptive-trend: expected at most one file/, 2],
    ];
    it.each(cases)('%s', (_, args, message, exitCode) => {
      const run = cli(...args);
      expect(run.status).toBe(exitCode);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr.trim()).toMatch(message);
    });
    it('a cell that is not a number names the file and the line', () => {
      const file = join(dir, 'bad.csv');
      writeFileSync(file, 'close\n1\n2\nabc\n');
      const run = cli(file);
      expect(run.status).toBe(1);
      expect(run.stderr.trim()).toBe(`adaptive-trend: ${file}: line 4: "abc" is not a number`);
    });
  });
});
