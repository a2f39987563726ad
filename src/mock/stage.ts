// The one contract of the mock's stages: each stage of the vendor's path either goes on with its
// one typed result, or ends the walk with a refusal (a reply, and the reasons the log and the
// journal give for it). The last stages (scenario, documented, engine) end the walk with an
// answer that is not always a refusal: an `Answer`, the same reply and reasons unnamed.
import type { Reply } from "./model.ts";

/** A reply, and the reasons for it that go to the log (`notes`). */
export interface Answer {
  reply: Reply;
  notes: readonly string[];
}

/**
 * Which refusal: one name per refusal of `refusals.ts`, each a row of docs/mock.md's answers
 * table (or the mock's own defect).
 */
export type RefusalName =
  | "header-lines"
  | "duplicate-header"
  | "request-target"
  | "body-too-large"
  | "malformed-escape"
  | "prefer"
  | "incorrect-sid-or-api-key"
  | "phone-number-not-in-account"
  | "no-api-key"
  | "path-parameter"
  | "body-required"
  | "schema"
  | "not-an-http-method"
  | "no-path-matched"
  | "no-method-matched"
  | "mock-defect";

/** An answer that refuses the request, named. */
export interface Refusal extends Answer {
  name: RefusalName;
}

export type Stage<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };

/** No reasons: shared, never written to. */
export const noNotes: readonly string[] = Object.freeze([]);

/** A stage that goes on with nothing to hand on: one object for every request. */
export const goOn: Stage<undefined> = Object.freeze({ ok: true, value: undefined });

export function refused<T>(refusal: Refusal): Stage<T> {
  return { ok: false, refusal };
}

/** An earlier stage's reason (intake's, why the body was not read as JSON) before an answer's own. */
export function after(first: string | undefined, notes: readonly string[]): readonly string[] {
  return first === undefined ? notes : [first, ...notes];
}
