// Stage: scenario. An admin scenario's or a test recipient's choice as the reply: the named
// example exactly as the contract has it (a fresh message_id for a success), or a fault.
import { testRecipientSource, type Chosen } from "./admin/scenarios.ts";
import { exampleReply, withFreshMessageId } from "./reply.ts";
import type { Reply } from "./model.ts";

/** A scenario's or test recipient's choice as a reply: the named example as the contract has it, or a fault. */
export function chosenReply(chosen: Chosen, notes: string[]): Reply {
  const { respond, source, delayMs, callbacks } = chosen;
  notes.push(
    `${source === testRecipientSource ? "test recipient" : `scenario ${source}`}: ${"example" in respond ? respond.example : `fault ${respond.fault}`}`,
  );
  if ("fault" in respond) return { status: 0, headers: {}, body: undefined, fault: respond.fault, source, delayMs };
  const reply = exampleReply(respond.example);
  return {
    ...reply,
    body: reply.status >= 200 && reply.status < 300 ? withFreshMessageId(reply.body) : reply.body,
    source,
    delayMs,
    ...(callbacks === undefined ? {} : { callbacks }),
  };
}
