// How the CLI reports: one exit code per kind of failure, human lines or --json.
import type { KaleyraError } from "../client/errors.ts";

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

/** The error as plain data for --json: what a script needs, never the key. */
export function errorAsJson(error: KaleyraError): Record<string, unknown> {
  switch (error.kind) {
    case "api":
      return { ok: false, kind: "api", status: error.status, code: error.code, documented: error.documented, reason: error.reason ?? null, message: error.apiMessage, details: error.details };
    case "validation":
      return { ok: false, kind: "validation", message: error.message, issues: error.issues };
    case "transport":
      return { ok: false, kind: "transport", reason: error.reason, status: error.status ?? null, message: error.message };
    case "admin":
      return { ok: false, kind: "admin", status: error.status, message: error.problem.detail, errors: error.problem.errors };
  }
}

export function errorAsText(error: KaleyraError): string {
  switch (error.kind) {
    case "api": {
      const details = Object.entries(error.details).map(([part, text]) => `\n  ${part}: ${text}`).join("");
      const documented = error.documented ? "" : " (not a code the contract documents)";
      return `Error ${error.code} (HTTP ${error.status})${documented}: ${error.apiMessage}${details}`;
    }
    case "validation":
      return `Not sent: the request breaks the contract.${error.issues.map((issue) => `\n  ${issue.field}: ${issue.message}`).join("")}`;
    case "transport":
      return `Error (${error.reason}): ${error.message}`;
    case "admin":
      return `Error (HTTP ${error.status}) from the mock's admin API: ${error.problem.detail}`;
  }
}

/** A port in use, or one that may not be bound, in one line. */
export function listenProblem(error: unknown, host: string, port: number): UsageError | undefined {
  const code = (error as { code?: string }).code;
  if (code === "EADDRINUSE") return new UsageError(`port ${port} on ${host} is in use; pick another with --port (0 picks a free one)`);
  if (code === "EACCES" || code === "EADDRNOTAVAIL") return new UsageError(`cannot listen on ${host}:${port} (${code}); pick another with --port or --host`);
  return undefined;
}
