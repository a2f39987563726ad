// Stage after the reply: the status callbacks of an accepted send, queued for the sender with
// the 202's message_id and the send's recipient and references. Never waited for.
import { callbackMessage } from "../callbacks/payload.ts";
import { recipientOf } from "../contract/operation.ts";
import type { CallbackSender } from "../callbacks/sender.ts";
import type { Reply } from "./model.ts";

/** What the reply stage knows of the request's body. */
export interface SentBody {
  /** The body's text; JSON text when `bodyJson`. */
  body: string | undefined;
  bodyJson: boolean;
}

/**
 * After an accepted send: the message's callbacks, with its id, its recipient and the send's
 * references, to the sandbox of `sid` (the account SID of the path). Any other request queues
 * nothing: one whose body is not JSON (the admin API's are not kept), or whose answer has no
 * message_id (a refusal, a fault).
 */
export function queueCallbacks(sender: CallbackSender, reply: Reply, request: SentBody, sid: string | undefined): void {
  if (!request.bodyJson || request.body === undefined) return;
  const answer = (reply.raw !== undefined ? JSON.parse(reply.raw) : reply.body) as { data?: { message_id?: unknown } } | undefined;
  const messageId = answer?.data?.message_id;
  if (typeof messageId !== "string") return;
  const sent = JSON.parse(request.body) as { messaging_object?: { to?: unknown }; extra_info?: Record<string, unknown> };
  const refs: { ref?: string; ref1?: string; ref2?: string } = {};
  for (const name of ["ref", "ref1", "ref2"] as const) {
    const value = sent.extra_info?.[name];
    if (typeof value === "string") refs[name] = value;
  }
  const to = recipientOf(sent) ?? "";
  sender.enqueue(callbackMessage(messageId, to, refs), reply.callbacks ?? "read", sid);
}
