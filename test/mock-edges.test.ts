// Edges of the mock's stages that no other test reaches: a silent log, an absolute-form target
// with only a query, and a key the account check takes trimmed of what HTTP keeps.
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { createMockAdmin } from "../src/client/mock-admin.ts";
import { messagesPath, startTestMock } from "./support/mock.ts";
import { rawRequest } from "./support/raw.ts";
import { businessNumber, sid, validBody } from "./support/requests.ts";

const path = messagesPath(sid, businessNumber);
const body = JSON.stringify(validBody());

/** Bytes on a connection of their own; the answer's status line. */
function statusOf(url: string, bytes: Buffer): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    let text = "";
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
    });
    socket.on("close", () => resolve(text.split("\r\n")[0] ?? ""));
    socket.on("error", reject);
  });
}

const post = (target: string, headers: string) =>
  Buffer.concat([
    Buffer.from(`POST ${target} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n`, "latin1"),
    Buffer.from(headers, "latin1"),
    Buffer.from(`content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`, "latin1"),
  ]);

describe("the mock's stages at their edges", () => {
  it("log silent: no line for an answer, a refusal, another path or an admin call; the journal still keeps the send", async () => {
    const mock = await startTestMock({}, "fast", { log: "silent" });
    try {
      expect(
        (await rawRequest(mock.url, { method: "POST", path, headers: { "content-type": "application/json", "api-key": "some-key-0000" }, body })).status,
      ).toBe(202);
      expect((await rawRequest(mock.url, { method: "POST", path, headers: { "content-type": "application/json" }, body })).status).toBe(401);
      expect((await rawRequest(mock.url, { method: "GET", path: "/elsewhere" })).status).toBe(404);
      const journal = await createMockAdmin({ baseUrl: mock.url }).requests();
      expect(journal.map((entry) => [entry.path, entry.response.status])).toEqual([
        [path, 202],
        [path, 401],
        ["/elsewhere", 404],
      ]);
      expect(mock.lines).toEqual([]);
    } finally {
      await mock.close();
    }
  });

  it("log info, the control: the same requests write a line each", async () => {
    const mock = await startTestMock();
    try {
      await rawRequest(mock.url, { method: "POST", path, headers: { "content-type": "application/json", "api-key": "some-key-0000" }, body });
      await rawRequest(mock.url, { method: "GET", path: "/elsewhere" });
      expect(mock.lines.map((line) => line.split(" → ")[1]?.split(" ")[0])).toEqual(["202", "404"]);
    } finally {
      await mock.close();
    }
  });

  it("an absolute-form target with a query and no path is the root path: 404, not a refusal of the target", async () => {
    const mock = await startTestMock();
    try {
      const { host } = new URL(mock.url);
      expect(await statusOf(mock.url, post(`http://${host}?x=1`, "api-key: some-key-0000\r\n"))).toBe("HTTP/1.1 404 Not Found");
      expect(await statusOf(mock.url, post(`http://${host}`, "api-key: some-key-0000\r\n"))).toBe("HTTP/1.1 404 Not Found");
      expect(await statusOf(mock.url, post(`http://${host}${path}?x=1`, "api-key: some-key-0000\r\n"))).toBe("HTTP/1.1 202 Accepted");
      expect(await statusOf(mock.url, post(`http://${host}#x`, "api-key: some-key-0000\r\n"))).toBe("HTTP/1.1 400 Bad Request");
    } finally {
      await mock.close();
    }
  });

  it("the account's key is compared trimmed of no-break spaces HTTP keeps; another key so wrapped is still refused", async () => {
    const apiKey = "trimmed-key-0123";
    const mock = await startTestMock({ apiKey });
    try {
      expect(await statusOf(mock.url, post(path, `api-key: \u00a0${apiKey}\u00a0\r\n`))).toBe("HTTP/1.1 202 Accepted");
      expect(await statusOf(mock.url, post(path, `api-key: \u00a0${apiKey}x\u00a0\r\n`))).toBe("HTTP/1.1 401 Unauthorized");
      expect(await statusOf(mock.url, post(path, `api-key: ${apiKey}\r\n`))).toBe("HTTP/1.1 202 Accepted");
    } finally {
      await mock.close();
    }
  });
});
