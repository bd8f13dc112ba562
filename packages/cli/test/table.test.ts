import { describe, expect, it } from 'vitest';
import { formatTable } from '../src/table.js';

describe('formatTable', () => {
  it('aligns numbers right, text left', () => {
    expect(formatTable(['sym', 'x'], [['a', '1.5'], ['bbb', '10']])).toBe('sym    x\na    1.5\nbbb   10');
  });
  it('handles a long series (no argument spreading per row)', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => [String(i)]);
    expect(formatTable(['bar'], rows).split('\n')).toHaveLength(200_001);
  });
});
