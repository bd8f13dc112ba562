// One bench worker process: @adaptive-trend/cluster's runWorker on the native backend (js when
// native is not built), one thread per job (the worker processes are the parallelism).
// Argv: <queue url>. Password from ATC_REDIS_PASSWORD. Prints "ready" once it takes jobs.
import { runWorker } from '@adaptive-trend/cluster';

const backend = process.env.BENCH_BACKEND ?? 'native';
await import(`@adaptive-trend/backend-${backend}`);
const worker = await runWorker({ queue: process.argv[2], backend, threads: 1, concurrency: 1 });
console.log('ready');
process.once('SIGTERM', () => void worker.close().then(() => process.exit(0)));
