// How the CLI reports: one exit code per kind of failure, human lines or --json.
import type { KaleyraError } from "../client/errors.ts";
import { bindProblem } from "../http/listen.ts";
import { plainText } from "../contract/plain-text.ts";

/** What a command reads and writes: its environment, and its two streams. */
export interface CommandIo {
  env: NodeJS.ProcessEnv;
  out: (text: string) => void;
  err: (text: string) => void;
}

export const exitCodes = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  validation: 3,
  api: 4,
  transport: 5,
  /** The mock's admin API refused the call: a server's refusal, like `api`. */
  admin: 4,
} as const;

export function exitCodeOf(error: KaleyraError): number {
  return exitCodes[error.kind];
}

export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A mistake in the command line: ours, or parseArgs' (unknown or malformed flags are errors with an ERR_PARSE_ARGS code). */
export function isUsageError(error: unknown): error is Error {
  if (error instanceof UsageError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === "string" && code.startsWith("ERR_PARSE_ARGS");
}

/** A whole-number flag from min to max, or undefined when the flag is absent: every command reads them this way. */
export function wholeFlag(value: string | undefined, flag: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < min || number > max)
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}`);
  return number;
}

/** The error as plain data for --json: what a script needs, never the key. */
export function errorAsJson(error: KaleyraError): Record<string, unknown> {
  switch (error.kind) {
    case "api":
      return {
        ok: false,
        kind: "api",
        status: error.status,
        code: error.code,
        documented: error.documented,
        reason: error.reason ?? null,
        message: error.apiMessage,
        details: error.details,
      };
    case "validation":
      return { ok: false, kind: "validation", message: error.message, issues: error.issues };
    case "transport":
      return { ok: false, kind: "transport", reason: error.reason, status: error.status ?? null, message: error.message };
    case "admin":
      return { ok: false, kind: "admin", status: error.status, message: error.problem.detail, errors: error.problem.errors };
  }
}

/** One issue a field (a link that breaks both its pattern and its format says so once). */
function firstPerField<T extends { field: string }>(issues: readonly T[]): T[] {
  const seen = new Set<string>();
  return issues.filter((issue) => !seen.has(issue.field) && seen.add(issue.field));
}

/**
 * The error in at most two lines: what happened, then the details on one line. `inFlags` puts the
 * command's own words (flags, variables) for the client's fields and options.
 */
export function errorAsText(error: KaleyraError, inFlags: (text: string) => string = (text) => text): string {
  const details = (parts: string[]) => (parts.length ? `\n  ${parts.map((part) => part.replace(/\.$/, "")).join("; ")}` : "");
  switch (error.kind) {
    case "api": {
      const documented = error.documented ? "" : " (not a code the contract documents)";
      return `Error ${error.code} (HTTP ${error.status})${documented}: ${error.apiMessage}${details(Object.entries(error.details).map(([part, text]) => `${part}: ${text}`))}`;
    }
    case "validation":
      return error.issues.length
        ? `Not sent: the request breaks the contract.${details(firstPerField(error.issues).map((issue) => `${inFlags(issue.field)}: ${inFlags(plainText(issue.message))}`))}`
        : `Not sent: ${inFlags(plainText(error.message))}`;
    case "transport":
      return `Error (${error.reason}): ${error.message}`;
    case "admin":
      return `Error (HTTP ${error.status}) from the mock's admin API: ${error.problem.detail}`;
  }
}

/** A port in use, or one that may not be bound, in one line naming the flags to change. */
export function listenProblem(error: unknown, host: string, port: number): UsageError | undefined {
  const problem = bindProblem(error, host, port, "pick another with --port (0 picks a free one)");
  return problem === undefined ? undefined : new UsageError(problem);
}
