/**
 * `@adaptive-trend/cluster`: ATC scans and parameter sweeps spread over worker processes on any
 * number of machines, through BullMQ jobs on Redis (retries with backoff, stalled-job recovery,
 * idempotent job ids). The CLI's `worker`, `scan --queue` and `sweep` commands use it.
 * @packageDocumentation
 */
export { type BacktestScore, backtest } from './backtest.js';
export { type ChunkContext, type ScanChunkResult, type ScanItem, type ScanReader, type SeriesInput, type SweepChunkResult, type SweepItem, runScanChunk, runSweepChunk } from './chunk.js';
export { DEFAULT_QUEUE_NAME, type QueueAddress, checkRedis, describeRedisError, parseQueueUrl, redact } from './connection.js';
export { ClusterError, InvalidJobError } from './errors.js';
export { type ClusterJob, type ConfigObject, JOB_FORMAT, JOB_LIMITS, type JobInput, type ScanJob, type SeriesItem, type SweepJob, configObject, decodePrices, encodePrices, validateJob } from './payload.js';
export { type ChunkOutcome, type RunOptions, jobId, runChunks } from './producer.js';
export { pathInRoot, realRoot, relativeToRoot } from './root.js';
export { type DistributedScanInput, type DistributedScanOptions, chunksOf, distributedScan } from './scan.js';
export { type LoadedSeries, type ScanReport, type ScanRow, barsSinceFlip, rank, rowOf } from './scan-report.js';
export { MAX_GRID, type SweepConfigRow, type SweepOptions, type SweepReport, type SweepSymbolRow, parseGrid, sweep } from './sweep.js';
export { SWEEP_FORMATS, type SweepFormat, formatSweep } from './sweep-format.js';
export { type RunningWorker, type WorkerOptions, runWorker } from './worker.js';
