// A worker process as `adaptive-trend worker` will run it: the cluster's runWorker with the
// CLI's file reader. Argv: <queue url> <root>. Password from ATC_REDIS_PASSWORD. SLOW_MS (tests
// only) makes each file read take that long, so a test can kill the worker in mid-job.
import { runWorker } from '../dist/index.js';
import { loadScanInput } from '../../cli/dist/scan-load.js';

const [queue, root] = process.argv.slice(2);
const slowMs = Number(process.env.SLOW_MS ?? 0);
const reader = {
  async loadScanInput(file, options) {
    if (slowMs > 0) await new Promise((done) => setTimeout(done, slowMs));
    return loadScanInput(file, options);
  },
};
const worker = await runWorker({
  queue,
  root,
  reader,
  backend: 'js',
  lockDurationMs: Number(process.env.LOCK_MS ?? 30_000),
  log: (line) => console.log(line),
});
process.once('SIGTERM', () => {
  void worker.close().then(() => process.exit(0));
});
