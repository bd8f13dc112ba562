/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/**
 * `work`, or an Error with code ETIMEDOUT after `ms`. The work itself is left to finish or fail
 * unobserved (Redis clients queue commands and retry for minutes; callers must not wait that long).
 */
export async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), ms);
  });
  work.catch(() => {}); // a late failure after the timeout is not an unhandled rejection
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
