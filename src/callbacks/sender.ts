// Sending status callbacks as a real sender does: after each accepted send, the statuses of one
// of the contract's sequences, each after its delay, each delivered through the kit's HTTP edge
// (no redirect followed, answers bounded) and retried with backoff until a 2xx or the last
// attempt. Messages go concurrently, a message's statuses in order; the queue and the record of
// deliveries are bounded, and what does not fit is counted. Nothing here ever slows a send.
import { setMaxListeners } from "node:events";
import type { components } from "../../generated/kaleyra-mock-admin.ts";
import { webhook, type CallbackStatus } from "../contract/webhook.ts";
import { exchange } from "../http/exchange.ts";
import { isRedirect } from "../http/edge.ts";
import { isSuccess } from "../http/status.ts";
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
  /** Sandboxes with a callback URL of their own, at most. */
  sandboxLimit: number;
}

export interface CallbackSender {
  /** Queues the callbacks of one accepted send to the sandbox `sid` (the send's account SID); never waits. */
  enqueue(message: CallbackMessage, path: CallbackPath, sid?: string): void;
  /** Where a sandbox's callbacks go (its own URL, else the mock's); the mock's without `sid`. */
  url(sid?: string): string | undefined;
  /**
   * Where callbacks go from now on: the mock's, or a sandbox's with `sid`. What is queued or in
   * flight for another URL is dropped. Refused when a new sandbox URL would pass `sandboxLimit`.
   */
  setUrl(url: string | undefined, sid?: string): { ok: true } | { ok: false; limit: number };
  /** The URL, the pending count and the deliveries: the mock's, or a sandbox's with `sid`. */
  page(sid?: string): CallbacksPage;
  /**
   * Back to the start: the deliveries and the dropped count forgotten, the URL the sender started
   * with, and every queued or in-flight callback dropped. With `sid`, for that sandbox only.
   */
  reset(sid?: string): void;
  /** Stops: nothing more is sent; waits end at once. */
  close(): void;
}

interface Job {
  message: CallbackMessage;
  statuses: readonly CallbackStatus[];
  url: string;
  sid: string | undefined;
  /** Aborted when the job is dropped (a reset, a new URL): its waits end, its attempt is cut. */
  cancel: AbortController;
}

const answerLimitBytes = 64 * 1024;

