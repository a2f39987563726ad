// The mock against clients that try to forge its log, confuse its routing, or get a named answer
// for a request the contract refuses; and its identity answer, which the conformance suite
// trusts instead of an address.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operation } from "../src/contract/operation.ts";
import { secretForms } from "../src/http/secrets.ts";
import { maxHeaderLines } from "../src/mock/intake.ts";
import { maxLogLineLength } from "../src/mock/log.ts";
import { messagesPath, startTestMock, type TestMock } from "./support/mock.ts";
import { rawRequest } from "./support/raw.ts";
import { until } from "./support/wait.ts";
import { businessNumber, sid, validBody } from "./support/requests.ts";

const apiKey = "mock-K3y/secret+=";
let mock: TestMock;
let open: TestMock;
beforeAll(async () => {
  mock = await startTestMock({ apiKey, sid, phoneNumbers: [businessNumber] });
  open = await startTestMock();
});
afterAll(async () => {
  await Promise.all([mock.close(), open.close()]);
});

const path = messagesPath(sid, businessNumber);
/** A body refused for an unknown property of `video` (a closed object), whose name the log quotes. */
const withVideoProperty = (name: string) => {
  const body = validBody();
  body.messaging_object.video[name] = 1;
  return body;
};
const json = { "content-type": "application/json", "api-key": apiKey };

/** Writes bytes on a fresh connection and reads until the server closes or answers once. */
function rawExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    let text = "";
    socket.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
    socket.on("end", () => resolve(text));
    socket.on("close", () => resolve(text));
    socket.on("error", reject);
  });
}

const statusLine = (text: string) => text.split("\r\n")[0];

async function linesFor(send: () => Promise<unknown>): Promise<string[]> {
  const before = mock.lines.length;
  await send();
  // The mock writes a request's line in the same turn as its answer: it is there once the answer is.
  return until("the request's log line", () => (mock.lines.length > before ? mock.lines.slice(before) : undefined));
}

describe("one log line per request, whatever the request holds", () => {
  const hostile: [string, () => unknown][] = [
    ["a property name with CR, LF and a forged line", () => withVideoProperty("x\r\nPOST /v2/forged → 202 WA202 (0.1 ms)\n")],
    ["an ESC sequence that would recolour a terminal", () => withVideoProperty("\u001b[31mred\u001b[0m")],
    ["U+2028 and U+2029, line breaks to some readers", () => withVideoProperty("a\u2028b\u2029c")],
    ["a 1 MB property name", () => withVideoProperty("k".repeat(1_000_000))],
  ];
  for (const [what, body] of hostile) {
    it(`${what}: one escaped, bounded line`, async () => {
      const lines = await linesFor(() => rawRequest(mock.url, { method: "POST", path, headers: json, body: JSON.stringify(body()) }));
      expect(lines).toHaveLength(1);
      const line = lines[0]!;
      expect(line.endsWith("\n")).toBe(true);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the line must hold none of them
      expect(line.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
      expect(line.length).toBeLessThanOrEqual(maxLogLineLength + 40);
      expect(line).toMatch(/^POST \/v2\/.* → 400 WA400 /);
    });
  }

  it("a line at the bound is written whole; past it, cut and counted", async () => {
    const measure = async (nameLength: number) =>
      (
        await linesFor(() => rawRequest(mock.url, { method: "POST", path, headers: json, body: JSON.stringify(withVideoProperty("n".repeat(nameLength))) }))
      )[0]!.slice(0, -1);
    const shortLine = await measure(10);
    const room = maxLogLineLength - shortLine.length;
    // The name appears once in the line; the timing field may vary in width by a character.
    const atBound = await measure(10 + room - 5);
    expect(atBound.length).toBeLessThanOrEqual(maxLogLineLength);
    expect(atBound).not.toMatch(/more characters\)$/);
    const past = await measure(10 + room + 50);
    expect(past).toMatch(/… \(\d+ more characters\)$/);
    expect(past.length).toBeLessThanOrEqual(maxLogLineLength + 40);
  });

  it("the key is masked in the line, in every form the request put it in, even when the line is cut", async () => {
    for (const form of secretForms(apiKey)) {
      for (const pad of [0, maxLogLineLength - 200]) {
        const body = withVideoProperty("p".repeat(pad) + form);
        const lines = await linesFor(() => rawRequest(mock.url, { method: "POST", path, headers: json, body: JSON.stringify(body) }));
        for (const shown of secretForms(apiKey)) expect(lines.join("")).not.toContain(shown);
      }
    }
  });

  it("a refused request's key is not logged either (wrong key, no account, path holding it)", async () => {
    const wrong = "wrong-K3y-of-a-caller";
    const lines = [
      ...(await linesFor(() =>
        rawRequest(mock.url, { method: "POST", path, headers: { ...json, "api-key": wrong }, body: JSON.stringify(withVideoProperty(wrong)) }),
      )),
      ...(await linesFor(() =>
        rawRequest(mock.url, {
          method: "POST",
          path: `/v2/${encodeURIComponent(apiKey)}/whatsapp/${businessNumber}/messages`,
          headers: json,
          body: JSON.stringify(validBody()),
        }),
      )),
      ...(await linesFor(() => rawRequest(mock.url, { method: "GET", path: `/${apiKey}`, headers: json }))),
    ];
    expect(lines).toHaveLength(3);
    for (const form of [...secretForms(apiKey), ...secretForms(wrong)]) expect(lines.join("")).not.toContain(form);
  });
});

