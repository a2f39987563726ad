// Holding answers back: the mock's latency (KALEYRA_MOCK_LATENCY_MS) and a scenario's delay. A
// timer per answer, so a slow answer never holds back another; the mock's stop cuts them short.
import { setTimeout as sleep } from "node:timers/promises";
import type { Latency } from "./config.ts";

/** A draw of the latency for one answer, in whole milliseconds. */
export function latencyDraw({ min, max }: Latency = { min: 0, max: 0 }): () => number {
  if (min === max) return () => min;
  return () => min + Math.floor(Math.random() * (max - min + 1));
}

/** Resolves after `ms`, or at once when `signal` aborts (the mock is stopping). */
export async function hold(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return;
  await sleep(ms, undefined, { signal, ref: true }).catch(() => undefined);
}
