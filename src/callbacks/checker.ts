// Checking the status callbacks a receiver gets (from the kit's mock, or from a real pod through
// the team's tunnel) against the contract: each one valid against the webhook's schema, and each
// message's callbacks following one of the contract's sequences with the same references
// throughout. One function a check, each finding named by its check.
import { contractSchemas } from "../contract/schemas.ts";
import { webhook, type CallbackStatus, type StatusCallback } from "../contract/webhook.ts";

export type CallbackCheck = "valid" | "same_message_id" | "in_order" | "no_duplicate" | "same_refs";

export interface CallbackFinding {
  check: CallbackCheck;
  messageId: string | undefined;
  message: string;
}

interface MessageState {
  statuses: CallbackStatus[];
  refs: string;
}

export interface CallbackChecker {
  /** The findings of one callback body (parsed JSON), given what came before it. */
  check(body: unknown): CallbackFinding[];
  /** Each message remembered (the newest `limit`), with its statuses in the order they came. */
  messages(): Map<string, readonly CallbackStatus[]>;
  /** Messages whose statuses are not yet a whole sequence. */
  incomplete(): string[];
  /** Messages forgotten to stay within the limit, oldest first. */
  forgotten(): number;
}

/**
 * Messages a checker remembers at most: a long-running receiver sees any number, and each costs
 * its id and statuses. A callback of a message forgotten long ago is judged as a new message's.
 */
export const maxTrackedMessages = 10_000;

const refNames = ["ref", "ref1", "ref2"] as const;
const refsOf = (callback: StatusCallback) => JSON.stringify(refNames.map((name) => callback.extra_info[name] ?? null));

export function createCallbackChecker(limit = maxTrackedMessages): CallbackChecker {
  const { schemaPointer, sequences } = webhook();
  const paths = Object.values(sequences);
  const state = new Map<string, MessageState>();
  let forgotten = 0;
  /** A Map keeps its keys in the order they came: the first is the oldest message. */
  const remember = (messageId: string, message: MessageState) => {
    if (!state.has(messageId) && state.size >= limit) {
      state.delete(state.keys().next().value!);
      forgotten++;
    }
    state.set(messageId, message);
  };
  const isPrefix = (statuses: readonly CallbackStatus[]) => paths.some((path) => statuses.every((status, i) => path[i] === status));
  const isWhole = (statuses: readonly CallbackStatus[]) =>
    paths.some((path) => path.length === statuses.length && statuses.every((status, i) => path[i] === status));

  return {
    check(body) {
      const issues = contractSchemas().issues(schemaPointer, body);
      const loose = body as { message_id?: unknown } | null;
      const looseId = typeof loose?.message_id === "string" ? loose.message_id : undefined;
      if (issues.length > 0) return [{ check: "valid", messageId: looseId, message: issues.map((issue) => `${issue.field} ${issue.message}`).join("; ") }];
      const callback = body as StatusCallback;
      const findings: CallbackFinding[] = [];
      const messageId = callback.message_id;
      if (callback.extra_info.message_id !== messageId) {
        findings.push({
          check: "same_message_id",
          messageId,
          message: `extra_info.message_id ${callback.extra_info.message_id} is not message_id ${messageId}`,
        });
      }
      const seen = state.get(messageId);
      const duplicate = seen?.statuses.includes(callback.status) === true;
      const statuses = duplicate ? seen!.statuses : [...(seen?.statuses ?? []), callback.status];
      if (duplicate) {
        findings.push({ check: "no_duplicate", messageId, message: `${callback.status} came twice` });
      } else if (!isPrefix(statuses)) {
        findings.push({
          check: "in_order",
          messageId,
          message: `${callback.status} after ${seen?.statuses.join(", ") || "nothing"}: the contract's sequences are ${paths.map((path) => path.join(" → ")).join("; ")}`,
        });
      }
      if (seen && seen.refs !== refsOf(callback)) {
        findings.push({ check: "same_refs", messageId, message: `ref, ref1, ref2 are ${refsOf(callback)}, not ${seen.refs} as in its first callback` });
      }
      remember(messageId, { statuses, refs: seen?.refs ?? refsOf(callback) });
      return findings;
    },
    messages: () => new Map([...state].map(([id, message]) => [id, message.statuses])),
    incomplete: () => [...state].filter(([, message]) => !isWhole(message.statuses)).map(([id]) => id),
    forgotten: () => forgotten,
  };
}
