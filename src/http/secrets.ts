// Keeping the api-key out of everything the kit prints, reports, logs or throws. A server can echo
// the key in any of the encodings a web stack produces, so masking covers each of them, and runs
// on the whole text before anything is cut short (a key cut at an excerpt's edge would show).
import { createHash, timingSafeEqual } from "node:crypto";

export const maskedSecret = "***";

/** The shortest secret worth masking: below this, masking would shred ordinary text. */
const minimumMaskable = 4;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Percent-encodes every byte, as some stacks do, in the case the regexp ignores anyway. */
const percentEveryByte = (text: string) => [...Buffer.from(text, "utf8")].map((byte) => `%${byte.toString(16).padStart(2, "0")}`).join("");

const jsonUnicodeEscaped = (text: string) => [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");

const htmlEscaped = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

/** Every form in which a server, a proxy or a logger may write the secret back. */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>([
    secret,
    JSON.stringify(secret).slice(1, -1),
    JSON.stringify(secret).slice(1, -1).replace(/\//g, "\\/"),
    jsonUnicodeEscaped(secret),
    encodeURIComponent(secret),
    encodeURI(secret),
    new URLSearchParams({ k: secret }).toString().slice(2),
    escape(secret),
    percentEveryByte(secret),
    htmlEscaped(secret),
    Buffer.from(secret, "utf8").toString("base64"),
    Buffer.from(secret, "utf8").toString("base64").replace(/=+$/, ""),
    Buffer.from(secret, "utf8").toString("base64url"),
    Buffer.from(secret, "utf8").toString("hex"),
  ]);
  return [...forms].filter((form) => form.length >= minimumMaskable);
}

/**
 * Replaces every form of the secrets in `text` with `***`. `cut`: the text was cut short at its end
 * (a body kept to a limit), so a form of a secret that the cut left a prefix of, of at least four
 * characters, is masked too.
 */
export type Masker = (text: string, cut?: boolean) => string;

const identity: Masker = (text) => text;

/** A hex string as a regexp matching it in either case (`2f` → `2[fF]`). */
const anyCase = (hex: string) => [...hex].map((c) => (/[a-f]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c)).join("");
const hex2 = (code: number) => code.toString(16).padStart(2, "0");
const hex4 = (code: number) => code.toString(16).padStart(4, "0");

/**
 * Every way one character of a secret may be written where text is encoded piece by piece: as
 * itself, JSON-escaped, \u-escaped, percent-encoded (UTF-8 or `escape()`'s %u), `+` for a space,
 * or as an HTML entity. A server may encode some characters of a key and not others (only the
 * first in a path, one \u in a body), so the secret is matched one character at a time.
 */
function characterForms(c: string, caseless: boolean): string {
  const code = c.codePointAt(0)!;
  // A secret of hex digits alone may come back in either case, as a hex form would.
  const alternatives = new Set<string>([caseless ? anyCase(c) : escapeRegExp(c), escapeRegExp(JSON.stringify(c).slice(1, -1))]);
  if (c === "/") alternatives.add("\\\\/");
  const units = c.length === 2 ? [c.charCodeAt(0), c.charCodeAt(1)] : [code];
  alternatives.add(units.map((unit) => `\\\\u${anyCase(hex4(unit))}`).join(""));
  alternatives.add([...Buffer.from(c, "utf8")].map((byte) => `%${anyCase(hex2(byte))}`).join(""));
  if (code > 0xff && code <= 0xffff) alternatives.add(`%u${anyCase(hex4(code))}`);
  if (c === " ") alternatives.add("\\+");
  alternatives.add(`&#0*${code};`);
  alternatives.add(`&#[xX]0*${anyCase(code.toString(16))};`);
  const named: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };
  if (named[c]) alternatives.add(named[c]);
  return `(?:${[...alternatives].join("|")})`;
}

/**
 * Base64 of the secret as it appears inside a longer base64 text (`Basic base64(user:key)`): at each
 * of the three alignments, the characters that come from the secret's bytes alone.
 */
function embeddedBase64(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  const found: string[] = [];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes])
      .toString("base64")
      .replace(/=+$/, "");
    // Leading characters that hold padding bits, trailing ones that hold bits of what follows.
    const head = offset === 0 ? 0 : offset + 1;
    const tail = (offset + bytes.length) % 3 === 0 ? 0 : 1;
    const inner = encoded.slice(head, encoded.length - tail);
    if (inner.length >= 8) found.push(inner, inner.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return found;
}

/**
 * A function that replaces every form of every secret, and of the secret trimmed, with `***`:
 * each character in any of its encodings (so a key encoded in part is found whole), its base64
 * and hex forms, and its base64 inside a longer base64 text. Hex digits are matched in either
 * case, as encoders write either. Secrets shorter than four characters are not masked (they would
 * shred ordinary text) and are refused where a key is taken.
 */
