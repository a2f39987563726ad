// Stage: scenario. An admin scenario's or a test recipient's choice as the reply: the named
// example exactly as the contract has it (a fresh message_id for a success), or a fault.
import { testRecipientSource, type Chosen } from "./admin/scenarios.ts";
import { exampleReply, withFreshMessageId } from "./reply.ts";
import type { Answer } from "./stage.ts";

/** A scenario's or test recipient's choice as the answer: the named example as the contract has it, or a fault; and what chose it. */
export function chosenAnswer(chosen: Chosen): Answer {
  const { respond, source, delayMs, callbacks } = chosen;
  const notes = [
    `${source === testRecipientSource ? "test recipient" : `scenario ${source}`}: ${"example" in respond ? respond.example : `fault ${respond.fault}`}`,
  ];
  if ("fault" in respond) return { reply: { status: 0, headers: {}, body: undefined, fault: respond.fault, source, delayMs }, notes };
  const reply = exampleReply(respond.example);
  return {
    reply: {
      ...reply,
      // Only an accepted answer carries a message_id: it is the one made fresh.
      body: withFreshMessageId(reply.body),
      source,
      delayMs,
      ...(callbacks === undefined ? {} : { callbacks }),
    },
    notes,
  };
}
