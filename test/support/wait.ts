// How a test waits. Every wait ends on what it waits for: an answer, a line, a state polled for,
// a promise settling. The bound beside it is for a hang, not for the machine's speed: a busy
// machine takes seconds for what takes milliseconds alone, a hang takes forever, and the bound
// tells them apart by being far past the first and short of vitest's own time-out (30 s,
// vitest.config.ts), so that a hang fails naming what hung rather than with vitest's bare
// time-out. TEST_WAIT_MS changes it.
const fromEnv = Number(process.env.TEST_WAIT_MS ?? "20000");
export const waitMs = Number.isSafeInteger(fromEnv) && fromEnv > 0 ? fromEnv : 20_000;

/**
 * The bound for a test that makes a whole conformance run (hundreds of requests, each answered in
 * milliseconds alone): a busy machine stretches each of them, so the bound stretches with the
 * work, far past vitest's 30 s for one exchange, and still ends a hang.
 */
export const runLimitMs = 6 * waitMs;

/** Polls `probe` until it returns a value; fails naming `what` after `limitMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, limitMs = waitMs): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > limitMs) throw new Error(`${what}: not within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** fetch, with a deadline that names the request when the server does not answer. */
export async function fetchWithin(url: string, init: RequestInit = {}, limitMs = waitMs): Promise<Response> {
  const signal = init.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(limitMs)]) : AbortSignal.timeout(limitMs);
  try {
    return await fetch(url, { ...init, signal });
  } catch (error) {
    if ((error as Error).name === "TimeoutError") throw new Error(`${init.method ?? "GET"} ${url}: no answer within ${limitMs} ms (TEST_WAIT_MS)`);
    throw error;
  }
}

/** `promise`, or a failure naming `what` after `limitMs`: a call that never settles fails in seconds, with its cause. */
export async function within<T>(what: string, promise: Promise<T>, limitMs = waitMs): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not settled within ${limitMs} ms (TEST_WAIT_MS)`)), limitMs);
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether what `start` begins settles at once: before the event loop turns, that is before a
 * 0 ms timer or an immediate set just ahead of it can run. It tells "no wait at all" from "a
 * wait" by order, not by a stopwatch, so a busy machine cannot blur it.
 */
export async function settlesAtOnce(start: () => Promise<unknown>): Promise<boolean> {
  let turned = false;
  const timer = setTimeout(() => (turned = true), 0);
  const immediate = setImmediate(() => (turned = true));
  try {
    await start();
  } finally {
    clearTimeout(timer);
    clearImmediate(immediate);
  }
  return !turned;
}
