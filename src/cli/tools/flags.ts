// Flags that several commands share (conform, proxy), read one way: a target or upstream, whole
// numbers in a range, report files (and their writing), and check names.
import { writeFileSync } from "node:fs";
import { checkNames, selectChecks, type CheckName } from "../../judge/checks.ts";
import { jsonReport, junit } from "../../judge/report.ts";
import type { RunResult } from "../../judge/result.ts";
import { podUrl, podUrls } from "../../client/pods.ts";
import { withoutCredentials } from "../../http/secrets.ts";
import { UsageError, wholeFlag } from "../output.ts";

export { wholeFlag };

/** The flags of judging answers, the same for conform and proxy (parseArgs options). */
export const judgingFlags = {
  checks: { type: "string", multiple: true },
  "exclude-checks": { type: "string", multiple: true },
  "max-response-time": { type: "string" },
  lenient: { type: "boolean" },
  report: { type: "string", multiple: true },
} as const;

/** Requests a second: a positive number up to 10000, decimals allowed (0.5 is one every 2 s). */
export function rateFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(number > 0) || number > 10_000)
    throw new UsageError(`--${flag} must be a number of requests a second, above 0 and at most 10000`);
  return number;
}

/** The base URL of a target (a URL or a pod's name); credentials, queries and fragments are refused, never echoed. */
export function baseUrlFlag(value: string, flag: string): string {
  const pods = Object.keys(podUrls()).join(", ");
  const named = podUrl(value);
  if (named) return named;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--${flag} must be an http(s) URL or one of the pods ${pods}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--${flag} must be an http(s) URL or one of the pods ${pods}`);
  if (url.username || url.password) {
    throw new UsageError(
      `--${flag} must not carry a user name or password (${withoutCredentials(url.href)}); the kit sends the api-key, and nothing else, as credentials`,
    );
  }
  // In the text as typed: the URL parser drops an empty query or fragment ("http://h/?").
  if (/[?#]/.test(value)) throw new UsageError(`--${flag} must not have a query or fragment`);
  return url.href.replace(/\/+$/, "");
}

export interface ReportSpec {
  kind: "junit" | "json";
  file: string;
}

export function reportFlags(specs: readonly string[] | undefined): ReportSpec[] {
  return (specs ?? []).map((spec) => {
    const [kind, file] = spec.split("=", 2);
    if ((kind !== "junit" && kind !== "json") || !file)
      throw new UsageError(`--report takes junit=FILE or json=FILE, not ${JSON.stringify(spec).slice(0, 80)}`);
    return { kind, file };
  });
}

/** The reports asked for, written for the result (and, with io, said so). */
export function writeReports(result: RunResult, reports: readonly ReportSpec[], io?: { err: (text: string) => void }): void {
  for (const { kind, file } of reports) {
    writeFileSync(file, kind === "junit" ? junit(result) : jsonReport(result));
    io?.err(`${kind} report written to ${file}`);
  }
}

/** --checks and --exclude-checks (comma-separated, may repeat); unknown names are refused by name. */
export function checkFlags(only: readonly string[] | undefined, exclude: readonly string[] | undefined): CheckName[] | undefined {
  const split = (values: readonly string[] | undefined) =>
    values
      ?.flatMap((value) => value.split(","))
      .map((name) => name.trim())
      .filter(Boolean);
  const wanted = split(only);
  const unwanted = split(exclude);
  if (wanted === undefined && unwanted === undefined) return undefined;
  const { selected, unknown } = selectChecks(wanted, unwanted);
  if (unknown.length)
    throw new UsageError(`unknown check ${unknown.map((name) => JSON.stringify(name.slice(0, 40))).join(", ")}; the checks are ${checkNames.join(", ")}`);
  if (selected.size === 0) throw new UsageError("--checks and --exclude-checks leave no check to run");
  return [...selected];
}
