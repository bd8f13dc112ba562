// Resource safety: 100 000 calls per backend keep RSS bounded (generous threshold) and the
// wasm linear memory constant. The numbers are printed for the record.
import { backendFactory as jsFactory } from '@adaptive-trend/backend-js';
import { backendFactory as nativeFactory } from '@adaptive-trend/backend-native';
import { type WasmBackend, backendFactory as wasmFactory } from '@adaptive-trend/backend-wasm';
import { smokeSeries } from '@adaptive-trend/conformance';
import { AtcEngine } from '@adaptive-trend/core';
import { describe, expect, it } from 'vitest';

const CALLS = Number(process.env.ATC_RESOURCE_CALLS ?? 100_000);
const prices = smokeSeries().subarray(0, 60);
const MiB = 2 ** 20;

describe(`resource safety (${CALLS} calls per backend)`, () => {
  for (const factory of [nativeFactory, wasmFactory, jsFactory]) {
    it(`${factory.name}: RSS and linear memory stay bounded`, async () => {
      const backend = await factory.load();
      const engine = new AtcEngine(backend);
      const memory = factory.name === 'wasm' ? (backend as WasmBackend).memory : undefined;
      // Warm-up in both shapes the loop uses (a details call needs more scratch the first time).
      for (let i = 0; i < 2000; i++) engine.compute(prices, undefined, { details: (i & 1023) === 0 });
      globalThis.gc?.();
      const rssBefore = process.memoryUsage().rss;
      const wasmBefore = memory?.buffer.byteLength;
      const expected = engine.compute(prices).averageSignal;
      let last = expected;
      for (let i = 0; i < CALLS; i++) last = engine.compute(prices, undefined, { details: (i & 1023) === 0 }).averageSignal;
      globalThis.gc?.();
      const rssAfter = process.memoryUsage().rss;
      console.log(
        `${factory.name}: ${CALLS} calls, RSS ${(rssBefore / MiB).toFixed(1)} → ${(rssAfter / MiB).toFixed(1)} MiB` +
          (memory ? `, wasm memory ${wasmBefore! / MiB} → ${memory.buffer.byteLength / MiB} MiB` : ''),
      );
      expect(last).toEqual(expected);
      expect(rssAfter - rssBefore).toBeLessThan(128 * MiB);
      if (memory) expect(memory.buffer.byteLength).toBe(wasmBefore);
    }, 300_000);
  }
});
