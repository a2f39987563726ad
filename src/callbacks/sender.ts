// Sending status callbacks as a real sender does: after each accepted send, the statuses of one
// of the contract's sequences, each after its delay, each delivered through the kit's HTTP edge
// (no redirect followed, answers bounded) and retried with backoff until a 2xx or the last
// attempt. Messages go concurrently, a message's statuses in order; the queue and the record of
// deliveries are bounded, and what does not fit is counted. Nothing here ever slows a send.
import type { components } from "../../generated/kaleyra-mock-admin.ts";
import { webhook, type CallbackStatus } from "../contract/webhook.ts";
import { exchange } from "../http/exchange.ts";
import type { Masker } from "../http/secrets.ts";
import { callbackPayload, type CallbackMessage } from "./payload.ts";

export type CallbackDelivery = components["schemas"]["CallbackDelivery"];
export type CallbackAttempt = components["schemas"]["CallbackAttempt"];
export type CallbacksPage = components["schemas"]["Callbacks"];
export type CallbackPath = components["schemas"]["CallbackPath"];

export interface CallbackSettings {
  /** Where callbacks go; none when undefined. */
  url: string | undefined;
  /** Before each status of a sequence, in order; the last one repeats. */
  delaysMs: readonly number[];
  /** Attempts per callback, the first included. */
  attempts: number;
  /** Before the second attempt; doubled before each next one. */
  backoffMs: number;
  /** Limit of each attempt: connect, answer and body. */
  timeoutMs: number;
  /** Messages waiting for their callbacks at most; more are dropped and counted. */
  queueLimit: number;
  /** Messages whose callbacks are being sent at once. */
  concurrency: number;
  /** Deliveries kept for `GET /__admin/callbacks`. */
  keep: number;
}

export interface CallbackSender {
  /** Queues the callbacks of one accepted send; never waits. */
  enqueue(message: CallbackMessage, path: CallbackPath): void;
  url(): string | undefined;
  setUrl(url: string | undefined): void;
  page(): CallbacksPage;
  /** Forgets the deliveries and the dropped count, and goes back to the URL it started with. */
  reset(): void;
  /** Stops: nothing more is sent; waits end at once. */
  close(): void;
}

interface Job {
  message: CallbackMessage;
  statuses: readonly CallbackStatus[];
  url: string;
}

const answerLimitBytes = 64 * 1024;

export function createCallbackSender(settings: CallbackSettings, note: (line: string) => void, mask: Masker): CallbackSender {
  const startUrl = settings.url;
  let url = settings.url;
  const queue: Job[] = [];
  let active = 0;
  let dropped = 0;
  let deliveries: CallbackDelivery[] = [];
  let closed = false;
  const timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (closed || ms <= 0) return resolve();
      const entry = {
        timer: setTimeout(() => {
          timers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      timers.add(entry);
    });

  const record = (delivery: CallbackDelivery) => {
    deliveries.push(delivery);
    // Cut in one go at twice the bound: one copy per `keep` deliveries, not one per delivery.
    if (deliveries.length >= 2 * settings.keep) {
      dropped += deliveries.length - settings.keep;
      deliveries = deliveries.slice(deliveries.length - settings.keep);
    }
  };

  const attempt = async (target: string, body: string): Promise<CallbackAttempt> => {
    const at = new Date().toISOString();
    const result = await exchange(
      { url: target, method: "POST", headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), "user-agent": "kaleyra-whatsapp-video-kit mock callbacks" }, body: Buffer.from(body) },
      { timeoutMs: settings.timeoutMs, maxResponseBytes: answerLimitBytes, mask },
    );
    if (result.ok) {
      const { status } = result.answer;
      return { at, outcome: status >= 200 && status < 300 ? "delivered" : "refused", status, detail: `answered ${status}` };
    }
    const { error } = result;
    const outcome = error.reason === "aborted" ? "network" : error.reason;
    return { at, outcome, ...(error.status === undefined ? {} : { status: error.status }), detail: mask(error.message) };
  };

  const deliver = async (job: Job, status: CallbackStatus) => {
    const delivery: CallbackDelivery = { messageId: job.message.messageId, status, state: "sending", attempts: [] };
    record(delivery);
    const body = JSON.stringify(callbackPayload(status, job.message, new Date()));
    for (let n = 1; n <= settings.attempts && !closed; n++) {
      const outcome = await attempt(job.url, body);
      delivery.attempts.push(outcome);
      if (outcome.outcome === "delivered") {
        delivery.state = "delivered";
        return;
      }
      if (n < settings.attempts) await wait(settings.backoffMs * 2 ** (n - 1));
    }
    delivery.state = "given-up";
    if (closed) return; // the mock is stopping: not the receiver's failure
    note(`callback ${status} of ${job.message.messageId} given up after ${delivery.attempts.length} attempt(s): ${delivery.attempts.at(-1)!.detail}`);
  };

  const run = async (job: Job) => {
    for (const [index, status] of job.statuses.entries()) {
      await wait(settings.delaysMs[Math.min(index, settings.delaysMs.length - 1)] ?? 0);
      if (closed) return;
      await deliver(job, status);
    }
  };

  const pump = () => {
    while (!closed && active < settings.concurrency && queue.length > 0) {
      const job = queue.shift()!;
      active++;
      void run(job)
        .catch((error: unknown) => note(`callbacks of ${job.message.messageId} failed: ${mask(String(error))}`))
        .finally(() => {
          active--;
          pump();
        });
    }
  };

  return {
    enqueue(message, path) {
      if (url === undefined || closed) return;
      if (queue.length >= settings.queueLimit) {
        dropped++;
        return;
      }
      queue.push({ message, statuses: webhook().sequences[path]!, url });
      pump();
    },
    url: () => url,
    setUrl(next) {
      url = next;
    },
    page: () => ({
      url: url ?? null,
      pending: queue.length + active,
      dropped: dropped + Math.max(0, deliveries.length - settings.keep),
      deliveries: deliveries.slice(-settings.keep).map((delivery) => ({ ...delivery, attempts: [...delivery.attempts] })),
    }),
    reset() {
      deliveries = [];
      dropped = 0;
      url = startUrl;
    },
    close() {
      closed = true;
      queue.length = 0;
      for (const entry of timers) {
        clearTimeout(entry.timer);
        entry.resolve();
      }
      timers.clear();
    },
  };
}
