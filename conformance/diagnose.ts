// Diagnoses before walls: when the answers so far say the target cannot be judged (nothing
// listens; it knows neither the key nor the SID), the run stops with one line saying so, instead
// of a violation per request. Hints explain findings the run goes on with.
import type { CaseOutcome, Diagnosis, TargetMode } from "../src/judge/result.ts";
import { envelopeCode } from "../src/contract/request.ts";
import { isSuccess } from "../src/http/status.ts";

export function unreachable(target: string, why: string): Diagnosis {
  const refused = /ECONNREFUSED/.test(why);
  const unknown = /ENOTFOUND|EAI_AGAIN/.test(why);
  const what = refused
    ? "nothing is listening at"
    : unknown
      ? "the host of"
      : why.startsWith("timeout")
        ? "nothing answered in time at"
        : "no answer came from";
  const tail = unknown ? " is not found (DNS)" : "";
  return {
    kind: why.startsWith("timeout") ? "silent" : "unreachable",
    message: `${what} ${target}${tail} (${why}); is the mock running (npm start), or is --target wrong?`,
  };
}

/** This many requests with the user's key, all refused alike, and nothing else: the key is wrong. */
export const credentialsEvidence = 3;

export interface DiagnoseContext {
  target: string;
  mode: TargetMode;
  sid: string;
  phoneNumber: string;
  checksKeys: boolean;
}

const codeOf = (outcome: CaseOutcome) => envelopeCode(outcome.observed.json);

export function diagnoseAnswers(seen: readonly CaseOutcome[], context: DiagnoseContext): { diagnosis?: Diagnosis; hints: string[] } {
  const hints: string[] = [];
  // Requests with the user's key, SID and number (not the probes of a malformed path).
  const keyed = seen.filter(
    (outcome) =>
      outcome.testCase.request.key === "account" &&
      outcome.testCase.request.sid === context.sid &&
      outcome.testCase.request.phoneNumber === context.phoneNumber &&
      outcome.observed.status !== undefined,
  );
  const first = keyed[0];
  if (
    keyed.length >= credentialsEvidence &&
    first?.observed.status === 401 &&
    keyed.every((outcome) => outcome.observed.status === 401 && codeOf(outcome) === codeOf(first))
  ) {
    const code = codeOf(first) === undefined ? "" : ` ${codeOf(first)}`;
    return {
      diagnosis: {
        kind: "credentials",
        message: `every request with your key was answered 401${code}: KALEYRA_API_KEY or --sid (or --phone-number) is wrong for ${context.target}`,
      },
      hints,
    };
  }
  const byKey = (key: "none" | "wrong") => seen.find((outcome) => outcome.testCase.category === "auth" && outcome.testCase.request.key === key);
  const wrong = byKey("wrong")?.observed.status;
  const none = byKey("none")?.observed.status;
  if (context.checksKeys && context.mode !== "live" && wrong !== undefined && isSuccess(wrong) && none === 401) {
    hints.push(
      "the target accepts a wrong key but not a missing one: a mock started without an account (KALEYRA_MOCK_API_KEY unset) does that; run with --no-account, or start the mock with an account",
    );
  }
  return { hints };
}
