// The mock's request log, line by line: what is escaped, masked, dropped and cut, at its limits.
import { describe, expect, it } from "vitest";
import { createRequestLog, escapeLine, maxLogLineLength, type RequestLogEntry } from "../src/mock/log.ts";

const entry = (extra: Partial<RequestLogEntry> = {}): RequestLogEntry => ({ method: "POST", path: "/v2/x/messages", status: 202, code: "WA202", milliseconds: 1.25, notes: [], apiKey: undefined, ...extra });

function lines(level: "info" | "silent" = "info", accountKey?: string, adminToken?: string) {
  const written: string[] = [];
  const log = createRequestLog(level, (line) => written.push(line), accountKey, adminToken);
  return { log, written };
}

describe("the mock's request log", () => {
  it("escapes every control character a client could send, each in its own way", () => {
    expect(escapeLine("a\nb\rc\td\u001be\u0000f\u007fg\u009fh\u2028i\u2029j")).toBe("a\\nb\\rc\\td\\u001be\\u0000f\\u007fg\\u009fh\\u2028i\\u2029j");
    expect(escapeLine("plain ünïcode ✓")).toBe("plain ünïcode ✓");
  });

  it("writes one line per request: method, path without its query, status, code, time, and the reasons", () => {
    const { log, written } = lines();
    log!(entry());
    log!(entry({ path: "/v2/x/messages?api-key=abc&x=1", status: 400, code: "WA400", notes: ["caption too long", "ref too long"] }));
    log!(entry({ path: "?only=query", status: "reset", code: undefined }));
    expect(written).toEqual([
      "POST /v2/x/messages → 202 WA202 (1.3 ms)\n",
      "POST /v2/x/messages → 400 WA400 (1.3 ms) — caption too long; ref too long\n",
      "POST  → reset (1.3 ms)\n",
    ]);
  });

  it("writes nothing, and gathers nothing, when silent", () => {
    expect(lines("silent").log).toBeUndefined();
    expect(lines("info").log).toBeTypeOf("function");
  });

  it("masks the account's key, the admin token and each request's own key, even past the cache of 16 keys", () => {
    const { log, written } = lines("info", "account-key-1", "admin-token-1");
    const own = Array.from({ length: 20 }, (_, i) => `own-key-${String(i).padStart(2, "0")}`);
    for (const key of [...own, own[0]!, "account-key-1"]) log!(entry({ apiKey: key, notes: [`echo ${key} account-key-1 admin-token-1`] }));
    expect(written).toHaveLength(22);
    for (const line of written) expect(line).toMatch(/ — echo \*\*\* \*\*\* \*\*\*\n$/);
  });

  it(`cuts a line at ${maxLogLineLength} characters and counts the rest; a line at the limit is whole`, () => {
    const { log, written } = lines();
    const head = "POST /p → 400 WA400 (1.3 ms) — ";
    log!(entry({ path: "/p", status: 400, code: "WA400", notes: ["x".repeat(maxLogLineLength - head.length)] }));
    log!(entry({ path: "/p", status: 400, code: "WA400", notes: ["x".repeat(maxLogLineLength - head.length + 1)] }));
    expect(written[0]).toBe(`${head}${"x".repeat(maxLogLineLength - head.length)}\n`);
    expect(written[1]).toBe(`${head}${"x".repeat(maxLogLineLength - head.length)}… (1 more characters)\n`);
  });
});

describe("the mock's start-up banner", () => {
  it("names the account checks it makes, or says any key is taken", async () => {
    const { describeAccount } = await import("../src/mock/run.ts");
    const { configFromEnv } = await import("../src/mock/config.ts");
    expect(describeAccount(configFromEnv({}))).toBe("No account set (KALEYRA_MOCK_API_KEY, KALEYRA_MOCK_SID, KALEYRA_MOCK_PHONE_NUMBERS): any non-empty api-key is accepted.");
    expect(describeAccount(configFromEnv({ KALEYRA_MOCK_API_KEY: "k-123456" }))).toBe("Account checks: api-key.");
    expect(describeAccount(configFromEnv({ KALEYRA_MOCK_API_KEY: "k-123456", KALEYRA_MOCK_SID: "HX1", KALEYRA_MOCK_PHONE_NUMBERS: "+911,+912" }))).toBe("Account checks: api-key; sid HX1; business numbers +911, +912.");
    expect(describeAccount(configFromEnv({ KALEYRA_MOCK_SID: "HX1" }))).toBe("Account checks: sid HX1.");
  });
});
