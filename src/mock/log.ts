// One line per request on stdout, so whoever runs the mock sees why a request was refused.
// Everything in a line that a client chose (method, path, the reasons quoting its body) is
// escaped, so no client can start a line of its own or send the terminal a control sequence;
// each line is cut to a bound after the api-key is masked out, in every form it may take.
// Headers are never logged.
import { createMasker, type Masker } from "../http/secrets.ts";
import { keysIn } from "./intake.ts";
import { printable } from "../http/printable.ts";
import type { LogLevel } from "./config.ts";

export interface RequestLogEntry {
  method: string;
  /** The request target as sent (its query is dropped). */
  path: string;
  /** The status sent, or the fault played instead. */
  status: number | string;
  code: string | undefined;
  milliseconds: number;
  notes: readonly string[];
  /** The api-key the request carried, masked wherever the line would quote it. */
  apiKey: string | undefined;
}

export type RequestLog = (entry: RequestLogEntry) => void;

/** The longest line written, in characters; the rest is counted, not written. */
export const maxLogLineLength = 2_000;

/** The text safe for one line: the kit's one escaping for outside text (controls, bidi, zero-width). */
export const escapeLine = printable;

/** Maskers by key, a few kept: most clients send one key, and compiling one per request is waste. */
function maskers(accountKey: string | undefined, adminToken: string | undefined): (key: string | undefined) => Masker {
  const account = createMasker([accountKey, adminToken]);
  const cache = new Map<string, Masker>();
  return (key) => {
    if (key === undefined || key === accountKey) return account;
    let masker = cache.get(key);
    if (!masker) {
      if (cache.size >= 16) cache.delete(cache.keys().next().value!);
      const own = createMasker(keysIn(key));
      masker = (text, cut) => account(own(text, cut), cut);
      cache.set(key, masker);
    }
    return masker;
  };
}

/** Undefined when silent, so that nothing is even gathered for it. */
export function createRequestLog(level: LogLevel, write: (line: string) => void = (line) => process.stdout.write(line), accountKey?: string, adminToken?: string): RequestLog | undefined {
  if (level === "silent") return undefined;
  const maskerFor = maskers(accountKey, adminToken);
  return ({ method, path, status, code, milliseconds, notes, apiKey }) => {
    const why = notes.length ? ` — ${notes.join("; ")}` : "";
    const query = path.indexOf("?");
    const shownPath = query < 0 ? path : path.slice(0, query);
    const line = escapeLine(maskerFor(apiKey)(`${method} ${shownPath} → ${status}${code ? ` ${code}` : ""} (${milliseconds.toFixed(1)} ms)${why}`));
    const bounded = line.length > maxLogLineLength ? `${line.slice(0, maxLogLineLength)}… (${line.length - maxLogLineLength} more characters)` : line;
    write(`${bounded}\n`);
  };
}