export function createCallbackSender(settings: CallbackSettings, note: (line: string) => void, mask: Masker): CallbackSender {
  const startUrl = settings.url;
  let url = settings.url;
  /** Sandboxes' own URLs; undefined: that sandbox's callbacks are off. */
  const sandboxUrls = new Map<string, string | undefined>();
  const queue: Job[] = [];
  const running = new Set<Job>();
  let dropped = 0;
  let deliveries: CallbackDelivery[] = [];
  let closed = false;
  const closing = new AbortController();
  // Every job running waits on it (up to `concurrency`, 256 by default): many listeners by
  // design, not the leak Node warns of past ten.
  setMaxListeners(0, closing.signal);

  const urlFor = (sid: string | undefined) => (sid !== undefined && sandboxUrls.has(sid) ? sandboxUrls.get(sid) : url);
  const inSandbox = (job: Job, sid: string | undefined) => sid === undefined || job.sid === sid;

  /** Ends `ms` early when the job is dropped or the sender closes. */
  const wait = (ms: number, job: Job) =>
    new Promise<void>((resolve) => {
      if (closed || job.cancel.signal.aborted || ms <= 0) return resolve();
      const done = () => {
        clearTimeout(timer);
        job.cancel.signal.removeEventListener("abort", done);
        closing.signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      job.cancel.signal.addEventListener("abort", done, { once: true });
      closing.signal.addEventListener("abort", done, { once: true });
    });

  const record = (delivery: CallbackDelivery) => {
    deliveries.push(delivery);
    // Cut in one go at twice the bound: one copy per `keep` deliveries, not one per delivery.
    if (deliveries.length >= 2 * settings.keep) {
      dropped += deliveries.length - settings.keep;
      deliveries = deliveries.slice(deliveries.length - settings.keep);
    }
  };

  const attempt = async (target: string, body: string, signal: AbortSignal): Promise<CallbackAttempt> => {
    const at = new Date().toISOString();
    const result = await exchange(
      {
        url: target,
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(body)),
          "user-agent": "kaleyra-whatsapp-video-kit mock callbacks",
        },
        body: Buffer.from(body),
      },
      { timeoutMs: settings.timeoutMs, maxResponseBytes: answerLimitBytes, mask, signal },
    );
    if (result.ok) {
      const { status } = result.answer;
      // A redirect is never followed: the contract names it apart from a refusal.
      if (isRedirect(status)) return { at, outcome: "redirect", status, detail: `answered ${status}; redirects are never followed` };
      return { at, outcome: isSuccess(status) ? "delivered" : "refused", status, detail: `answered ${status}` };
    }
    const { error } = result;
    const outcome = error.reason === "aborted" ? "network" : error.reason;
    return { at, outcome, ...(error.status === undefined ? {} : { status: error.status }), detail: mask(error.message) };
  };

  const stopped = (job: Job) => closed || job.cancel.signal.aborted;

  const deliver = async (job: Job, status: CallbackStatus) => {
    const delivery: CallbackDelivery = {
      messageId: job.message.messageId,
      ...(job.sid === undefined ? {} : { sid: job.sid }),
      status,
      state: "sending",
      attempts: [],
    };
    record(delivery);
    const body = JSON.stringify(callbackPayload(status, job.message, new Date()));
    const signal = AbortSignal.any([job.cancel.signal, closing.signal]);
    for (let n = 1; n <= settings.attempts && !stopped(job); n++) {
      const outcome = await attempt(job.url, body, signal);
      if (stopped(job)) break; // dropped mid-attempt: the cut is ours, not the receiver's
      delivery.attempts.push(outcome);
      if (outcome.outcome === "delivered") {
        delivery.state = "delivered";
        return;
      }
      if (n < settings.attempts) await wait(settings.backoffMs * 2 ** (n - 1), job);
    }
    delivery.state = "given-up";
    if (stopped(job)) return; // the mock is stopping, or the job was dropped: not the receiver's failure
    note(`callback ${status} of ${job.message.messageId} given up after ${delivery.attempts.length} attempt(s): ${delivery.attempts.at(-1)!.detail}`);
  };

  const run = async (job: Job) => {
    for (const [index, status] of job.statuses.entries()) {
      await wait(settings.delaysMs[Math.min(index, settings.delaysMs.length - 1)] ?? 0, job);
      if (stopped(job)) return;
      await deliver(job, status);
    }
  };

  const pump = () => {
    while (!closed && running.size < settings.concurrency && queue.length > 0) {
      const job = queue.shift()!;
      running.add(job);
      void run(job)
        .catch((error: unknown) => note(`callbacks of ${job.message.messageId} failed: ${mask(String(error))}`))
        .finally(() => {
          running.delete(job);
          pump();
        });
    }
  };

  /** Drops what `drop` picks, queued or running. */
  const cancel = (drop: (job: Job) => boolean) => {
    for (let i = queue.length - 1; i >= 0; i--) if (drop(queue[i]!)) queue.splice(i, 1);
    for (const job of running) if (drop(job)) job.cancel.abort();
  };

  /** After a URL changes: what was queued or is in flight for another URL than its sandbox's now is dropped. */
  const dropStale = () => cancel((job) => job.url !== urlFor(job.sid));

  return {
    enqueue(message, path, sid) {
      const target = urlFor(sid);
      if (target === undefined || closed) return;
      if (queue.length >= settings.queueLimit) {
        dropped++;
        return;
      }
      queue.push({ message, statuses: webhook().sequences[path]!, url: target, sid, cancel: new AbortController() });
      pump();
    },
    url: urlFor,
    setUrl(next, sid) {
      if (sid === undefined) url = next;
      else {
        if (!sandboxUrls.has(sid) && sandboxUrls.size >= settings.sandboxLimit) return { ok: false, limit: settings.sandboxLimit };
        sandboxUrls.set(sid, next);
      }
      dropStale();
      return { ok: true };
    },
    page(sid) {
      const kept = deliveries.slice(-settings.keep).filter((delivery) => sid === undefined || delivery.sid === sid);
      const pending = queue.filter((job) => inSandbox(job, sid)).length + [...running].filter((job) => inSandbox(job, sid)).length;
      return {
        url: urlFor(sid) ?? null,
        pending,
        dropped: dropped + Math.max(0, deliveries.length - settings.keep),
        deliveries: kept.map((delivery) => ({ ...delivery, attempts: [...delivery.attempts] })),
      };
    },
    reset(sid) {
      if (sid === undefined) {
        deliveries = [];
        dropped = 0;
        url = startUrl;
        sandboxUrls.clear();
      } else {
        deliveries = deliveries.filter((delivery) => delivery.sid !== sid);
        sandboxUrls.delete(sid);
      }
      cancel((job) => inSandbox(job, sid));
    },
    close() {
      closed = true;
      queue.length = 0;
      closing.abort();
    },
  };
}
