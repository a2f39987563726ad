// The mock as a process under hostile input and load: every answer a 4xx or the documented
// success, never a 5xx; the process stays up; memory comes back down after the run.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import autocannon from "autocannon";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messagesPath } from "./support/mock.ts";
import { rawRequest } from "./support/raw.ts";
import { apiKey, validBody } from "./support/requests.ts";
import { waitMs } from "./support/wait.ts";

const seed = Number(process.env.FC_SEED ?? 20261124);
const path = messagesPath("HXAP16XXXXXX97IN", "+918630005920");
let child: ChildProcessWithoutNullStreams;
let url: string;
let output = "";

const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
const alive = async () =>
  (await rawRequest(url, { method: "POST", path, headers: { "api-key": apiKey, "content-type": "application/json" }, body: JSON.stringify(validBody()) }))
    .status === 202;

beforeAll(async () => {
  // The built mock, as npm start runs it, with a short request timeout to test stalled clients.
  child = spawn(process.execPath, ["dist/src/mock/main.js"], {
    env: { ...process.env, PORT: "0", KALEYRA_MOCK_LOG: "silent", KALEYRA_MOCK_REQUEST_TIMEOUT_MS: "1500" },
  });
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  url = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", () => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.on("exit", (code) => reject(new Error(`mock exited ${code}: ${output}`)));
  });
});
afterAll(() => {
  child.kill("SIGKILL");
});

