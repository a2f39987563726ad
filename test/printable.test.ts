// Output that others write: one escaping (src/http/printable.ts) for every printed text that
// came from outside, and shell quoting for every part of a curl line, so that a line pasted from
// our output runs nothing but what it shows.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { startCallbackReceiver } from "../src/callbacks/receiver.ts";
import { webhook } from "../src/contract/webhook.ts";
import { hasUnsafeCharacters, printable, shellQuote, shellWord } from "../src/http/printable.ts";
import { curlFor } from "../src/judge/wire.ts";
import { fetchWithin } from "./support/wait.ts";

const unsafe = [
  "\u0000",
  "\u0007",
  "\t",
  "\n",
  "\r",
  "\u001b",
  "\u007f",
  "\u0085",
  "\u009b",
  "\u00ad",
  "\u061c",
  "\u200b",
  "\u200c",
  "\u200d",
  "\u200e",
  "\u200f",
  "\u2028",
  "\u2029",
  "\u202a",
  "\u202b",
  "\u202c",
  "\u202d",
  "\u202e",
  "\u2060",
  "\u2064",
  "\u2066",
  "\u2067",
  "\u2068",
  "\u2069",
  "\ufeff",
];
const safe = ["a", "Z", " ", "~", "é", "中", "😀", "\u00a0", "\u2010", "\u2030", "\u206a", "\ufefe"];

/** What bash makes of a line: each argument of `curl`, printed one a line, with nothing run. */
function argumentsOf(line: string, cwd: string): string[] {
  const out = execFileSync("bash", ["-c", `curl() { printf '%s\\0' "$@"; }\n${line}`], {
    cwd,
    encoding: "utf8",
    env: { PATH: process.env.PATH, KALEYRA_API_KEY: "k" },
  });
  return out.split("\0").slice(0, -1);
}

describe("printable", () => {
  it("escapes each unsafe character, and only those", () => {
    expect(unsafe.map(printable)).toEqual(
      unsafe.map((c) => ({ "\t": "\\t", "\n": "\\n", "\r": "\\r" })[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
    );
    expect(safe.map(printable)).toEqual(safe);
    expect([...unsafe, ...safe].map(hasUnsafeCharacters)).toEqual([...unsafe.map(() => true), ...safe.map(() => false)]);
    // The global pattern keeps no state between calls.
    expect([hasUnsafeCharacters("\u001b"), hasUnsafeCharacters("\u001b"), hasUnsafeCharacters("a")]).toEqual([true, true, false]);
  });

  it("leaves no unsafe character in anything it prints", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => !hasUnsafeCharacters(printable(text))),
      { numRuns: 500 },
    );
  });
});

describe("shell quoting", () => {
  it("gives bash back exactly the text, runs nothing, and shows no unsafe character", () => {
    const cwd = mkdtempSync(join(tmpdir(), "quote-"));
    // biome-ignore lint/suspicious/noTemplateCurlyInString: `${HOME}` is shell text, not a template
    const hostile = ["'; touch pwned; '", "$(touch pwned)", "`touch pwned`", "a\nb", "\u001b[31mred", "x\u202eevil", "\\'", "!!", "*", "~", "${HOME}", ""];
    // One bash for all of them: each `curl` line must come back as exactly its one text.
    const texts = [
      ...hostile,
      ...fc.sample(
        fc.string({ unit: "binary" }).filter((text) => !text.includes("\u0000")),
        { numRuns: 300, seed: 7 },
      ),
    ];
    const quoted = texts.map(shellQuote);
    expect(quoted.filter(hasUnsafeCharacters)).toEqual([]);
    expect(argumentsOf(quoted.map((word) => `curl ${word}`).join("\n"), cwd)).toEqual(texts);
    expect(existsSync(join(cwd, "pwned"))).toBe(false);
    expect([shellWord("POST"), shellWord("M-SEARCH"), shellWord("POST;id"), shellWord("")]).toEqual(["POST", "M-SEARCH", "'POST;id'", "''"]);
  });

  it("quotes a recording's method in a curl line: pasted, it runs nothing", () => {
    const cwd = mkdtempSync(join(tmpdir(), "curl-"));
    const method = "POST 'x'; touch pwned; echo \u001b[2J";
    const line = curlFor("http://127.0.0.1:1", { method, sid: "S", phoneNumber: "+918630005920", key: "account", body: "{}", contentType: "application/json" });
    expect(hasUnsafeCharacters(line)).toBe(false);
    const args = argumentsOf(line, cwd);
    expect(args.slice(0, 3)).toEqual(["-X", method, "http://127.0.0.1:1/v2/S/whatsapp/+918630005920/messages"]);
    expect(existsSync(join(cwd, "pwned"))).toBe(false);
  });
});

describe("the callback receiver's lines", () => {
  it("escape what the sender chose: no forged line, no terminal sequence", async () => {
    const lines: string[] = [];
    const receiver = await startCallbackReceiver({ port: 0, host: "127.0.0.1", line: (text) => lines.push(text) });
    try {
      const forged = { ...webhook().exampleOf("SENT"), status: "SENT\u001b[2K\rREAD A7W8 ok\u202e", message_id: "X\nREAD Y ok" };
      await fetchWithin(receiver.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(forged) });
      expect(lines).toHaveLength(1);
      expect(hasUnsafeCharacters(lines[0]!)).toBe(false);
      expect(lines[0]!.startsWith("SENT\\u001b[2K\\rREAD A7W8 ok\\u202e X\\nREAD Y ok ✗ ")).toBe(true);
    } finally {
      await receiver.close();
    }
  });
});
