// Text that came from outside (a client's path, a server's code, a sender's status, a recording)
// on its way to a terminal, a log file or a shell: one escaping for all of it. A control
// character could end a line and forge the next, or send the terminal a sequence; a bidi
// control or a zero-width character makes what is shown differ from what is there.

/**
 * C0 and C1 controls and DEL; line and paragraph separators; the bidi controls (ALM, LRM, RLM,
 * the embeddings and overrides, the isolates); zero-width and invisible characters (soft hyphen,
 * ZWSP, ZWNJ, ZWJ, word joiner and the invisible operators, the BOM).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this escapes
const unsafe = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
const escaped = (c: string) => named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** The text safe to print on one line: every unsafe character escaped (`\n`, `\u001b`, `\u202e`, …). */
export function printable(text: string): string {
  return text.replace(unsafe, escaped);
}

/** Whether printing `text` as it is would be unsafe. */
export function hasUnsafeCharacters(text: string): boolean {
  unsafe.lastIndex = 0;
  const found = unsafe.test(text);
  unsafe.lastIndex = 0;
  return found;
}

/**
 * One shell word for `text` that runs nothing when pasted into sh or bash: single quotes; or,
 * when `text` holds characters unsafe to print, bash's $'…' with each of them escaped, so the
 * line shown is the line run.
 */
export function shellQuote(text: string): string {
  if (!hasUnsafeCharacters(text)) return `'${text.replace(/'/g, `'\\''`)}'`;
  // Bytes, not code points: bash reads \u only in a UTF-8 locale, \x in any.
  const body = text
    .replace(/[\\']/g, (c) => `\\${c}`)
    .replace(unsafe, (c) => [...Buffer.from(c, "utf8")].map((byte) => `\\x${byte.toString(16).padStart(2, "0")}`).join(""));
  return `$'${body}'`;
}

/** `text` as one shell word: bare when it is letters, digits and `-` only (a method, a flag), else quoted. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9-]+$/.test(text) ? text : shellQuote(text);
}
