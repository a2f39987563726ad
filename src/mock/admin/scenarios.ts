// Scenarios: answers chosen ahead of the mock's normal rules for requests that match, registered
// through the admin API; and the contract's fixed test recipients, which work the same way with
// no admin call. Both are tried only after the account's checks and the contract's refusals.
import { randomUUID } from "node:crypto";
import type { components } from "../../../generated/kaleyra-mock-admin.ts";
import { loadAdminDocument } from "../../contract/document.ts";
import type { TestRecipient } from "../../contract/operation.ts";

type Schemas = components["schemas"];
export type ScenarioInput = Schemas["ScenarioInput"];
export type Scenario = Schemas["Scenario"];
export type Respond = Schemas["Respond"];
export type Match = Schemas["Match"];

/** What a request carries that a scenario can match. */
export interface MatchFacts {
  to: string | undefined;
  sid: string;
  phoneNumber: string;
}

/** The answer chosen: by a scenario (its id) or a test recipient (`test-recipient`). */
export interface Chosen {
  respond: Respond;
  delayMs: number;
  source: string;
  /** The callbacks an accepted answer gets; the default sequence when undefined. */
  callbacks: Schemas["CallbackPath"] | undefined;
}

export interface Scenarios {
  /** Whether `choose` could answer: any scenario is active, or `to` is a test recipient. No side effect. */
  mayChoose(facts: MatchFacts): boolean;
  /** The first active scenario that matches (counted, removed after its `times`), else a test recipient. */
  choose(facts: MatchFacts): Chosen | undefined;
  add(input: ScenarioInput): { ok: true; id: string } | { ok: false; limit: number };
  /** The active scenarios, oldest first; a sandbox's (those whose `match.sid` is `sid`) when given. */
  list(sid?: string): Scenario[];
  /** Removes the scenario with this id, when it is active (and the sandbox's, when `sid` is given). */
  remove(id: string, sid?: string): boolean;
  /** Removes every scenario, or a sandbox's. */
  clear(sid?: string): void;
}

export const testRecipientSource = "test-recipient";

/** How many scenarios the mock keeps: the admin contract's bound on the list. */
export function maxScenarios(): number {
  const list = loadAdminDocument().components.schemas.Scenarios as { properties: { scenarios: { maxItems: number } } };
  return list.properties.scenarios.maxItems;
}

function matches(match: Match, facts: MatchFacts): boolean {
  return (
    (match.to === undefined || match.to === facts.to) &&
    (match.sid === undefined || match.sid === facts.sid) &&
    (match.phoneNumber === undefined || match.phoneNumber === facts.phoneNumber)
  );
}

/** Whether a scenario belongs to the sandbox `sid` names (every scenario, when none is named). */
const inSandbox = (scenario: Scenario, sid: string | undefined) => sid === undefined || scenario.match.sid === sid;

export function createScenarios(testRecipients: readonly TestRecipient[]): Scenarios {
  let active: Scenario[] = [];
  const limit = maxScenarios();
  const byRecipient = new Map(testRecipients.map((recipient) => [recipient.to, recipient]));

  return {
    mayChoose: (facts) => active.length > 0 || (facts.to !== undefined && byRecipient.has(facts.to)),
    choose(facts) {
      // The common case, no scenario: one length check, then one map lookup.
      for (let i = 0; i < active.length; i++) {
        const scenario = active[i]!;
        if (!matches(scenario.match, facts)) continue;
        scenario.matched++;
        if (scenario.times !== undefined && scenario.matched >= scenario.times) active.splice(i, 1);
        return { respond: scenario.respond, delayMs: scenario.delayMs, source: scenario.id, callbacks: scenario.callbacks };
      }
      const recipient = facts.to === undefined ? undefined : byRecipient.get(facts.to);
      return recipient && { respond: recipient.respond, delayMs: recipient.delayMs ?? 0, source: testRecipientSource, callbacks: recipient.callbacks };
    },
    add(input) {
      if (active.length >= limit) return { ok: false, limit };
      const id = randomUUID();
      active.push({
        id,
        match: { ...input.match },
        respond: { ...input.respond },
        delayMs: input.delayMs ?? 0,
        ...(input.callbacks === undefined ? {} : { callbacks: input.callbacks }),
        ...(input.times === undefined ? {} : { times: input.times }),
        matched: 0,
      });
      return { ok: true, id };
    },
    list: (sid) => active.filter((scenario) => inSandbox(scenario, sid)).map((scenario) => structuredClone(scenario)),
    remove(id, sid) {
      const before = active.length;
      active = active.filter((scenario) => scenario.id !== id || !inSandbox(scenario, sid));
      return active.length < before;
    },
    clear(sid) {
      active = sid === undefined ? [] : active.filter((scenario) => !inSandbox(scenario, sid));
    },
  };
}
