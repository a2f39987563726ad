// One line per request on stdout, so whoever runs the mock sees why a request was refused.
// Headers are never logged: they carry the api-key.
import type { LogLevel } from "./config.ts";

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  code: string | undefined;
  milliseconds: number;
  notes: readonly string[];
}

export type RequestLog = (entry: RequestLogEntry) => void;

/** Undefined when silent, so that nothing is even gathered for it. */
export function createRequestLog(level: LogLevel, write: (line: string) => void = (line) => process.stdout.write(line)): RequestLog | undefined {
  if (level === "silent") return undefined;
  return ({ method, path, status, code, milliseconds, notes }) => {
    const why = notes.length ? ` — ${notes.join("; ")}` : "";
    write(`${method} ${path} → ${status}${code ? ` ${code}` : ""} (${milliseconds.toFixed(1)} ms)${why}\n`);
  };
}