export function createMasker(secrets: readonly (string | undefined)[]): Masker {
  // A server may take a secret trimmed (the mock's account check trims the api-key, a no-break
  // space included, which HTTP keeps): the trimmed secret is masked beside the one as it came.
  const given = [...new Set(secrets.filter((s): s is string => typeof s === "string").flatMap((s) => [s, s.trim()]))].filter(
    (s) => s.length >= minimumMaskable,
  );
  if (given.length === 0) return identity;
  // Longest first, so that a form containing another is replaced whole.
  const byLength = (a: string, b: string) => b.length - a.length;
  // The whole forms, and the secret's base64 inside a longer base64 text, searched in one pass.
  const forms = [...new Set([...given.flatMap(secretForms), ...given.flatMap(embeddedBase64)])];
  // Whole forms: encodings written in hex digits (percent-escapes, \u-escapes, hex) are matched in
  // either case, as encoders write either (\u00e9 or \u00E9); the others exactly. Neither list is
  // ever empty: a secret's hex form is hex, and when the secret itself is, its base64 form is not.
  const hexy = (form: string) => form.includes("%") || /^[0-9a-f]+$/i.test(form) || /^(\\u[0-9a-f]{4})+$/i.test(form);
  const alternation = (list: string[]) => [...list].sort(byLength).map(escapeRegExp).join("|");
  const wholeForms = [new RegExp(alternation(forms.filter((form) => !hexy(form))), "g"), new RegExp(alternation(forms.filter(hexy)), "gi")];
  // Then each character in any of its encodings: a key encoded in part.
  const spelled = given.sort(byLength).map((secret) => [...secret].map((c) => characterForms(c, /^[0-9a-f]+$/i.test(secret))));
  const mixed = new RegExp(spelled.map((characters) => characters.join("")).join("|"), "g");
  // At a cut end: the first four characters or more of a secret, in any of their encodings.
  const prefix = (characters: string[]) =>
    characters.slice(0, minimumMaskable).join("") + characters.slice(minimumMaskable).reduceRight((rest, character) => `(?:${character}${rest})?`, "");
  const cutEnd = new RegExp(`(?:${spelled.map(prefix).join("|")})$`);
  // A key in part is written with an escape character: text without one skips that search.
  const escapes = given.some((secret) => secret.includes(" ")) ? /[%\\&+]/ : /[%\\&]/;
  return (text, cut = false) => {
    let masked = text;
    for (const pattern of wholeForms) masked = masked.replace(pattern, maskedSecret);
    if (escapes.test(masked)) masked = masked.replace(mixed, maskedSecret);
    return cut ? masked.replace(cutEnd, maskedSecret) : masked;
  };
}

/** Cuts text to `limit` characters after masking, so no part of a secret survives the cut. */
export function excerpt(text: string, mask: Masker, limit = 500): string {
  const masked = mask(text);
  return masked.length > limit ? `${masked.slice(0, limit)}…` : masked;
}

/** The URL with any user name and password replaced by `***`; unparsable input is masked whole. */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = parsed.username ? maskedSecret : "";
    parsed.password = parsed.password ? maskedSecret : "";
    return parsed.href;
  } catch {
    return "(not a URL)";
  }
}

/**
 * Why a value cannot be an HTTP header value carrying a secret, or undefined when it can: it
 * must be non-empty visible ASCII (RFC 9110 field-vchar, without obs-text). The reason never
 * quotes the value.
 */
export function headerValueProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return "must be a string";
  if (value.length === 0) return "must not be empty";
  if (value.trim() === "") return "must not be blank";
  if (/[\r\n]/.test(value)) return "must not contain a line break (CR or LF)";
  if (value.includes("\u0000")) return "must not contain NUL";
  if (/[^\x21-\x7e]/.test(value)) return "must be visible ASCII characters only (no spaces, control or non-ASCII characters)";
  if (value.length < minimumMaskable) return `must be at least ${minimumMaskable} characters`;
  return undefined;
}

/** A parsed JSON value with every string in it (keys too) masked: encodings can nest. */
export function maskDeep(value: unknown, mask: Masker): unknown {
  if (typeof value === "string") return mask(value);
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, mask));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [mask(key), maskDeep(item, mask)]));
  }
  return value;
}

/** Whether a given secret (a key, a token) is the expected one; hashing first makes the comparison constant-time whatever the lengths. */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * The keys an api-key header's value may hold: Node joins a repeated header with ", ", so each
 * part is a key the client sent (and the whole, in case one key has ", " in it). Each is masked.
 */
export function keysIn(header: string): string[] {
  return header.includes(", ") ? [header, ...header.split(", ")] : [header];
}
