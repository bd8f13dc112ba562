import { ClusterError } from '@adaptive-trend/cluster';
import { CliError } from '../errors.js';

/** Runs `body`, turning the cluster's user-facing errors into the CLI's one-line errors. */
export async function clusterCall<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof ClusterError) throw new CliError(error.message);
    throw error;
  }
}
