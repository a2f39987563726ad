// Keeping the api-key out of everything the kit prints, reports, logs or throws. A server can echo
// the key in any of the encodings a web stack produces, so masking covers each of them, and runs
// on the whole text before anything is cut short (a key cut at an excerpt's edge would show).
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

export type Masker = (text: string) => string;

const identity: Masker = (text) => text;

/**
 * A function that replaces every form of every secret, and of the secret trimmed, with `***`.
 * Percent-, \u- and hex-encodings are matched in either case (`%2F` and `%2f`). Secrets shorter
 * than four characters are not masked (they would shred ordinary text) and are refused where a
 * key is taken.
 */
export function createMasker(secrets: readonly (string | undefined)[]): Masker {
  // A server may take a secret trimmed (the mock's account check trims the api-key, a no-break
  // space included, which HTTP keeps): the trimmed secret is masked beside the one as it came.
  const given = secrets.filter((s): s is string => typeof s === "string").flatMap((s) => [s, s.trim()]);
  const forms = [...new Set(given.filter((s) => s.length >= minimumMaskable).flatMap(secretForms))];
  // Longest first, so that a form containing another is replaced whole. Encodings written in hex
  // digits (percent-escapes, \u-escapes, hex) are matched in either case, as encoders write either
  // (\u00e9 or \u00E9); the others exactly. Neither list is ever empty: a secret's hex form is hex,
  // and when the secret itself is (a `%`, hex digits, \u-escapes) its base64 form is not.
  const hexy = (form: string) => form.includes("%") || /^[0-9a-f]+$/i.test(form) || /^(\\u[0-9a-f]{4})+$/i.test(form);
  const alternation = (list: string[]) => [...list].sort((a, b) => b.length - a.length).map(escapeRegExp).join("|");
  if (forms.length === 0) return identity;
  const patterns = [new RegExp(alternation(forms.filter((form) => !hexy(form))), "g"), new RegExp(alternation(forms.filter(hexy)), "gi")];
  return (text) => {
    let masked = text;
    for (const pattern of patterns) masked = masked.replace(pattern, maskedSecret);
    return masked;
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
