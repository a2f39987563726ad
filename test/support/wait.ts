// How long a test waits on a server before it says what it was waiting for. A fault that makes a
// server hang is then a failure naming the request within seconds, not vitest's bare time-out.
// TEST_WAIT_MS raises it on a slow machine.
const fromEnv = Number(process.env.TEST_WAIT_MS ?? "5000");
export const waitMs = Number.isSafeInteger(fromEnv) && fromEnv > 0 ? fromEnv : 5_000;

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
