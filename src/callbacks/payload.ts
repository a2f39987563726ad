// A status callback as the vendor would send it for one message: the contract's named example of
// that status, with the message's own ids, recipient, references and time.
import { randomUUID } from "node:crypto";
import { webhook, type CallbackStatus, type StatusCallback } from "../contract/webhook.ts";

/** What a send told the mock that its callbacks carry back. */
export interface CallbackMessage {
  messageId: string;
  /** The customer, E.164 (`+919876543210`). */
  to: string;
  /** `extra_info.ref`, `ref1`, `ref2` of the send, where it gave them. */
  refs: { ref?: string; ref1?: string; ref2?: string };
  /** WhatsApp's id of the message and the vendor's trace id: the same in each of its callbacks. */
  wamid: string;
  traceId: string;
}

export function callbackMessage(messageId: string, to: string, refs: CallbackMessage["refs"]): CallbackMessage {
  const id = randomUUID().replaceAll("-", "").toUpperCase();
  return { messageId, to, refs, wamid: `wamid.${Buffer.from(`${to.replace(/\D/g, "")}${id}`).toString("base64")}`, traceId: randomUUID() };
}

export function callbackPayload(status: CallbackStatus, message: CallbackMessage, at: Date): StatusCallback {
  const payload = webhook().exampleOf(status);
  payload.message_id = message.messageId;
  const extra = payload.extra_info;
  extra.message_id = message.messageId;
  extra.trace_id = message.traceId;
  for (const name of ["ref", "ref1", "ref2"] as const) {
    const value = message.refs[name];
    if (value === undefined) delete extra[name];
    else extra[name] = value;
  }
  for (const entry of payload.meta_object.value.statuses) {
    entry.id = message.wamid;
    entry.recipient_id = message.to.replace(/^\+/, "");
    entry.timestamp = String(Math.floor(at.getTime() / 1000));
  }
  return payload;
}
