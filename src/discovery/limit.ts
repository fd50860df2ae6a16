/** A small counting semaphore: per-host connection limits for identification. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  }

  /** Highest number of holders at the same time so far (tests assert the per-host limit with it). */
  peak = 0;

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    this.peak = Math.max(this.peak, this.active);
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/**
 * Runs `fn` over `items` with at most `concurrency` at a time; results in input order. On the first
 * failure no new item starts, `abortOnError` (if given) is aborted so running items can stop early,
 * and the first error is thrown once every running item has settled (nothing is left running).
 */
export async function mapLimit<T, R>(
  items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>, abortOnError?: AbortController,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed: { e: unknown } | undefined;
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (e) {
        if (!failed) {
          failed = { e };
          abortOnError?.abort();
        }
      }
    }
  });
  await Promise.all(workers);
  if (failed) throw failed.e;
  return results;
}
