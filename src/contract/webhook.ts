// The status callback as the contract's `webhooks` entry defines it: its schema, its named
// examples (one per status), the statuses and the order they come in. Read from the spec.
import type { components } from "../../generated/kaleyra-whatsapp-video.ts";
import { loadDocument, type MediaTypeObject, type OpenApiDocument } from "./document.ts";

export type StatusCallback = components["schemas"]["StatusCallback"];
export type CallbackStatus = components["schemas"]["CallbackStatus"];

export const webhookName = "statusCallback";

export interface WebhookContract {
  /** JSON pointer of the payload's schema, for ContractSchemas.check. */
  schemaPointer: string;
  /** The statuses, in the contract's order (SENT, DELIVERED, READ, FAILED, NOT-SENT). */
  statuses: readonly CallbackStatus[];
  /** The sequences a message's callbacks follow, by name (`read`, `failed`, `not-sent`). */
  sequences: Readonly<Record<string, readonly CallbackStatus[]>>;
  /** The named example of each status: the example whose `status` it is. */
  exampleOf(status: CallbackStatus): StatusCallback;
}

/** The webhook as `doc` defines it; throws when a status has no example (a broken contract). */
export function buildWebhookContract(doc: OpenApiDocument): WebhookContract {
  const post = (doc.webhooks as Record<string, { post: { requestBody: { content: Record<string, MediaTypeObject> } } }>)[webhookName]!.post;
  const media = post.requestBody.content["application/json"]!;
  const statusSchema = doc.components.schemas.CallbackStatus as { enum: CallbackStatus[]; "x-sequences": Record<string, CallbackStatus[]> };
  const statuses = statusSchema.enum;
  const examples = Object.values(media.examples ?? {}).map((example) => example.value as StatusCallback);
  const byStatus = new Map(examples.map((example) => [example.status, example]));
  for (const status of statuses) if (!byStatus.has(status)) throw new Error(`the contract's status callback has no example of ${status}`);
  return {
    schemaPointer: `#/webhooks/${webhookName}/post/requestBody/content/application~1json/schema`,
    statuses,
    sequences: statusSchema["x-sequences"],
    exampleOf: (status) => structuredClone(byStatus.get(status)!),
  };
}

let cached: WebhookContract | undefined;

export function webhook(): WebhookContract {
  cached ??= buildWebhookContract(loadDocument());
  return cached;
}
