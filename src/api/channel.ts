/** A single-consumer async queue: the producer pushes, the consumer iterates; end() or fail() close it. */
export interface Channel<T> extends AsyncIterable<T> {
  push(value: T): void;
  end(): void;
  fail(error: unknown): void;
}

export function createChannel<T>(): Channel<T> {
  const buffer: T[] = [];
  let waiting: ((r: IteratorResult<T>) => void) | undefined;
  let waitingReject: ((e: unknown) => void) | undefined;
  let done = false;
  let error: { e: unknown } | undefined;
  let iterated = false;
  const wake = (): void => {
    if (!waiting) return;
    const resolve = waiting;
    const reject = waitingReject!;
    waiting = undefined;
    waitingReject = undefined;
    if (buffer.length) resolve({ value: buffer.shift() as T, done: false });
    else if (error) reject(error.e);
    else if (done) resolve({ value: undefined, done: true });
  };
  return {
    push(value) { if (!done) { buffer.push(value); wake(); } },
    end() { done = true; wake(); },
    fail(e) { if (!done) { error = { e }; done = true; wake(); } },
    [Symbol.asyncIterator](): AsyncIterator<T> {
      if (iterated) throw new Error('a scan can be iterated only once');
      iterated = true;
      return {
        next(): Promise<IteratorResult<T>> {
          if (buffer.length) return Promise.resolve({ value: buffer.shift() as T, done: false });
          if (error) return Promise.reject(error.e);
          if (done) return Promise.resolve({ value: undefined, done: true });
          return new Promise((resolve, reject) => { waiting = resolve; waitingReject = reject; });
        },
        return(): Promise<IteratorResult<T>> {
          buffer.length = 0;
          return Promise.resolve({ value: undefined, done: true });
        },
      };
    },
  };
}
