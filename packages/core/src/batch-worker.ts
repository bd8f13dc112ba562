// Worker side of `engine.computeBatch` for backends without native threads (js, wasm): loads
// the backend module once, then computes chunk after chunk. A chunk is several series packed in
// one buffer; their outputs go into the ArrayBuffer that came with it, transferred back (no copy),
// and so does the prices buffer, for the calling thread to pack a later chunk into.
import { parentPort, workerData } from 'node:worker_threads';
import type { BackendFactory } from './backend.js';
import { type ChunkReply, type ChunkTask, type WorkerInputError, outputsBuffer } from './batch.js';
import { AtcInputError } from './errors.js';
import { OUTPUT_ROWS, allocateBuffers, runPipeline } from './pipeline.js';
import { outputBars } from './semantics.js';
import type { WorkerSpec } from './worker-pool.js';

const setup = workerData as WorkerSpec;
const mod = (await import(setup.moduleUrl)) as { backendFactory: BackendFactory };
const backend = await mod.backendFactory.load(setup.loadOptions);

function computeChunk(task: ChunkTask): { reply: ChunkReply; transfer: ArrayBuffer[] } {
  const { config, lengths, prices, first } = task;
  let values = 0;
  for (const n of lengths) values += OUTPUT_ROWS * outputBars(config, n);
  // Not zeroed: every value is written below, or the chunk fails and the buffer is dropped.
  const bytes = values * Float64Array.BYTES_PER_ELEMENT;
  const outputs = task.outputs?.byteLength === bytes ? task.outputs : outputsBuffer(backend, bytes);
  let inAt = 0;
  let outAt = 0;
  let k = 0;
  try {
    for (; k < lengths.length; k++) {
      const n = lengths[k]!;
      const size = OUTPUT_ROWS * outputBars(config, n);
      const buffers = allocateBuffers(0, false, new Float64Array(outputs, outAt * Float64Array.BYTES_PER_ELEMENT, size));
      runPipeline(backend, prices.subarray(inAt, inAt + n), config, buffers, `series[${first + k}]`);
      inAt += n;
      outAt += size;
    }
  } catch (error) {
    const index = first + k;
    if (error instanceof AtcInputError) {
      const prefix = `${error.field}: `;
      const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
      const inputError: WorkerInputError = { code: error.code, field: error.field, message, index: error.index };
      return { reply: { id: task.id, failed: index, inputError }, transfer: [] };
    }
    return { reply: { id: task.id, failed: index, error: error instanceof Error ? error.message : String(error) }, transfer: [] };
  }
  // The prices buffer goes back too: the calling thread packs its next chunk into it.
  const back = prices.buffer as ArrayBuffer;
  return { reply: { id: task.id, outputs, prices: back }, transfer: [outputs, back] };
}

parentPort!.on('message', (task: ChunkTask) => {
  const { reply, transfer } = computeChunk(task);
  parentPort!.postMessage(reply, transfer);
});
