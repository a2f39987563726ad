// A key written back in part: one character percent- or \u-escaped among plain ones, inside a
// longer base64 text (Basic user:key), or cut short at the end of a kept body. Each is masked.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockAdmin } from "../src/client/mock-admin.ts";
import { createMasker, maskedSecret } from "../src/http/secrets.ts";
import { journalBodyLimitBytes } from "../src/mock/admin/journal.ts";
import { messagesPath, startTestMock, type TestMock } from "./support/mock.ts";
import { rawRequest } from "./support/raw.ts";
import { businessNumber, sid, validBody } from "./support/requests.ts";

const key = "test-key-AbC123/x";
const mask = createMasker([key]);

describe("a key encoded in part", () => {
  it("is masked whatever characters are escaped, in either hex case", () => {
    const written = [
      "%74est-key-AbC123/x", // the first character percent-escaped, as a path may carry it
      "test-key-AbC123%2fx",
      "t\\u0065st-key-AbC123/x", // one \u escape in a body that is not JSON
      "t\\u0065st-key-AbC123\\/x",
      "%74\\u0065st&#45;key&#x2D;AbC123&#47;x",
      "test-key-AbC%31%32%33/x",
    ];
    expect(written.map((text) => mask(`[${text}]`))).toEqual(written.map(() => `[${maskedSecret}]`));
    // Another key is not this one: a character that differs, or a case that differs.
    expect([mask("[test-key-AbC124/x]"), mask("[Test-key-AbC123/x]"), mask("[%74est-key-abc123/x]")]).toEqual([
      "[test-key-AbC124/x]",
      "[Test-key-AbC123/x]",
      "[%74est-key-abc123/x]",
    ]);
  });

  it("is masked inside a longer base64 text, at every alignment (Authorization: Basic base64(user:key))", () => {
    for (const user of ["u", "us", "use", "user"]) {
      const header = `Basic ${Buffer.from(`${user}:${key}`).toString("base64")}`;
      const masked = mask(header);
      expect(masked).toMatch(/^Basic /);
      expect(masked).toContain(maskedSecret);
      // What is left decodes to no more than four characters of the key in a row.
      const left = masked
        .slice("Basic ".length)
        .split(maskedSecret)
        .map((part) => Buffer.from(part, "base64").toString("latin1"));
      for (const part of left) for (let i = 0; i + 5 <= key.length; i++) expect(part).not.toContain(key.slice(i, i + 5));
    }
  });

  it("at a cut end: four characters or more of the key are masked, three are not; a text not cut is left", () => {
    expect([
      mask("caption test", true),
      mask("caption tes", true),
      mask("caption %74es", true),
      mask("caption test-key-A", true),
      mask("caption test", false),
    ]).toEqual([`caption ${maskedSecret}`, "caption tes", "caption %74es", `caption ${maskedSecret}`, "caption test"]);
  });
});

describe("the journal of a body cut mid-key", () => {
  let mock: TestMock;
  beforeAll(async () => {
    mock = await startTestMock();
  });
  afterAll(() => mock.close());

  it("shows the cut body with the key's first characters masked", async () => {
    const start = JSON.stringify(validBody()).slice(0, -1);
    const filler = `,"extra_info":{"ref":"${"x".repeat(journalBodyLimitBytes)}"}`;
    // The kept text ends exactly after the first eight characters of the key.
    const head = `${start},"k":"`;
    const body = `${head}${"y".repeat(journalBodyLimitBytes - head.length - 8)}${key}"${filler}}`;
    const answer = await rawRequest(mock.url, {
      method: "POST",
      path: messagesPath(sid, businessNumber),
      headers: { "content-type": "application/json", "api-key": key },
      body,
    });
    expect(answer.status).toBe(400);
    const [entry] = await createMockAdmin({ baseUrl: mock.url }).requests();
    expect(entry!.bodyTruncated).toBe(true);
    expect((entry!.body as string).endsWith(`y${maskedSecret}`)).toBe(true);
    expect(entry!.body as string).not.toContain(key.slice(0, 4));
  });
});