describe("hostile input", () => {
  let rssBefore = 0;

  it("2,000 generated hostile requests: random bytes, media types, headers, methods, path segments", async () => {
    // Warm up before measuring memory, Prism included: anything off the plain case loads it.
    for (let i = 0; i < 200; i++) await alive();
    await rawRequest(url, { method: "GET", path });
    rssBefore = rssMb();
    const segment = fc.oneof(
      fc.stringMatching(/^(%[0-9A-Fa-f]{0,2}|[A-Za-z0-9+._~-]){1,12}$/),
      fc.string({ minLength: 1, maxLength: 12 }).map(encodeURIComponent),
    );
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 2_000 }).map((bytes) => Buffer.from(bytes)),
      fc.json({ maxDepth: 4 }),
      fc.constant(JSON.stringify(validBody())),
    );
    const printable = (maxLength: number) => fc.string({ maxLength }).filter((value) => /^[\x20-\x7e]*$/.test(value));
    const contentType = fc.oneof(
      fc.constantFrom(
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
        "application/xml",
      ),
      printable(30),
    );
    const header = fc.tuple(fc.stringMatching(/^[a-z][a-z-]{0,12}$/), printable(60));
    const method = fc.constantFrom("POST", "POST", "POST", "GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD");
    const route = fc.oneof(
      fc.tuple(segment, segment).map(([sid, phone]) => messagesPath(sid, phone)),
      fc.constantFrom("/", "/v2", "/v2/x/whatsapp/+1/media", "//v2//", "/v2/../etc/passwd"),
    );
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(route, body, contentType, fc.option(header), method, fc.boolean(), async (target, payload, type, extra, verb, withKey) => {
        const headers: Record<string, string> = { "content-type": type };
        if (withKey) headers["api-key"] = apiKey;
        if (extra && !["content-length", "transfer-encoding", "host", "connection", "expect", "upgrade"].includes(extra[0])) headers[extra[0]] = extra[1];
        const response = await rawRequest(
          url,
          verb === "GET" || verb === "HEAD" ? { method: verb, path: target, headers } : { method: verb, path: target, headers, body: payload },
        );
        expect(response.status, JSON.stringify({ verb, target, type, extra })).toBeLessThan(500);
        expect(response.status).toBeGreaterThanOrEqual(200);
        answered++;
      }),
      { seed, numRuns: 2_000 },
    );
    expect(answered).toBe(2_000);
    expect(await alive()).toBe(true);
  });

  it("a 10 MB body gets 400 WA400 at once, and the connection is closed", async () => {
    // The mock answers from the declared length, before the body is sent: a raw socket sees it.
    const { hostname, port } = new URL(url);
    const answer = await new Promise<string>((resolve) => {
      let text = "";
      const socket = connect(Number(port), hostname, () => {
        socket.write(`POST ${path} HTTP/1.1\r\nhost: x\r\napi-key: ${apiKey}\r\ncontent-type: application/json\r\ncontent-length: ${10 * 1024 * 1024}\r\n\r\n`);
        socket.write(Buffer.alloc(64 * 1024, 0x61), () => {});
      });
      socket.on("error", () => {});
      socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
      socket.on("close", () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(answer).toMatch(/connection: close/i);
    expect(answer).toContain('"code":"WA400"');
    expect(await alive()).toBe(true);
  });

  it("a body cut off mid-way, and a client that stalls, are dropped while others are served", async () => {
    const { hostname, port } = new URL(url);
    const head = `POST ${path} HTTP/1.1\r\nhost: x\r\napi-key: ${apiKey}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n`;
    // Cut off: half a body, then the socket closes.
    const cut = connect(Number(port), hostname, () => cut.end(`${head}{"messaging_object":`));
    // Stalled: half a body, then nothing; the server answers 408 after its request timeout.
    const stalled = connect(Number(port), hostname, () => stalled.write(`${head}{"messaging_object":`));
    let stalledAnswer = "";
    stalled.on("data", (chunk: Buffer) => (stalledAnswer += chunk.toString()));
    const closed = new Promise<void>((resolve) => stalled.on("close", () => resolve()));
    expect(await alive()).toBe(true); // served meanwhile
    await closed;
    expect(stalledAnswer).toMatch(/^HTTP\/1\.1 408/);
    expect(await alive()).toBe(true);
  });

  it("a header block over Node's limit gets 431; an unknown method 400 or 405; the process stays up", async () => {
    expect((await rawRequest(url, { method: "POST", path, headers: { "x-big": "a".repeat(40_000) }, body: "{}" })).status).toBe(431);
    const { hostname, port } = new URL(url);
    const garbage = await new Promise<string>((resolve) => {
      let answer = "";
      const socket = connect(Number(port), hostname, () => socket.write("FROBNICATE / HTTP/1.1\r\n\r\n"));
      socket.on("data", (chunk: Buffer) => (answer += chunk.toString()));
      socket.on("close", () => resolve(answer));
      socket.setTimeout(3_000, () => socket.destroy());
    });
    expect(garbage).toMatch(/^HTTP\/1\.1 (400|405)/);
    expect(await alive()).toBe(true);
  });

  describe("load", () => {
    it("100 connections of valid and invalid requests: no socket error, every valid one 202 with its own message_id, every invalid one 400", async () => {
      const ids = new Set<string>();
      let valid = 0;
      let invalid = 0;
      const wrong: string[] = [];
      const invalidBody = validBody();
      invalidBody.messaging_object.video.caption = "x".repeat(1025);
      // A number of requests, not a duration: what a busy machine changes is how long they take.
      // Each connection alternates the two, so half are valid and half are not.
      const each = 2_000;
      const result = await autocannon({
        url: url + path,
        connections: 100,
        amount: 2 * each,
        // A request's own time limit is for a hang, as every wait of the tests.
        timeout: waitMs / 1_000,
        requests: [
          {
            method: "POST",
            headers: { "content-type": "application/json", "api-key": apiKey },
            body: JSON.stringify(validBody()),
            onResponse: (status: number, body: string) => {
              valid++;
              if (status !== 202) wrong.push(`valid → ${status}`);
              else ids.add(JSON.parse(body).data.message_id);
            },
          },
          {
            method: "POST",
            headers: { "content-type": "application/json", "api-key": apiKey },
            body: JSON.stringify(invalidBody),
            onResponse: (status: number, body: string) => {
              invalid++;
              if (status !== 400 || JSON.parse(body).code !== "WA400") wrong.push(`invalid → ${status}`);
            },
          },
        ],
      });
      expect(result.errors).toBe(0);
      expect(result.timeouts).toBe(0);
      expect(wrong.slice(0, 5)).toEqual([]);
      expect([valid, invalid]).toEqual([each, each]);
      expect(ids.size).toBe(valid);
    });

    it("memory comes back near its start after the hostile run and the load", async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      for (let i = 0; i < 50; i++) await alive();
      const after = rssMb();
      process.stdout.write(`mock RSS: ${rssBefore.toFixed(0)} MB after warm-up, ${after.toFixed(0)} MB after 2,000 hostile requests and the load\n`);
      expect(after, `RSS ${rssBefore.toFixed(0)} MB before, ${after.toFixed(0)} MB after`).toBeLessThan(rssBefore + 60);
      expect(await alive()).toBe(true);
      expect(child.exitCode).toBeNull();
    });
  });
});