describe("request targets and headers a server must not trust", () => {
  const body = JSON.stringify(validBody());
  const request = (target: string, headers: string[]) =>
    `POST ${target} HTTP/1.1\r\n${headers.join("\r\n")}\r\ncontent-type: application/json\r\napi-key: ${apiKey}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;

  it("an absolute-form target is routed by its path", async () => {
    const { host } = new URL(mock.url);
    for (const target of [`http://${host}${path}`, `HTTP://elsewhere.example${path}`, `https://${host}${path}`]) {
      expect(statusLine(await rawExchange(mock.url, request(target, [`host: ${host}`])))).toBe("HTTP/1.1 202 Accepted");
    }
    const other = await rawExchange(mock.url, request(`http://${host}/elsewhere`, [`host: ${host}`]));
    expect(statusLine(other)).toBe("HTTP/1.1 404 Not Found");
  });

  it("an asterisk or authority-form target is a 400, never a 5xx", async () => {
    const { host } = new URL(mock.url);
    for (const target of ["*", host, "ftp://x/y", "v2/no-slash"]) {
      const answer = await rawExchange(mock.url, request(target, [`host: ${host}`]));
      expect(statusLine(answer), target).toMatch(/^HTTP\/1\.1 400 /);
    }
  });

  it("two Host headers are a 400; one is fine", async () => {
    const { host } = new URL(mock.url);
    expect(statusLine(await rawExchange(mock.url, request(path, [`host: ${host}`])))).toBe("HTTP/1.1 202 Accepted");
    expect(statusLine(await rawExchange(mock.url, request(path, [`host: ${host}`, "host: evil.example"])))).toMatch(/^HTTP\/1\.1 400 /);
  });

  it(`${maxHeaderLines} header lines are read; one more is a 431, not silently dropped`, async () => {
    const { host } = new URL(mock.url);
    const fixed = 5; // host, content-type, api-key, content-length, connection
    const filler = (count: number) => Array.from({ length: count }, (_, i) => `x-filler-${i}: ${i}`);
    expect(statusLine(await rawExchange(mock.url, request(path, [`host: ${host}`, ...filler(maxHeaderLines - fixed)])))).toBe("HTTP/1.1 202 Accepted");
    expect(statusLine(await rawExchange(mock.url, request(path, [`host: ${host}`, ...filler(maxHeaderLines - fixed + 1)])))).toBe(
      "HTTP/1.1 431 Request Header Fields Too Large",
    );
  });
});

