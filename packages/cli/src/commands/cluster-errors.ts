import { CliError } from '../errors.js';

/** The cluster package. */
export type Cluster = typeof import('@adaptive-trend/cluster');

/**
 * Loads `@adaptive-trend/cluster` only for the commands that use it: importing it loads bullmq
 * and ioredis (~150 ms), which every other command, and `scan`'s speed, should not pay.
 */
export const loadCluster = (): Promise<Cluster> => import('@adaptive-trend/cluster');

/** Runs `body` with the cluster package, turning its user-facing errors into the CLI's one-line errors. */
export async function clusterCall<T>(body: (cluster: Cluster) => Promise<T> | T): Promise<T> {
  const cluster = await loadCluster();
  try {
    return await body(cluster);
  } catch (error) {
    if (error instanceof cluster.ClusterError) throw new CliError(error.message);
    throw error;
  }
}
