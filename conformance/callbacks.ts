// Conformance stage for the kit's mock only: the status callbacks of the run's accepted sends,
// end to end. A receiver is started on loopback, the mock is pointed at it through its admin API
// (and pointed back afterwards), and each accepted message must get one whole sequence of the
// contract, every callback passing the callback checks.
import { startCallbackReceiver } from "../src/callbacks/receiver.ts";
import { adminPath } from "../src/contract/document.ts";
import { exchange, urlAt } from "../src/http/exchange.ts";
import type { SendLimits } from "./send.ts";
import type { CallbackReport } from "../src/judge/result.ts";

export interface CallbackStage {
  /** Waits for the callbacks of these messages (at most `limitMs`), then stops and restores the mock. */
  finish(messageIds: readonly string[], limitMs: number): Promise<CallbackReport>;
  /** Requests sent to the mock's admin API. */
  adminRequests(): number;
}

const callbacksPath = adminPath("listCallbacks");

/** Undefined when the mock's admin API does not take the receiver (then nothing is checked). */
export async function startCallbackStage(target: string, limits: SendLimits, adminToken: string | undefined): Promise<CallbackStage | undefined> {
  let adminRequests = 0;
  const headers = {
    "content-type": "application/json",
    accept: "application/json",
    ...(adminToken === undefined ? {} : { authorization: `Bearer ${adminToken}` }),
  };
  // The run's stop signal is left out: a run stopped by the user still points the mock back.
  const { signal: _runSignal, ...bounds } = limits;
  const admin = async (method: string, body?: unknown) => {
    adminRequests++;
    const text = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return exchange(
      {
        url: urlAt(target, callbacksPath),
        method,
        headers: { ...headers, ...(text ? { "content-length": String(text.length) } : {}) },
        ...(text ? { body: text } : {}),
      },
      { ...bounds, maxResponseBytes: 4 * 1024 * 1024 },
    );
  };

  const before = await admin("GET");
  if (!before.ok || before.answer.status !== 200) return undefined;
  const previous = (JSON.parse(before.answer.text) as { url: string | null }).url;

  const receiver = await startCallbackReceiver({ port: 0, host: "127.0.0.1", path: "/callbacks" });
  const { checker, url } = receiver;
  const pointed = await admin("PUT", { url });
  if (!pointed.ok || pointed.answer.status !== 204) {
    await receiver.close();
    return undefined;
  }

  return {
    adminRequests: () => adminRequests,
    async finish(messageIds, limitMs) {
      const whole = () => {
        const incomplete = new Set(checker.incomplete());
        const seen = checker.messages();
        return messageIds.filter((id) => !seen.has(id) || incomplete.has(id));
      };
      const started = Date.now();
      while (whole().length > 0 && Date.now() - started < limitMs && !limits.signal?.aborted) await new Promise((resolve) => setTimeout(resolve, 20));
      const missing = whole().map((id) => ({
        check: "complete" as const,
        messageId: id,
        message: `no whole sequence within ${limitMs} ms (got ${checker.messages().get(id)?.join(", ") || "nothing"})`,
      }));
      await admin("PUT", { url: previous });
      await receiver.close();
      return { messages: messageIds.length, received: receiver.received(), findings: [...receiver.findings, ...missing] };
    },
  };
}
