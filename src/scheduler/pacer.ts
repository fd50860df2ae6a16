/**
 * The attempt delay per device, across probes (issue 18 item 3): `--delay` is the least time between two
 * login attempts (or waves of attempts) that any probes start on one device, not per probe. Telnet and
 * HTTP guessing on one camera at once therefore share one pace instead of doubling it. A wave (two
 * attempts sent together, docs/CREDENTIALS.md "Two at a time") takes one slot.
 */
export interface AttemptPacer {
  /** Reserves the device's next slot and resolves when it comes (sleep is the job's abortable sleep). */
  next(address: string, sleep: (ms: number) => Promise<void>): Promise<void>;
}

export function createAttemptPacer(delayMs: number, now: () => number = Date.now): AttemptPacer {
  const nextAt = new Map<string, number>();
  return {
    next(address, sleep) {
      const t = now();
      const at = Math.max(t, nextAt.get(address) ?? Number.NEGATIVE_INFINITY);
      nextAt.set(address, at + Math.max(0, delayMs));
      return at > t ? sleep(at - t) : Promise.resolve();
    },
  };
}
