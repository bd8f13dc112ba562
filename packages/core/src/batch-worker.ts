// Worker side of `engine.computeBatch` for backends without native threads (js, wasm): loads
// the same backend module in this thread, then computes each series it is sent.
import { parentPort, workerData } from 'node:worker_threads';
import type { BackendFactory } from './backend.js';
import type { ResolvedAtcConfig } from './config.js';
import { allocateBuffers, composeAtc } from './pipeline.js';

interface WorkerSetup {
  readonly moduleUrl: string;
  readonly loadOptions: Record<string, unknown>;
}
interface Task {
  readonly index: number;
  readonly prices: Float64Array;
  readonly config: ResolvedAtcConfig;
}

const setup = workerData as WorkerSetup;
const mod = (await import(setup.moduleUrl)) as { backendFactory: BackendFactory };
const backend = await mod.backendFactory.load(setup.loadOptions);

parentPort!.on('message', (task: Task) => {
  try {
    const bars = task.prices.length - task.config.cutout;
    const buffers = allocateBuffers(bars, false);
    if (backend.computeAtc) backend.computeAtc(task.prices, task.config, buffers);
    else composeAtc(backend, task.prices, task.config, buffers);
    parentPort!.postMessage({ index: task.index, outputs: buffers.outputs }, [buffers.outputs.buffer as ArrayBuffer]);
  } catch (error) {
    parentPort!.postMessage({ index: task.index, error: error instanceof Error ? error.message : String(error) });
  }
});
parentPort!.postMessage({ ready: true });
