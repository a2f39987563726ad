// Headers a request carries once: two api-keys (which Node joins into "K1, K2") or two
// Authorization headers (Node keeps the first) are refused with a 400 naming the header, and
// every key the request carried is masked on its own, wherever else it put them.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockAdmin } from "../src/client/mock-admin.ts";
import { secretForms } from "../src/http/secrets.ts";
import { keysIn } from "../src/http/secrets.ts";
import { messagesPath, startTestMock, type TestMock } from "./support/mock.ts";
import { businessNumber, sid, validBody } from "./support/requests.ts";

/** One request written as bytes, header lines as given; the answer's text once the server closes or answers. */
function exchange(url: string, head: string, headers: string[], body = ""): Promise<string> {
  const { hostname, port } = new URL(url);
  const bytes = `${head}\r\nhost: ${hostname}:${port}\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${headers.map((line) => `${line}\r\n`).join("")}\r\n${body}`;
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    let text = "";
    socket.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    socket.on("close", () => resolve(text));
    socket.on("error", reject);
  });
}

const statusOf = (answer: string) => Number(answer.split(" ")[1]);
const detailOf = (answer: string) => (JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)) as { detail: string }).detail;

describe("two api-key headers", () => {
  let mock: TestMock;
  beforeAll(async () => {
    mock = await startTestMock();
  });
  afterAll(() => mock.close());

  const first = "first-key-AAAA1111";
  const second = "second-key-BBBB2222";

  it("are a 400 naming the header; one is answered; the journal and the log show neither key in any form", async () => {
    const body = validBody();
    body.messaging_object.video.caption = `${first} ${second}`;
    const target = `${messagesPath(sid, businessNumber)}?a=${encodeURIComponent(first)}&b=${second}`;
    const head = `POST ${target} HTTP/1.1`;
    const json = ["content-type: application/json"];
    const alone = validBody();
    alone.messaging_object.video.caption = first;
    const one = await exchange(
      mock.url,
      `POST ${messagesPath(sid, businessNumber)}?a=${first} HTTP/1.1`,
      [...json, `api-key: ${first}`, `x-echo: ${first}`],
      JSON.stringify(alone),
    );
    const two = await exchange(mock.url, head, [...json, `api-key: ${first}`, `x-echo: ${first} ${second}`, `api-key: ${second}`], JSON.stringify(body));
    const three = await exchange(mock.url, head, [...json, `api-key: ${first}`, `api-key: ${second}`, "API-Key: third-key-CCCC3333"], JSON.stringify(body));
    expect([statusOf(one), statusOf(two), statusOf(three)]).toEqual([202, 400, 400]);
    expect([detailOf(two), detailOf(three)]).toEqual([
      "The request has 2 api-key headers; a request carries one key.",
      "The request has 3 api-key headers; a request carries one key.",
    ]);
    const journal = JSON.stringify(await createMockAdmin({ baseUrl: mock.url }).requests());
    const logged = mock.lines.join("\n");
    const forms = [first, second, "third-key-CCCC3333"].flatMap(secretForms);
    expect(forms.filter((form) => journal.includes(form))).toEqual([]);
    expect(forms.filter((form) => logged.includes(form))).toEqual([]);
    expect(journal).toContain("***");
  });

  it("keysIn gives each key of a joined header, and the whole", () => {
    expect([keysIn("K1"), keysIn("K1, K2"), keysIn("K1, K2, K3")]).toEqual([["K1"], ["K1, K2", "K1", "K2"], ["K1, K2, K3", "K1", "K2", "K3"]]);
  });
});

describe("two Authorization headers", () => {
  it("are a 400 on the admin API: a second credential is not silently dropped", async () => {
    const token = "admin-token-0123456789";
    const mock = await startTestMock({}, "fast", { adminToken: token });
    try {
      const head = "GET /__admin/requests HTTP/1.1";
      const right = `authorization: Bearer ${token}`;
      expect(statusOf(await exchange(mock.url, head, [right]))).toBe(200);
      for (const pair of [
        [right, "authorization: Bearer wrong-token-000000"],
        ["authorization: Bearer wrong-token-000000", right],
        [right, right],
      ]) {
        const answer = await exchange(mock.url, head, pair);
        expect([statusOf(answer), detailOf(answer)]).toEqual([400, "The request has 2 Authorization headers; a request carries one."]);
      }
      expect(mock.lines.join("\n")).not.toContain(token);
    } finally {
      await mock.close();
    }
  });
});

describe("names that Object.prototype has", () => {
  it("are ordinary names: a journal header named __proto__ or constructor is kept as sent, and ?__proto__= on the admin API is a 400 naming it", async () => {
    const mock = await startTestMock();
    try {
      const answer = await exchange(
        mock.url,
        `POST ${messagesPath(sid, businessNumber)} HTTP/1.1`,
        ["content-type: application/json", "api-key: some-key-0000", "__proto__: polluted", "constructor: built", "toString: text"],
        JSON.stringify(validBody()),
      );
      expect(statusOf(answer)).toBe(202);
      const [entry] = await createMockAdmin({ baseUrl: mock.url }).requests();
      // biome-ignore lint/suspicious/noProto: the journal's headers have no prototype: `__proto__` is a header like any other
      expect([entry!.headers.__proto__, entry!.headers.constructor, entry!.headers.tostring]).toEqual(["polluted", "built", "text"]);
      for (const name of ["__proto__", "constructor", "hasOwnProperty"]) {
        const refused = await exchange(mock.url, `GET /__admin/requests?${name}=x HTTP/1.1`, []);
        expect([
          name,
          statusOf(refused),
          (JSON.parse(refused.slice(refused.indexOf("\r\n\r\n") + 4)) as { errors: { field: string }[] }).errors.map((error) => error.field),
        ]).toEqual([name, 400, [name]]);
      }
    } finally {
      await mock.close();
    }
  });
});

describe("a key in a header's name", () => {
  it("is masked in the journal like one in a value", async () => {
    const key = "named-key-ZZZZ9999";
    const mock = await startTestMock();
    try {
      const answer = await exchange(
        mock.url,
        `POST ${messagesPath(sid, businessNumber)} HTTP/1.1`,
        ["content-type: application/json", `api-key: ${key}`, `x-${key}: 1`],
        JSON.stringify(validBody()),
      );
      expect(statusOf(answer)).toBe(202);
      const [entry] = await createMockAdmin({ baseUrl: mock.url }).requests();
      expect(Object.keys(entry!.headers).filter((name) => name.startsWith("x-"))).toEqual(["x-***"]);
      expect(secretForms(key).filter((form) => JSON.stringify(entry).includes(form))).toEqual([]);
    } finally {
      await mock.close();
    }
  });
});
