// A conformance run made by hand, with one of each kind of outcome, for the reports' tests: the
// reports are compared whole (golden text, reviewed when it changes), so no line, count or word
// drops unseen.
import type { CheckName } from "../../src/judge/checks.ts";
import type { RunResult } from "../../src/judge/result.ts";

type Outcome = RunResult["outcomes"][number];

export const outcome = (
  category: string,
  title: string,
  status: number | undefined,
  code: string | undefined,
  checks: Outcome["checks"],
  example?: string,
  transportError?: string,
): Outcome => ({
  testCase: { category, title } as Outcome["testCase"],
  observed: (status === undefined
    ? { status: undefined, transportError, text: "", milliseconds: 7 }
    : { status, json: { code }, text: JSON.stringify({ code, message: "m" }), milliseconds: 12.5 }) as unknown as Outcome["observed"],
  checks,
  example,
  curl: `curl -X POST '${title}'`,
});

export const ok = (name: CheckName) => ({ name, ok: true, detail: "" });

export const made = (extra: Partial<RunResult> = {}): RunResult => ({
  target: "http://127.0.0.1:4010",
  mode: "mock",
  remote: false,
  seed: 42,
  outcomes: [
    outcome("valid", "by-media-id", 202, "WA202", [ok("status_documented"), ok("no_server_error")], "accepted"),
    outcome(
      "invalid",
      "caption too long",
      500,
      "WA500",
      [ok("status_documented"), { name: "no_server_error", ok: false, detail: "500 to a request it should refuse", severity: "violation" }],
      "internal-error",
    ),
    outcome(
      "invalid",
      "caption of 1025",
      202,
      "WA202",
      [ok("status_documented"), { name: "rejects_invalid", ok: false, detail: "took it", severity: "leniency", fields: ["messaging_object.video.caption"] }],
      "accepted",
    ),
    outcome("valid", "by-link", 429, "WA429", [{ name: "status_documented", ok: false, detail: "429 is not documented" }]),
    outcome("valid", "with-extra-info", undefined, undefined, [{ name: "answered", ok: false, detail: "no answer: ECONNRESET" }], undefined, "ECONNRESET"),
  ],
  shrunk: outcome("generated", "smallest", 500, "WA500", [{ name: "no_server_error", ok: false, detail: "500" }]),
  acceptableSent: 2,
  requestsSent: 9,
  interrupted: undefined,
  callbacks: {
    messages: 2,
    received: 5,
    findings: [
      { check: "in_order", messageId: "M1", message: "READ after nothing" },
      { check: "valid", messageId: undefined, message: "bad" },
    ],
  } as RunResult["callbacks"],
  diagnosis: undefined,
  hints: ["the target answers 500 to malformed JSON"],
  lenient: false,
  ok: false,
  ...extra,
});
