// JSON from outside, read under one bound on nesting. JSON.parse takes thousands of levels, but
// every walk of the value afterwards (masking, serializing, comparing) recurses as deep as the
// input goes, and a stack overflow there is a crash that one request can cause. So every reader
// in the kit (the mock's intake and admin API, the client and admin client, the callback
// receiver and checker, conformance, the proxy, replay) parses through here, and nesting deeper
// than the bound is refused at the door, before any walk.

/** The deepest JSON any reader of the kit takes: the contract's bodies nest a handful of levels. */
export const maxJsonDepth = 64;

/**
 * The deepest request body the mock parses as JSON (deeper is refused like malformed JSON, and
 * kept as text): the admin API's answers embed a body a few levels down (the journal's page,
 * entry, body), and must stay within `maxJsonDepth` for every reader of them.
 */
export const maxBodyDepth = 32;

/**
 * Whether `text` holds more than `limit` opening brackets (`{` and `[`), strings included: found
 * by native search, so cheap. Nesting past `limit` takes more, so a text with fewer is shallow.
 */
export function opensMoreThan(text: string, limit: number): boolean {
  let opened = 0;
  for (const bracket of ["{", "["]) {
    for (let at = text.indexOf(bracket); at >= 0; at = text.indexOf(bracket, at + 1)) if (++opened > limit) return true;
  }
  return false;
}

/** Whether `text` nests arrays and objects deeper than `limit`; strings are skipped, escapes included. O(n), no recursion. */
export function nestsDeeperThan(text: string, limit: number): boolean {
  // Nesting past the limit takes more opening brackets than the limit: most texts have a handful,
  // and the character-by-character walk below is for those that do not.
  if (!opensMoreThan(text, limit)) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** `malformed`: not JSON; `too-deep`: JSON nested past the limit. `problem` says which, in words. */
export type JsonRead = { ok: true; value: unknown } | { ok: false; kind: "malformed" | "too-deep"; problem: string };

/**
 * The value of `text`, or why it is not one the kit reads. The problem never quotes the text:
 * V8's message carries an excerpt of it, which may hold a secret.
 */
export function parseJson(text: string, limit = maxJsonDepth): JsonRead {
  if (nestsDeeperThan(text, limit)) return { ok: false, kind: "too-deep", problem: `nests deeper than ${limit} levels` };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const at = /at position (\d+)/.exec(error instanceof Error ? error.message : "")?.[1];
    return { ok: false, kind: "malformed", problem: at === undefined ? "malformed JSON" : `malformed JSON at position ${at}` };
  }
}
