// Holding answers back: the mock's latency (KALEYRA_MOCK_LATENCY_MS) and a scenario's delay. A
// timer per answer, so a slow answer never holds back another; the mock's stop releases them all.
import type { Latency } from "./config.ts";

/** A draw of the latency for one answer, in whole milliseconds. */
export function latencyDraw({ min, max }: Latency = { min: 0, max: 0 }): () => number {
  return () => min + Math.floor(Math.random() * (max - min + 1));
}

export interface Holds {
  /** Resolves after `ms`, or at once once `releaseAll` has been called. */
  hold(ms: number): Promise<void>;
  /** Ends every hold now and every later one at once (the mock is stopping). */
  releaseAll(): void;
}

export function createHolds(): Holds {
  const pending = new Map<NodeJS.Timeout, () => void>();
  let released = false;
  return {
    hold(ms) {
      if (ms <= 0 || released) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(timer);
          resolve();
        }, ms);
        pending.set(timer, resolve);
      });
    },
    releaseAll() {
      released = true;
      for (const [timer, resolve] of pending) {
        clearTimeout(timer);
        resolve();
      }
      pending.clear();
    },
  };
}
