// One line per request on stdout, so whoever runs the mock sees why a request was refused.
// Everything in a line that a client chose (method, path, the reasons quoting its body) is
// escaped, so no client can start a line of its own or send the terminal a control sequence;
// each line is cut to a bound after the api-key is masked out, in every form it may take.
// Headers are never logged.
import { createMasker, keysIn, type Masker } from "../http/secrets.ts";
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

/** Maskers by key, the 16 last used kept: most clients send one key, and compiling one per request is waste. */
export function maskersByKey(accountKey: string | undefined, adminToken: string | undefined): (key: string | undefined) => Masker {
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
export function createRequestLog(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stdout.write(line),
  accountKey?: string,
  adminToken?: string,
): RequestLog | undefined {
  if (level === "silent") return undefined;
  const maskerFor = maskersByKey(accountKey, adminToken);
  return ({ method, path, status, code, milliseconds, notes, apiKey }) => {
    const why = notes.length ? ` — ${notes.join("; ")}` : "";
    const query = path.indexOf("?");
    const shownPath = query < 0 ? path : path.slice(0, query);
    const line = escapeLine(maskerFor(apiKey)(`${method} ${shownPath} → ${status}${code ? ` ${code}` : ""} (${milliseconds.toFixed(1)} ms)${why}`));
    const bounded = line.length > maxLogLineLength ? `${line.slice(0, maxLogLineLength)}… (${line.length - maxLogLineLength} more characters)` : line;
    write(`${bounded}\n`);
  };
}

/**
 * Where the mock's lines go, gathered: text is kept and handed to the destination in chunks,
 * so a request costs a string append, not a write system call. A chunk goes when it reaches
 * `chunkChars`, when the oldest line in it has waited `intervalMs` (someone following the log
 * sees each line within that), on `flush()`, and on `end()`, after which each text goes at once
 * (a line a late request writes is never left behind). Every chunk is whole lines.
 */
export interface LineOutput {
  /** Takes whole lines, each ending in a newline. */
  write(text: string): void;
  /** Hands what is gathered to the destination now. */
  flush(): void;
  /** Flushes; from then on each text is handed over as it comes. */
  end(): void;
}

/** About 16 KB: a few hundred lines a write, well within what a pipe holds (64 KB on Linux). */
export const logChunkChars = 16_384;
/** The longest a line waits in the buffer. */
export const logFlushIntervalMs = 100;

export function bufferedOutput(sink: (chunk: string) => void, chunkChars = logChunkChars, intervalMs = logFlushIntervalMs): LineOutput {
  let pending = "";
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  const flush = () => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (pending === "") return;
    const chunk = pending;
    pending = "";
    sink(chunk);
  };
  return {
    write(text) {
      if (ended) {
        sink(text);
        return;
      }
      pending += text;
      if (pending.length >= chunkChars) flush();
      // Unref'd: a timer must not keep the process alive; whoever ends the process ends the output.
      else if (timer === undefined) timer = setTimeout(flush, intervalMs).unref();
    },
    flush,
    end() {
      ended = true;
      flush();
    },
  };
}

const endAtExit = new Set<LineOutput>();

/**
 * Ends `output` when the process exits (process.exit, the end of the event loop, an uncaught
 * exception): what it gathered is written, synchronously, as stdout writes to a file, a pipe or a
 * terminal on Linux. One listener for all outputs. Returns a function that takes `output` off the
 * list, for an output ended before the process exits.
 */
export function endOnExit(output: LineOutput): () => void {
  if (endAtExit.size === 0) process.once("exit", endAllAtExit);
  endAtExit.add(output);
  return () => {
    endAtExit.delete(output);
    if (endAtExit.size === 0) process.removeListener("exit", endAllAtExit);
  };
}

function endAllAtExit(): void {
  for (const output of endAtExit) output.end();
  endAtExit.clear();
}

/** The process's stdout, gathered, and ended when the process exits. */
export function bufferedStdout(): LineOutput & { release(): void } {
  const output = bufferedOutput((chunk) => process.stdout.write(chunk));
  const release = endOnExit(output);
  return {
    ...output,
    release() {
      output.end();
      release();
    },
  };
}
