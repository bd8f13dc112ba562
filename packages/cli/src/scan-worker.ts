// One scan worker: reads and parses its share of the files (see loadScanInputs) and sends back
// the validated series, transferring their buffers instead of copying them.
import { parentPort, workerData } from 'node:worker_threads';
import { type ScanInput, type ScanLoadOptions, loadScanInput } from './scan-load.js';

const { files, options } = workerData as { files: string[]; options: ScanLoadOptions };
const inputs: ScanInput[] = [];
for (const file of files) {
  inputs.push(loadScanInput(file, options));
  parentPort!.postMessage({ progress: 1 });
}
const buffers = inputs.flatMap((input) => ('prices' in input ? [input.prices.buffer as ArrayBuffer] : []));
parentPort!.postMessage({ inputs }, buffers);
