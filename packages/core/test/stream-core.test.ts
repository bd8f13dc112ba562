// What core decides for a stream before any backend is reached: close validation, the growth
// rule before a step, streams refused on a backend without them, set sizes. The arithmetic is
// the backends' and is held to `compute` by the conformance suite's tier s.
import { describe, expect, it } from 'vitest';
import { AtcEngine, AtcInputError, type BackendStream, growthOverflowBar, resolveConfig } from '../src/index.js';
import { createSpyBackend } from './spy-backend.js';

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof AtcInputError) return e.code;
    throw e;
  }
  return 'no error';
}

/** A backend stream that claims `length` bars and records every step it is asked for. */
function fakeStream(length: number, calls: string[]): BackendStream {
  return {
    length,
    push: () => (calls.push('push'), 0),
    replaceLast: () => (calls.push('replaceLast'), 0),
    pushMany: () => (calls.push('pushMany'), -1),
    exportState: () => new Float64Array(0),
  };
}

describe('streams in core', () => {
  it('refuses a step into the growth overflow before the backend is called', () => {
    const calls: string[] = [];
    const first = growthOverflowBar(0.5);
    const backend = { ...createSpyBackend(), semantics: ['reference', 'pine'] as const, createStream: () => fakeStream(first + 3, calls), createStreamSet: () => { throw new Error('unused'); } };
    const stream = new AtcEngine(backend).stream({ lambda: 0.5, cutout: 3 });
    expect(codeOf(() => stream.push(100))).toBe('GROWTH_OVERFLOW');
    expect(codeOf(() => stream.pushMany([100, 101]))).toBe('GROWTH_OVERFLOW');
    const below = new AtcEngine({ ...backend, createStream: () => fakeStream(first + 2, calls) }).stream({ lambda: 0.5, cutout: 3 });
    below.push(100);
    expect(calls).toEqual(['push']);
  });

  it('validates closes and counts before dispatch', () => {
    const calls: string[] = [];
    const backend = { ...createSpyBackend(), semantics: ['reference'] as const, createStream: () => fakeStream(0, calls), createStreamSet: () => { throw new Error('unused'); } };
    const engine = new AtcEngine(backend);
    const stream = engine.stream();
    for (const bad of [NaN, -1, 0, Infinity, '1', null, undefined, 1n]) expect(codeOf(() => stream.push(bad as number))).toMatch(/NON_FINITE_VALUE|NON_POSITIVE_PRICE|INVALID_TYPE/);
    expect(codeOf(() => stream.replaceLast(100))).toBe('EMPTY_STREAM');
    for (const count of [0, -1, 1.5, NaN, '3']) expect(codeOf(() => engine.streams(count as number))).toBe('INVALID_OPTION');
    expect(codeOf(() => engine.stream({ semantics: 'pine' }))).toBe('UNSUPPORTED_SEMANTICS');
    expect(calls).toEqual([]);
  });

  it('refuses streams on a backend that has none', () => {
    const engine = new AtcEngine(createSpyBackend());
    expect(codeOf(() => engine.stream())).toBe('UNSUPPORTED_STREAMING');
    expect(codeOf(() => engine.streams(3))).toBe('UNSUPPORTED_STREAMING');
    expect(resolveConfig().semantics).toBe('reference');
  });
});