describe("Prefer never overrides the contract's refusals", () => {
  const names = operation().examples.map((example) => example.name);
  for (const engine of ["fast", "prism"] as const) {
    it(`${engine}: an invalid body gets 400 WA400 whatever example is asked for`, async () => {
      const server = await startTestMock({}, engine);
      try {
        for (const name of names) {
          for (const [what, bodyText] of [
            [
              "caption too long",
              JSON.stringify({ ...validBody(), messaging_object: { ...validBody().messaging_object, video: { id: "1", caption: "x".repeat(1025) } } }),
            ],
            ["not JSON", "{"],
            ["empty", ""],
          ] as const) {
            const response = await rawRequest(server.url, {
              method: "POST",
              path,
              headers: { "content-type": "application/json", "api-key": "any-key", prefer: `example=${name}` },
              body: bodyText,
            });
            expect([response.status, (JSON.parse(response.text) as { code: string }).code], `${name}, ${what}`).toEqual([400, "WA400"]);
          }
          // A bad path parameter too.
          const badPath = await rawRequest(server.url, {
            method: "POST",
            path: messagesPath(sid, "+91XXX"),
            headers: { "content-type": "application/json", "api-key": "any-key", prefer: `example=${name}` },
            body: JSON.stringify(validBody()),
          });
          expect([badPath.status, (JSON.parse(badPath.text) as { code: string }).code], name).toEqual([400, "WA400"]);
        }
      } finally {
        await server.close();
      }
    });
  }

  it("the account's refusals win over Prefer, as the README says: no key, a wrong key, a number outside the account", async () => {
    for (const name of names) {
      const headers = { "content-type": "application/json", prefer: `example=${name}` };
      const none = await rawRequest(mock.url, { method: "POST", path, headers, body: JSON.stringify(validBody()) });
      expect([none.status, (JSON.parse(none.text) as { code: string }).code], name).toEqual([401, "RBC001"]);
      const wrong = await rawRequest(mock.url, { method: "POST", path, headers: { ...headers, "api-key": "another-key" }, body: JSON.stringify(validBody()) });
      expect([wrong.status, (JSON.parse(wrong.text) as { code: string }).code], name).toEqual([401, "RBC001"]);
      const number = await rawRequest(mock.url, {
        method: "POST",
        path: messagesPath(sid, "+918630009999"),
        headers: { ...headers, "api-key": apiKey },
        body: JSON.stringify(validBody()),
      });
      expect([number.status, (JSON.parse(number.text) as { code: string }).code], name).toEqual([401, "WA401"]);
    }
  });

  it("a valid request with the account's key gets each named example it asks for", async () => {
    for (const example of operation().examples) {
      const response = await rawRequest(mock.url, {
        method: "POST",
        path,
        headers: { ...json, prefer: `example=${example.name}` },
        body: JSON.stringify(validBody()),
      });
      expect([response.status, (JSON.parse(response.text) as { code: string }).code], example.name).toEqual([
        example.status,
        (example.value as { code: string }).code,
      ]);
    }
  });
});

describe("the mock's identity", () => {
  it("echoes a well-formed nonce, and nothing else", async () => {
    const nonce = "0123456789abcdef0123456789abcdef";
    const answer = await rawRequest(open.url, { method: "GET", path: `/__admin/identity?nonce=${nonce}` });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ kit: "kaleyra-whatsapp-video-kit", role: "mock", nonce, delivers: false });
    for (const bad of ["", "?nonce=", "?nonce=0123", `?nonce=${nonce}0`, `?nonce=${nonce.toUpperCase()}`, `?nonce=${nonce}&nonce=${nonce}`]) {
      const refused = await rawRequest(open.url, { method: "GET", path: `/__admin/identity${bad}` });
      expect(refused.status, bad).toBe(400);
    }
    const post = await rawRequest(open.url, { method: "POST", path: `/__admin/identity?nonce=${nonce}` });
    expect(post.status).toBeGreaterThanOrEqual(400);
    expect(post.status).toBeLessThan(500);
  });
});
