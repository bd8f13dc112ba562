import { UnrecoverableError } from 'bullmq';

/**
 * A problem the user can fix (Redis unreachable, refused credentials, a run that cannot
 * complete): one line, never containing a password. The CLI prints it as it prints its own.
 */
export class ClusterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterError';
  }
}

/**
 * A job whose payload is not one this worker accepts (shape, sizes, numbers, a path outside
 * the root): failing it again cannot help, so BullMQ fails it at once, without retries.
 */
export class InvalidJobError extends UnrecoverableError {
  constructor(message: string) {
    super(`invalid job: ${message}`);
    this.name = 'InvalidJobError';
  }
}
