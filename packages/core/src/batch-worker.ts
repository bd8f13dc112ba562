// Worker side of `engine.computeBatch` for backends without native threads (js, wasm): loads
// the same backend module in this thread, then computes each series it is sent.
import { parentPort, workerData } from 'node:worker_threads';
import type { BackendFactory } from './backend.js';
import type { WorkerInputError } from './batch.js';
import type { ResolvedAtcConfig } from './config.js';
import { AtcInputError } from './errors.js';
import { allocateBuffers, runPipeline } from './pipeline.js';
import { outputBars } from './semantics.js';

interface WorkerSetup {
  readonly moduleUrl: string;
  readonly loadOptions: unknown;
}
interface Task {
  readonly index: number;
  readonly prices: Float64Array;
  readonly config: ResolvedAtcConfig;
  readonly label: string;
}

const setup = workerData as WorkerSetup;
const mod = (await import(setup.moduleUrl)) as { backendFactory: BackendFactory };
const backend = await mod.backendFactory.load(setup.loadOptions);

parentPort!.on('message', (task: Task) => {
  try {
    const bars = outputBars(task.config, task.prices.length);
    const buffers = allocateBuffers(bars, false);
    runPipeline(backend, task.prices, task.config, buffers, task.label);
    parentPort!.postMessage({ index: task.index, outputs: buffers.outputs }, [buffers.outputs.buffer as ArrayBuffer]);
  } catch (error) {
    if (error instanceof AtcInputError) {
      const prefix = `${error.field}: `;
      const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
      const inputError: WorkerInputError = { code: error.code, field: error.field, message, index: error.index };
      return parentPort!.postMessage({ index: task.index, inputError });
    }
    parentPort!.postMessage({ index: task.index, error: error instanceof Error ? error.message : String(error) });
  }
});
parentPort!.postMessage({ ready: true });
