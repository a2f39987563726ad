// Status callbacks: in the contract as a 3.1 webhook, sent by the mock with retries, parsed by the
// client, received by the node:http handler, and checked by `kaleyra-video callbacks`.
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAdminDocument, loadDocument } from "../src/contract/document.ts";
import { example } from "../src/contract/operation.ts";
import { compileContractSchemas } from "../src/contract/schemas.ts";
import { webhook, type StatusCallback } from "../src/contract/webhook.ts";
import { createKaleyraClient, createMockAdmin, KaleyraValidationError, parseStatusCallback, statusCallbackHandler } from "../src/index.ts";
import { createCallbackChecker } from "../src/callbacks/checker.ts";
import { callbackMessage, callbackPayload } from "../src/callbacks/payload.ts";
import { createCallbackSender } from "../src/callbacks/sender.ts";
import { callbacksCommand } from "../src/cli/callbacks.ts";
import { startTestMock, type TestMock } from "./support/mock.ts";
import { apiKey, businessNumber, sid, validBody } from "./support/requests.ts";
import { fetchWithin, until, waitMs, within } from "./support/wait.ts";

const schemas = compileContractSchemas(loadDocument());
const fast = { delaysMs: [5], backoffMs: 20, attempts: 3, timeoutMs: 500 };

interface Receiver {
  url: string;
  got: StatusCallback[];
  hits: number;
  server: Server;
  close(): Promise<void>;
}

/** A receiver whose `answer` decides each status (0: drop the connection). */
async function receiver(answer: (hit: number, body: StatusCallback) => number = () => 204): Promise<Receiver> {
  const state: Receiver = { url: "", got: [], hits: 0, server: undefined as never, close: async () => {} };
  state.server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as StatusCallback;
      const status = answer(++state.hits, body);
      if (status === 0) return response.destroy();
      if (status >= 200 && status < 300) state.got.push(body);
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => state.server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}/hook`;
  state.close = () =>
    new Promise<void>((resolve) => {
      state.server.closeAllConnections();
      state.server.close(() => resolve());
    });
  return state;
}

const client = (mock: TestMock) => createKaleyraClient({ sid, apiKey, baseUrl: mock.url, timeoutMs: waitMs });
const send = (mock: TestMock, to = "+919876543210", extraInfo: Record<string, string> = { ref: "order-42", ref1: "campaign", ref2: "x" }) =>
  client(mock).sendVideo({ phoneNumber: businessNumber, to, video: { id: "1166846181421424" }, extraInfo });

describe("the status callback in the contract", () => {
  // The statuses and fields themselves are pinned to the vendor's notes in test/vendor-facts.test.ts.
  it("is a 3.1 webhook with one valid named example per status", () => {
    const { statuses, schemaPointer, exampleOf } = webhook();
    for (const status of statuses) {
      expect(exampleOf(status).status).toBe(status);
      expect(schemas.issues(schemaPointer, exampleOf(status))).toEqual([]);
    }
    expect(Object.keys((loadDocument().webhooks as object) ?? {})).toEqual(["statusCallback"]);
  });

  it("names the sequences a message's callbacks follow, which the admin contract's paths name too", () => {
    expect(webhook().sequences).toEqual({ read: ["SENT", "DELIVERED", "READ"], failed: ["SENT", "FAILED"], "not-sent": ["NOT-SENT"] });
    expect((loadAdminDocument().components.schemas.CallbackPath as { enum: string[] }).enum).toEqual(Object.keys(webhook().sequences));
    expect(new Set(Object.values(webhook().sequences).flat())).toEqual(new Set(webhook().statuses));
  });
});

describe("the mock sends them", () => {
  let hook: Receiver;
  let mock: TestMock;
  beforeAll(async () => {
    hook = await receiver();
    mock = await startTestMock({ apiKey }, "fast", { callbacks: { ...fast, url: hook.url } });
  });
  afterAll(async () => {
    await mock.close();
    await hook.close();
  });

  it("after each 202: SENT, DELIVERED, READ, each valid, with its message_id and the send's references", async () => {
    const { messageId } = await send(mock);
    const got = await until("three callbacks", () => {
      const mine = hook.got.filter((callback) => callback.message_id === messageId);
      return mine.length === 3 ? mine : undefined;
    });
    expect(got.map((callback) => callback.status)).toEqual(["SENT", "DELIVERED", "READ"]);
    for (const callback of got) {
      expect(schemas.issues(webhook().schemaPointer, callback)).toEqual([]);
      expect(callback.extra_info).toMatchObject({ message_id: messageId, ref: "order-42", ref1: "campaign", ref2: "x" });
      expect(callback.meta_object.value.statuses[0]!.recipient_id).toBe("919876543210");
    }
    expect(new Set(got.map((callback) => callback.meta_object.value.statuses[0]!.id)).size).toBe(1);
    const admin = createMockAdmin({ baseUrl: mock.url });
    const page = await admin.raw.GET("/__admin/callbacks");
    const deliveries = page.data!.deliveries.filter((delivery) => delivery.messageId === messageId);
    expect(deliveries.map((delivery) => [delivery.status, delivery.state, delivery.attempts.map((attempt) => attempt.outcome)])).toEqual([
      ["SENT", "delivered", ["delivered"]],
      ["DELIVERED", "delivered", ["delivered"]],
      ["READ", "delivered", ["delivered"]],
    ]);
  });

  it("leaves out the references a send did not give", async () => {
    const { messageId } = await send(mock, "+919876543211", { ref: "only-ref" });
    const first = await until("a callback", () => hook.got.find((callback) => callback.message_id === messageId));
    expect(first.extra_info.ref).toBe("only-ref");
    expect(first.extra_info).not.toHaveProperty("ref1");
    expect(first.extra_info).not.toHaveProperty("ref2");
  });

  it("follow a scenario's or a test recipient's path: SENT then FAILED, or NOT-SENT alone", async () => {
    const admin = createMockAdmin({ baseUrl: mock.url });
    await admin.addScenario({ match: { to: "+919800000001" }, respond: { example: "accepted" }, callbacks: "failed" });
    const failed = await send(mock, "+919800000001");
    const notSent = await send(mock, "+12025550121");
    const statusesOf = (id: string) => hook.got.filter((callback) => callback.message_id === id).map((callback) => callback.status);
    await until("both paths", () => (statusesOf(failed.messageId).length === 2 && statusesOf(notSent.messageId).length === 1 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 100)); // nothing more follows
    expect(statusesOf(failed.messageId)).toEqual(["SENT", "FAILED"]);
    expect(statusesOf(notSent.messageId)).toEqual(["NOT-SENT"]);
    expect(
      hook.got.find((callback) => callback.message_id === failed.messageId && callback.status === "FAILED")!.meta_object.value.statuses[0]!.errors,
    ).toHaveLength(1);
    await admin.reset();
  });

  it("keep their order per message with 100 concurrent sends", async () => {
    const sent = await Promise.all(Array.from({ length: 100 }, (_, i) => send(mock, `+9197000${String(i).padStart(5, "0")}`)));
    const ids = new Set(sent.map((result) => result.messageId));
    await until("300 callbacks", () => (hook.got.filter((callback) => ids.has(callback.message_id)).length === 300 ? true : undefined));
    for (const id of ids)
      expect(hook.got.filter((callback) => callback.message_id === id).map((callback) => callback.status)).toEqual(["SENT", "DELIVERED", "READ"]);
  });
});

describe("only an accepted send gets callbacks", () => {
  it("a refusal, a vendor error, a fault and an admin call queue nothing; the accepted send after them does", async () => {
    const hook = await receiver();
    const mock = await startTestMock({ apiKey }, "fast", { callbacks: { ...fast, url: hook.url } });
    const admin = createMockAdmin({ baseUrl: mock.url });
    try {
      await admin.addScenario({ match: { to: "+919800000002" }, respond: { example: "low-balance" } });
      await admin.addScenario({ match: { to: "+919800000003" }, respond: { fault: "connection-reset" } });
      const path = `/v2/${sid}/whatsapp/${encodeURIComponent(businessNumber)}/messages`;
      const post = (headers: Record<string, string>, body: string) =>
        fetchWithin(`${mock.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
      const valid = (to: string) => {
        const body = validBody();
        body.messaging_object.to = to;
        return JSON.stringify(body);
      };
      const statuses = [
        (await post({ "api-key": apiKey }, "{}")).status,
        (await post({}, valid("+919876543210"))).status,
        (await post({ "api-key": apiKey, prefer: "example=low-balance" }, valid("+919876543210"))).status,
        (await post({ "api-key": apiKey }, valid("+919800000002"))).status,
        await post({ "api-key": apiKey }, valid("+919800000003")).then(
          (response: Response) => `answered ${response.status}`,
          () => "reset",
        ),
      ];
      const lowBalance = example("low-balance").status;
      expect(statuses).toEqual([400, 401, lowBalance, lowBalance, "reset"]);
      const quiet = await admin.callbacks();
      expect([quiet.pending, quiet.deliveries, hook.got]).toEqual([0, [], []]);
      // The same mock and receiver do carry an accepted send's callbacks.
      const { messageId } = await send(mock);
      await until("the accepted send's callbacks", () => (hook.got.length === 3 ? true : undefined));
      expect(hook.got.map((callback) => [callback.message_id, callback.status])).toEqual([
        [messageId, "SENT"],
        [messageId, "DELIVERED"],
        [messageId, "READ"],
      ]);
    } finally {
      await mock.close();
      await hook.close();
    }
  });
});

describe("a receiver that fails", () => {
  it("gets retries with backoff: refused twice, then delivered", async () => {
    const hook = await receiver((hit) => (hit <= 2 ? 503 : 204));
    const mock = await startTestMock({}, "fast", { callbacks: { ...fast, delaysMs: [0, 60_000], url: hook.url } });
    try {
      const { messageId } = await send(mock);
      const admin = createMockAdmin({ baseUrl: mock.url });
      const delivery = await until("SENT delivered", async () =>
        (await admin.raw.GET("/__admin/callbacks")).data!.deliveries.find((one) => one.messageId === messageId && one.state === "delivered"),
      );
      expect(delivery.attempts.map((attempt) => [attempt.outcome, attempt.status])).toEqual([
        ["refused", 503],
        ["refused", 503],
        ["delivered", 204],
      ]);
      const times = delivery.attempts.map((attempt) => Date.parse(attempt.at));
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(15); // backoff 20 ms
      expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(35); // then 40 ms
      expect(hook.got.map((callback) => callback.status)).toEqual(["SENT"]);
    } finally {
      await mock.close();
      await hook.close();
    }
  });

  it("is given up after the last attempt, and logged; an unreachable one never slows the sends, and a flood is bounded", async () => {
    const gone = await receiver();
    await gone.close(); // nothing listens there now
    const mock = await startTestMock({}, "fast", {
      callbacks: { ...fast, delaysMs: [0], attempts: 2, backoffMs: 10, url: gone.url, queueLimit: 20, concurrency: 2 },
    });
    try {
      const results = await within("200 sends", Promise.all(Array.from({ length: 200 }, (_, i) => send(mock, `+9196000${String(i).padStart(5, "0")}`))));
      expect(results).toHaveLength(200);
      const admin = createMockAdmin({ baseUrl: mock.url });
      const page = await until("the queue drained", async () => {
        const now = (await admin.raw.GET("/__admin/callbacks")).data!;
        return now.pending === 0 ? now : undefined;
      });
      // 200 sends, at most 20 waiting and 2 sending at a time: the rest were dropped and counted.
      expect(page.dropped).toBeGreaterThan(0);
      expect(page.dropped + new Set(page.deliveries.map((delivery) => delivery.messageId)).size).toBe(200);
      for (const delivery of page.deliveries) {
        expect(delivery.state).toBe("given-up");
        expect(delivery.attempts.map((attempt) => attempt.outcome)).toEqual(["network", "network"]);
      }
      // Each status was tried and given up in turn, and each give-up logged once.
      expect(page.deliveries.length).toBe(3 * (200 - page.dropped));
      expect(mock.lines.filter((line) => /^callback (SENT|DELIVERED|READ) of \S+ given up after 2 attempt\(s\): /.test(line)).length).toBe(
        page.deliveries.length,
      );
    } finally {
      await mock.close();
    }
  });

  it("a give-up is a line of the mock's log, and a silent mock writes none", async () => {
    const gone = await receiver();
    await gone.close(); // nothing listens there now
    const givenUp = /^callback (SENT|DELIVERED|READ) of \S+ given up after 1 attempt\(s\): /;
    const linesOf = async (log: "info" | "silent") => {
      const mock = await startTestMock({}, "fast", { log, callbacks: { ...fast, delaysMs: [0], attempts: 1, url: gone.url } });
      try {
        await send(mock);
        const admin = createMockAdmin({ baseUrl: mock.url });
        await until("the callbacks given up", async () => {
          const now = await admin.callbacks();
          return now.pending === 0 && now.deliveries.length === 3 ? true : undefined;
        });
        return mock.lines.filter((line) => givenUp.test(line)).length;
      } finally {
        await mock.close();
      }
    };
    expect([await linesOf("info"), await linesOf("silent")]).toEqual([3, 0]);
  });

  it("never slows the sends, even when it takes each callback and never answers", async () => {
    // Each callback waits a minute for an answer that never comes: sends held back behind their
    // callbacks would take that long, three times the tests' wait, however busy the machine.
    const held: import("node:net").Socket[] = [];
    const silent = createServer((request) => held.push(request.socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hook`;
    const mock = await startTestMock({}, "fast", {
      callbacks: { ...fast, delaysMs: [0], attempts: 1, timeoutMs: 60_000, url, queueLimit: 20, concurrency: 2 },
    });
    try {
      const results = await within(
        "200 sends while callbacks hang",
        Promise.all(Array.from({ length: 200 }, (_, i) => send(mock, `+9196100${String(i).padStart(5, "0")}`))),
      );
      expect(results).toHaveLength(200);
      // The callbacks did start: the receiver holds two at a time.
      await until("callbacks held by the receiver", () => (held.length === 2 ? true : undefined));
    } finally {
      await mock.close();
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe("the callback URL through the admin API", () => {
  it("is set, refused when unusable, turned off with null, and reset to the start value", async () => {
    const mock = await startTestMock({}, "fast", { callbacks: { ...fast, url: "http://127.0.0.1:9/start" } });
    try {
      const put = (body: unknown) => createMockAdmin({ baseUrl: mock.url }).raw.PUT("/__admin/callbacks", { body: body as never });
      const get = async () => (await createMockAdmin({ baseUrl: mock.url }).raw.GET("/__admin/callbacks")).data!.url;
      expect(await get()).toBe("http://127.0.0.1:9/start");
      expect((await put({ url: "http://127.0.0.1:9/other" })).response.status).toBe(204);
      expect(await get()).toBe("http://127.0.0.1:9/other");
      const refused = await Promise.all([{ url: "ftp://x/" }, { url: "http://u:p@127.0.0.1/" }, { url: "http://127.0.0.1/#f" }, { url: 5 }, {}].map(put));
      expect(refused.map((answer) => [answer.response.status, (answer.error as { errors: { field: string }[] }).errors.map((error) => error.field)])).toEqual([
        [400, ["url"]],
        [400, ["url"]],
        [400, ["url"]],
        [400, ["url"]],
        [400, ["url"]],
      ]);
      expect((await put({ url: null })).response.status).toBe(204);
      expect(await get()).toBeNull();
      await createMockAdmin({ baseUrl: mock.url }).reset();
      expect(await get()).toBe("http://127.0.0.1:9/start");
    } finally {
      await mock.close();
    }
  });
});

describe("a callback's payload", () => {
  it("is the contract's example of its status with the message's ids, recipient, references and time", () => {
    const message = callbackMessage("MSG1", "+919876543210", { ref: "r0", ref2: "r2" });
    expect(message.wamid).toMatch(/^wamid\.[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(message.wamid.slice("wamid.".length), "base64").toString()).toMatch(/^919876543210[0-9A-F]{32}$/);
    expect(callbackMessage("MSG1", "+919876543210", {}).wamid).not.toBe(message.wamid);
    const at = new Date("2026-11-30T09:00:00.999Z");
    const payload = callbackPayload("FAILED", message, at);
    const example = webhook().exampleOf("FAILED");
    expect(payload).toEqual({
      ...example,
      message_id: "MSG1",
      extra_info: { trace_id: message.traceId, message_id: "MSG1", waba_id: example.extra_info.waba_id, ref: "r0", ref2: "r2" },
      meta_object: {
        ...example.meta_object,
        value: {
          statuses: [
            {
              ...example.meta_object.value.statuses[0]!,
              id: message.wamid,
              recipient_id: "919876543210",
              timestamp: String(Date.parse("2026-11-30T09:00:00Z") / 1000),
            },
          ],
        },
      },
    });
    // Only a leading + goes from the recipient.
    expect(callbackPayload("SENT", callbackMessage("M", "+1+2", {}), at).meta_object.value.statuses[0]!.recipient_id).toBe("1+2");
  });
});

describe("the client reads them", () => {
  const valid = () => webhook().exampleOf("DELIVERED");

  it("parseStatusCallback gives a typed value, from JSON or text", () => {
    expect(parseStatusCallback(valid())).toEqual(valid());
    expect(parseStatusCallback(JSON.stringify(valid())).status).toBe("DELIVERED");
    expect(parseStatusCallback(Buffer.from(JSON.stringify(valid()))).message_id).toBe(valid().message_id);
  });

  it("refuses what is not a callback of the contract, as a validation error naming the field", () => {
    const fields = (body: unknown) => {
      try {
        parseStatusCallback(body);
      } catch (error) {
        expect(error).toBeInstanceOf(KaleyraValidationError);
        expect((error as KaleyraValidationError).kind).toBe("validation");
        return (error as KaleyraValidationError).issues.map((issue) => issue.field);
      }
      return [];
    };
    expect(fields({ ...valid(), status: "LOST" })).toEqual(["status"]);
    const { message_id: _, ...noId } = valid();
    expect(fields(noId)).toEqual(["message_id"]);
    expect(fields({ ...valid(), extra_info: { ...valid().extra_info, ref: "r".repeat(256) } })).toEqual(["extra_info.ref"]);
    expect(fields({ ...valid(), extra_info: { ...valid().extra_info, ref: "r".repeat(255) } })).toEqual([]);
    expect(fields("{not json")).toEqual(["(body)"]);
    expect(fields(null)).toEqual(["(body)"]);
  });

  it("statusCallbackHandler answers 2xx only after the team's handler resolved; 500 when it throws, 400 for a bad body", async () => {
    const events: string[] = [];
    let fail = false;
    const handler = statusCallbackHandler(
      async (callback) => {
        events.push(`start ${callback.status}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        if (fail) throw new Error("database down");
        events.push(`done ${callback.status}`);
      },
      { maxBodyBytes: 4_096 },
    );
    const server = createServer((request, response) => void handler(request, response));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const answers: { status: number; headers: IncomingMessage["headers"]; text: string }[] = [];
    const post = (body: string, method = "POST") =>
      new Promise<number>((resolve, reject) => {
        const call = httpRequest(
          { host: "127.0.0.1", port, method, path: "/", headers: { "content-type": "application/json" } },
          (response: IncomingMessage) => {
            events.push(`answer ${response.statusCode}`);
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("end", () => {
              answers.push({ status: response.statusCode!, headers: response.headers, text: Buffer.concat(chunks).toString() });
              resolve(response.statusCode!);
            });
          },
        );
        call.on("error", reject);
        call.end(body);
      });
    try {
      expect(await post(JSON.stringify(valid()))).toBe(204);
      expect(events).toEqual(["start DELIVERED", "done DELIVERED", "answer 204"]);
      fail = true;
      expect(await post(JSON.stringify(valid()))).toBe(500);
      expect(await post(JSON.stringify({ ...valid(), status: "LOST" }))).toBe(400);
      expect(await post("x".repeat(4_096))).toBe(400); // at the limit: read, not JSON
      expect(await post("x".repeat(4_097))).toBe(413); // one past it
      expect(await post("", "GET")).toBe(405);
      expect(answers.map((answer) => [answer.status, answer.headers["content-type"], answer.text ? JSON.parse(answer.text) : ""])).toEqual([
        [204, "application/json", ""],
        [500, "application/json", { error: "the receiver's handler failed" }],
        [
          400,
          "application/json",
          {
            error: "not a status callback of the contract",
            issues: [{ field: "status", message: 'must be one of "SENT", "DELIVERED", "READ", "FAILED", "NOT-SENT"' }],
          },
        ],
        [400, "application/json", { error: "not a status callback of the contract", issues: [{ field: "(body)", message: "is not JSON" }] }],
        [413, "application/json", { error: "the body is larger than 4096 bytes" }],
        [405, "application/json", { error: "status callbacks are POSTed" }],
      ]);
      // Every answer's length is its body's: a 204's is 0.
      expect(answers.map((answer) => answer.headers["content-length"])).toEqual(answers.map((answer) => String(Buffer.byteLength(answer.text))));
      expect(answers[0]!.headers["content-length"]).toBe("0");
      expect(answers.map((answer) => [answer.headers.allow, answer.headers.connection])).toEqual([
        [undefined, "keep-alive"],
        [undefined, "keep-alive"],
        [undefined, "keep-alive"],
        [undefined, "keep-alive"],
        [undefined, "close"],
        ["POST", "keep-alive"],
      ]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("the callback checker", () => {
  const callback = (status: StatusCallback["status"], id = "M1", refs: Record<string, string> = { ref: "a" }) => {
    const value = webhook().exampleOf(status);
    value.message_id = id;
    value.extra_info = { ...value.extra_info, message_id: id, ref: undefined as never, ref1: undefined as never, ref2: undefined as never, ...refs };
    for (const name of ["ref", "ref1", "ref2"] as const) if (value.extra_info[name] === undefined) delete value.extra_info[name];
    return value;
  };

  it("finds exactly what is wrong, one named check each", () => {
    const checker = createCallbackChecker();
    const checks = (body: unknown) => checker.check(body).map((finding) => finding.check);
    expect(checks(callback("SENT"))).toEqual([]);
    expect(checks(callback("READ"))).toEqual(["in_order"]);
    expect(checks(callback("SENT"))).toEqual(["no_duplicate"]);
    expect(checks(callback("DELIVERED", "M1", { ref: "b" }))).toEqual(["in_order", "same_refs"]);
    expect(checks(callback("NOT-SENT", "M2"))).toEqual([]);
    expect(checks(callback("SENT", "M2"))).toEqual(["in_order"]);
    expect(checks({ ...callback("SENT", "M3"), status: "LOST" })).toEqual(["valid"]);
    expect(checks({ ...callback("SENT", "M4"), extra_info: { ...callback("SENT", "M4").extra_info, message_id: "OTHER" } })).toEqual(["same_message_id"]);
    expect(checks(callback("SENT", "M5", {}))).toEqual([]);
    expect(checks(callback("DELIVERED", "M5", { ref: "late" }))).toEqual(["same_refs"]);
    expect(checker.incomplete().sort()).toEqual(["M1", "M2", "M4", "M5"]);
  });

  it("`kaleyra-video callbacks` checks what the mock sends, and exits 1 on a violation, 2 on a port in use", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { env: {}, out: (text: string) => out.push(text), err: (text: string) => err.push(text) };
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const run = callbacksCommand(["--port", String(port), "--for-ms", "1500"], io);
    await until("listening", () => (err.some((line) => line.startsWith("Listening")) ? true : undefined));
    const mock = await startTestMock({}, "fast", { callbacks: { ...fast, url: `http://127.0.0.1:${port}/` } });
    try {
      const { messageId } = await send(mock);
      await until("three lines", () => (out.filter((line) => line.includes(messageId)).length === 3 ? true : undefined));
      // A callback out of order, sent by hand.
      await fetchWithin(`http://127.0.0.1:${port}/`, {
        method: "POST",
        body: JSON.stringify({ ...webhook().exampleOf("READ"), message_id: "X", extra_info: { ...webhook().exampleOf("READ").extra_info, message_id: "X" } }),
      });
      expect(await run).toBe(1);
      expect(out.filter((line) => line.includes(messageId))).toEqual([`SENT ${messageId} ok`, `DELIVERED ${messageId} ok`, `READ ${messageId} ok`]);
      expect(out.at(-1)).toBe("4 callback(s) for 2 message(s): 1 violation(s): in_order 1; 1 message(s) without a whole sequence yet.");
    } finally {
      await mock.close();
    }
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const taken = (busy.address() as AddressInfo).port;
    try {
      const errors: string[] = [];
      expect(
        await within("callbacks on a port in use", callbacksCommand(["--port", String(taken)], { env: {}, out: () => {}, err: (text) => errors.push(text) })),
      ).toBe(2);
      expect(errors).toEqual([
        `callbacks: port ${taken} on 127.0.0.1 is in use; pick another with --port (0 picks a free one)\nRun kaleyra-video callbacks --help.`,
      ]);
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });
});

describe("the callback sender at its limits", () => {
  const message = (id: string) => callbackMessage(id, "+919876543210", {});
  const settings = { delaysMs: [0], attempts: 1, backoffMs: 1, timeoutMs: 1_000, queueLimit: 100, concurrency: 8, keep: 100, sandboxLimit: 10 };

  it("counts 200 and 299 as delivered, 300 as a redirect (never followed), 404 as refused, and keeps the last `keep` deliveries", async () => {
    const codes = new Map([
      ["A", 200],
      ["B", 299],
      ["C", 300],
      ["D", 404],
    ]);
    const hook = await receiver((_hit, body) => codes.get(body.message_id) ?? 204);
    const notes: string[] = [];
    const sender = createCallbackSender(
      { ...settings, url: hook.url, keep: 2 },
      (line) => notes.push(line),
      (text) => text,
    );
    try {
      for (const id of ["A", "B", "C", "D"]) sender.enqueue(message(id), "not-sent");
      const page = await until("all sent", () => {
        const now = sender.page();
        return now.pending === 0 && notes.length === 2 ? now : undefined;
      });
      // keep 2: the last two shown, the two before counted as dropped.
      expect(
        page.deliveries.map((delivery) => [delivery.messageId, delivery.state, delivery.attempts.map((attempt) => `${attempt.outcome} ${attempt.status}`)]),
      ).toEqual([
        ["C", "given-up", ["redirect 300"]],
        ["D", "given-up", ["refused 404"]],
      ]);
      expect(page.dropped).toBe(2);
      expect(notes.sort()).toEqual([
        "callback NOT-SENT of C given up after 1 attempt(s): answered 300; redirects are never followed",
        "callback NOT-SENT of D given up after 1 attempt(s): answered 404",
      ]);
      expect(hook.got.map((callback) => callback.message_id).sort()).toEqual(["A", "B"]);
    } finally {
      sender.close();
      await hook.close();
    }
  });

  it("holds at most `queueLimit` messages waiting and `concurrency` sending; the rest are dropped and counted", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const server = createServer((request, response) => {
      request.resume();
      void gate.then(() => response.writeHead(204).end());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const sender = createCallbackSender(
      { ...settings, url, concurrency: 1, queueLimit: 2 },
      () => {},
      (text) => text,
    );
    try {
      for (const id of ["A", "B", "C", "D", "E"]) sender.enqueue(message(id), "not-sent");
      // A sending, B and C waiting: the queue is at its limit, D and E dropped.
      expect(sender.page()).toMatchObject({ pending: 3, dropped: 2 });
      release();
      const page = await until("drained", () => (sender.page().pending === 0 ? sender.page() : undefined));
      expect(page.deliveries.map((delivery) => [delivery.messageId, delivery.state])).toEqual([
        ["A", "delivered"],
        ["B", "delivered"],
        ["C", "delivered"],
      ]);
    } finally {
      sender.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("many jobs waiting at once (past Node's ten listeners a signal) raise no process warning", async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on("warning", onWarning);
    const hook = await receiver();
    const sender = createCallbackSender(
      { ...settings, url: hook.url, delaysMs: [60_000], concurrency: 12 },
      () => {},
      (text) => text,
    );
    try {
      for (let i = 0; i < 12; i++) sender.enqueue(message(`M${i}`), "not-sent");
      expect(sender.page().pending).toBe(12);
      // Node emits its warning on the next turn of the event loop.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
    } finally {
      sender.close();
      await hook.close();
      process.off("warning", onWarning);
    }
  });

  it("keeps each sandbox's queue, count and deliveries apart: a new URL or a reset for one SID drops that SID's jobs alone", async () => {
    const hook = await receiver();
    // One job runs at a time and waits a minute before it sends: the rest stay queued.
    const sender = createCallbackSender(
      { ...settings, url: hook.url, delaysMs: [60_000], concurrency: 1 },
      () => {},
      (text) => text,
    );
    const pending = () => [sender.page("A").pending, sender.page("B").pending, sender.page("C").pending, sender.page().pending];
    try {
      for (const [id, sid] of [
        ["A1", "A"],
        ["A2", "A"],
        ["B1", "B"],
        ["B2", "B"],
        ["C1", "C"],
      ] as const)
        sender.enqueue(message(id), "read", sid);
      expect(pending()).toEqual([2, 2, 1, 5]);
      // A's URL moves: A's running job and its queued one are dropped, no one else's.
      expect(sender.setUrl(`${hook.url}elsewhere`, "A")).toEqual({ ok: true });
      expect(await until("A's jobs dropped", () => (sender.page("A").pending === 0 ? pending() : undefined))).toEqual([0, 2, 1, 3]);
      // B's reset: B's jobs dropped (one of them running by now), C's kept.
      sender.reset("B");
      expect(await until("B's jobs dropped", () => (sender.page("B").pending === 0 ? pending() : undefined))).toEqual([0, 0, 1, 1]);
      expect([sender.url("A"), sender.url("B"), sender.url("C")]).toEqual([`${hook.url}elsewhere`, hook.url, hook.url]);
      // A's reset takes it back to the mock's URL.
      sender.reset("A");
      expect([sender.url("A"), sender.url()]).toEqual([hook.url, hook.url]);
      expect(hook.hits).toBe(0);
    } finally {
      sender.close();
      await hook.close();
    }
  });

  it("a sandbox's reset forgets its deliveries and keeps every other's", async () => {
    const hook = await receiver();
    const sender = createCallbackSender(
      { ...settings, url: hook.url },
      () => {},
      (text) => text,
    );
    try {
      sender.enqueue(message("A1"), "not-sent", "A");
      sender.enqueue(message("B1"), "not-sent", "B");
      sender.enqueue(message("X1"), "not-sent");
      const ids = (sid?: string) => sender.page(sid).deliveries.map((delivery) => `${delivery.messageId} ${delivery.state}`);
      await until("all delivered", () => (ids().filter((id) => id.endsWith("delivered")).length === 3 ? true : undefined));
      expect([ids("A"), ids("B")]).toEqual([["A1 delivered"], ["B1 delivered"]]);
      sender.reset("A");
      expect([ids("A"), ids("B"), ids().sort()]).toEqual([[], ["B1 delivered"], ["B1 delivered", "X1 delivered"]]);
      sender.reset();
      expect(ids()).toEqual([]);
    } finally {
      sender.close();
      await hook.close();
    }
  });

  it("sends nothing without a URL or once closed, and waits end at once when it closes", async () => {
    const hook = await receiver();
    const sender = createCallbackSender(
      { ...settings, url: undefined, delaysMs: [60_000] },
      () => {},
      (text) => text,
    );
    try {
      sender.enqueue(message("A"), "read");
      expect(sender.page()).toEqual({ url: null, pending: 0, dropped: 0, deliveries: [] });
      sender.setUrl(hook.url);
      sender.enqueue(message("B"), "read");
      expect(sender.page().pending).toBe(1);
      sender.close();
      await until("stopped", () => (sender.page().pending === 0 ? true : undefined));
      sender.enqueue(message("C"), "read");
      expect(sender.page().pending).toBe(0);
      expect(hook.hits).toBe(0);
    } finally {
      await hook.close();
    }
  });
});

describe("`kaleyra-video callbacks`, its flags", () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { env: {}, out: (text: string) => out.push(text), err: (text: string) => err.push(text) } };
  };

  it("refuses each flag past its limit, by name, with exit 2; --help exits 0", async () => {
    const cases: [string[], string][] = [
      [["--port", "65536"], "--port must be a whole number from 0 to 65535"],
      [["--port=-1"], "--port must be a whole number from 0 to 65535"],
      [["--port", "1.5"], "--port must be a whole number from 0 to 65535"],
      [["--for-ms", "0"], "--for-ms must be a whole number from 1 to 2147483647"],
      [["--for-ms", "2147483648"], "--for-ms must be a whole number from 1 to 2147483647"],
      [["--report", "junit=x.xml"], "--report takes json=FILE"],
      [["--report", "json="], "--report takes json=FILE"],
    ];
    for (const [argv, message] of cases) {
      const run = io();
      expect(await callbacksCommand(argv, run.io), argv.join(" ")).toBe(2);
      expect(run.err).toEqual([`callbacks: ${message}\nRun kaleyra-video callbacks --help.`]);
    }
    const unknown = io();
    expect(await callbacksCommand(["--colour"], unknown.io)).toBe(2);
    expect(unknown.err[0]).toMatch(/^callbacks: Unknown option '--colour'/);
    const help = io();
    expect(await callbacksCommand(["--help"], help.io)).toBe(0);
    expect(help.out.join("")).toMatch(/^Usage: kaleyra-video callbacks/);
  });

  it("listens on a free port with --port 0 for --for-ms, answers a body that is not JSON 400, and writes --report", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const file = join(mkdtempSync(join(tmpdir(), "callbacks-")), "report.json");
    const run = io();
    const done = callbacksCommand(["--port", "0", "--for-ms", "800", "--report", `json=${file}`], run.io);
    const url = await until("listening", () => /^Listening for status callbacks on (\S+)$/.exec(run.err.join("\n"))?.[1]);
    const answer = await fetchWithin(url, { method: "POST", body: "{not json" });
    expect(answer.status).toBe(400);
    const valid = webhook().exampleOf("NOT-SENT");
    expect((await fetchWithin(url, { method: "POST", body: JSON.stringify(valid) })).status).toBe(204);
    expect(await done).toBe(1);
    const { readFileSync } = await import("node:fs");
    const report = JSON.parse(readFileSync(file, "utf8")) as { callbacks: number; messages: number; findings: { check: string }[]; incomplete: string[] };
    expect(report).toEqual({
      callbacks: 1,
      messages: 1,
      findings: [{ check: "valid", message: "the body is not JSON" }],
      violations: 1,
      byCheck: { valid: 1 },
      incomplete: [],
      forgotten: 0,
    });
    expect(run.out).toEqual([
      "? (not JSON) ✗ valid: the body is not JSON",
      `NOT-SENT ${valid.message_id} ok`,
      "1 callback(s) for 1 message(s): 1 violation(s): valid 1.",
    ]);
  });
});

describe("`kaleyra-video callbacks`, its defaults through the command", () => {
  it("listens on port 4020 of 127.0.0.1 by default (shown with the port held), and --for-ms 1 is a whole run", async () => {
    const { defaultCallbacksPort } = await import("../src/cli/callbacks.ts");
    expect(defaultCallbacksPort).toBe(4020);
    const { createServer } = await import("node:net");
    const holder = createServer();
    await new Promise<void>((resolve) => holder.once("error", () => resolve()).listen(4020, "127.0.0.1", () => resolve()));
    const err: string[] = [];
    try {
      expect(await within("callbacks on a port in use", callbacksCommand(["--for-ms", "1"], { env: {}, out: () => {}, err: (text) => err.push(text) }))).toBe(
        2,
      );
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
    expect(err).toEqual(["callbacks: port 4020 on 127.0.0.1 is in use; pick another with --port (0 picks a free one)\nRun kaleyra-video callbacks --help."]);
    const out: string[] = [];
    const quick: string[] = [];
    expect(await callbacksCommand(["--port", "0", "--for-ms", "1"], { env: {}, out: (text) => out.push(text), err: (text) => quick.push(text) })).toBe(0);
    expect(quick).toEqual([expect.stringMatching(/^Listening for status callbacks on http:\/\/127\.0\.0\.1:\d+\/$/)]);
    expect(out).toEqual(["0 callback(s) for 0 message(s): no violation."]);
  });
});

describe("the callbacks' checker, parser and URL rule, word for word", () => {
  const thrown = (run: () => unknown): unknown => {
    try {
      run();
    } catch (error) {
      return error;
    }
    throw new Error("expected it to throw");
  };
  const sequences = "SENT → DELIVERED → READ; SENT → FAILED; NOT-SENT";
  const ofStatus = (status: "SENT" | "DELIVERED" | "READ" | "FAILED" | "NOT-SENT", id = "M1", refs: Partial<Record<"ref" | "ref1" | "ref2", string>> = {}) => {
    const callback = webhook().exampleOf(status);
    callback.message_id = id;
    callback.extra_info.message_id = id;
    delete callback.extra_info.ref;
    delete callback.extra_info.ref1;
    delete callback.extra_info.ref2;
    Object.assign(callback.extra_info, refs);
    return callback;
  };

  it("names each finding by its check, with the statuses seen, the contract's sequences and the references", () => {
    const checker = createCallbackChecker();
    expect(checker.check({ ...ofStatus("SENT"), status: "BOGUS", message_id: 5 })).toEqual([
      { check: "valid", messageId: undefined, message: 'status must be one of "SENT", "DELIVERED", "READ", "FAILED", "NOT-SENT"; message_id must be string' },
    ]);
    expect(checker.check({ ...ofStatus("SENT"), status: "BOGUS" })).toEqual([
      { check: "valid", messageId: "M1", message: 'status must be one of "SENT", "DELIVERED", "READ", "FAILED", "NOT-SENT"' },
    ]);
    expect(checker.check(ofStatus("READ"))).toEqual([
      { check: "in_order", messageId: "M1", message: `READ after nothing: the contract's sequences are ${sequences}` },
    ]);
    expect(checker.check(ofStatus("SENT", "M2", { ref: "a" }))).toEqual([]);
    expect(checker.check(ofStatus("DELIVERED", "M2", { ref: "a" }))).toEqual([]);
    expect(checker.check(ofStatus("FAILED", "M2", { ref: "a", ref2: "c" }))).toEqual([
      { check: "in_order", messageId: "M2", message: `FAILED after SENT, DELIVERED: the contract's sequences are ${sequences}` },
      { check: "same_refs", messageId: "M2", message: 'ref, ref1, ref2 are ["a",null,"c"], not ["a",null,null] as in its first callback' },
    ]);
    expect(checker.check(ofStatus("SENT", "M2", { ref: "a" }))).toEqual([{ check: "no_duplicate", messageId: "M2", message: "SENT came twice" }]);
    const other = ofStatus("NOT-SENT", "M3");
    other.extra_info.message_id = "M4";
    expect(checker.check(other)).toEqual([{ check: "same_message_id", messageId: "M3", message: "extra_info.message_id M4 is not message_id M3" }]);
    expect(checker.check(ofStatus("READ", "M2", { ref: "a" }))).toEqual([
      { check: "in_order", messageId: "M2", message: `READ after SENT, DELIVERED, FAILED: the contract's sequences are ${sequences}` },
    ]);
    expect(checker.check(ofStatus("SENT", "M5"))).toEqual([]);
    expect(checker.check(ofStatus("FAILED", "M5"))).toEqual([]);
    expect(Object.fromEntries(checker.messages())).toEqual({
      M1: ["READ"],
      M2: ["SENT", "DELIVERED", "FAILED", "READ"],
      M3: ["NOT-SENT"],
      M5: ["SENT", "FAILED"],
    });
    expect(checker.incomplete()).toEqual(["M1", "M2"]);
  });

  it("parseStatusCallback: text, bytes or a value; not JSON and not the contract are told apart", () => {
    const sent = ofStatus("SENT");
    for (const body of [JSON.stringify(sent), new TextEncoder().encode(JSON.stringify(sent)), sent]) expect(parseStatusCallback(body)).toEqual(sent);
    for (const body of ["{x", new TextEncoder().encode("{x")]) {
      const error = thrown(() => parseStatusCallback(body));
      expect(error).toBeInstanceOf(KaleyraValidationError);
      expect([(error as KaleyraValidationError).message, (error as KaleyraValidationError).issues]).toEqual([
        "The status callback cannot be read: (body) is not JSON",
        [{ field: "(body)", rule: "json", message: "is not JSON" }],
      ]);
    }
    const error = thrown(() => parseStatusCallback({ ...sent, status: "BOGUS" })) as KaleyraValidationError;
    expect(error.message).toBe('The status callback breaks the contract: status must be one of "SENT", "DELIVERED", "READ", "FAILED", "NOT-SENT"');
  });

  it("a callback URL is http(s), with no user name, password or fragment, even an empty one", async () => {
    const { callbackUrlProblem } = await import("../src/callbacks/url.ts");
    const cases: [string, string | undefined][] = [
      ["http://127.0.0.1:4020/", undefined],
      ["https://hooks.example.org/kaleyra?x=1", undefined],
      ["not a url", "is not a URL"],
      ["ftp://example.org/", "must be http(s), not ftp:"],
      ["http://user@example.org/", "must not carry a user name or password"],
      ["http://:secret@example.org/", "must not carry a user name or password"],
      ["http://example.org/#", "must not have a fragment"],
      ["http://example.org/#part", "must not have a fragment"],
    ];
    expect(cases.map(([url]) => callbackUrlProblem(url))).toEqual(cases.map(([, problem]) => problem));
  });
});

describe("the callback sender: what it sends, how it waits, and stopping", () => {
  const message = (id: string) => callbackMessage(id, "+919876543210", {});
  const settings = { delaysMs: [0], attempts: 1, backoffMs: 1, timeoutMs: 1_000, queueLimit: 100, concurrency: 8, keep: 100, sandboxLimit: 10 };

  /** A server that answers each request with `answer(hit)`: [status, body]. */
  async function answering(answer: (hit: number, request: IncomingMessage) => [number, string, Record<string, string>?]) {
    const seen: { at: number; headers: IncomingMessage["headers"] }[] = [];
    const server = createServer((request, response) => {
      request.resume();
      request.on("end", () => {
        seen.push({ at: Date.now(), headers: request.headers });
        const [status, body, headers = {}] = answer(seen.length, request);
        response.writeHead(status, { "content-type": "application/json", ...headers }).end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    return {
      url,
      seen,
      close: () => {
        server.closeAllConnections();
        return new Promise((resolve) => server.close(resolve));
      },
    };
  }

  it("POSTs JSON with its length and the kit's user-agent; an answer is read up to 64 KiB; a 500 is refused; the last attempt is the last", async () => {
    const limit = 64 * 1024;
    const bodies = new Map([
      [1, "x".repeat(limit)],
      [2, "x".repeat(limit + 1)],
    ]);
    const server = await answering((hit) =>
      hit === 3 ? [500, "{}"] : hit === 4 ? [307, "{}", { location: "http://127.0.0.1:1/elsewhere" }] : [200, bodies.get(hit) ?? "{}"],
    );
    const notes: string[] = [];
    // A backoff no test waits for: the last attempt must not be followed by one.
    const sender = createCallbackSender(
      { ...settings, url: server.url, attempts: 2, backoffMs: 1 },
      (line) => notes.push(line),
      (text) => text,
    );
    try {
      sender.enqueue(message("AT"), "not-sent");
      await until("first", () => (sender.page().pending === 0 ? true : undefined));
      sender.enqueue(message("PAST"), "not-sent");
      const page = await until("both", () => (sender.page().pending === 0 ? sender.page() : undefined));
      expect(
        page.deliveries.map((delivery) => [
          delivery.messageId,
          delivery.state,
          delivery.attempts.map(({ outcome, status, detail }) => ({ outcome, status, detail })),
        ]),
      ).toEqual([
        ["AT", "delivered", [{ outcome: "delivered", status: 200, detail: "answered 200" }]],
        [
          "PAST",
          "given-up",
          [
            { outcome: "too-large", status: 200, detail: "The answer is larger than the limit of 65536 bytes; the rest was discarded." },
            { outcome: "refused", status: 500, detail: "answered 500" },
          ],
        ],
      ]);
      // A redirect is never followed, and recorded as the contract names it.
      sender.enqueue(message("MOVED"), "not-sent");
      const moved = await until("moved", () => (sender.page().pending === 0 ? sender.page().deliveries.at(-1) : undefined));
      expect(moved?.attempts.map(({ outcome, status, detail }) => ({ outcome, status, detail }))).toEqual([
        { outcome: "redirect", status: 307, detail: "answered 307; redirects are never followed" },
        { outcome: "delivered", status: 200, detail: "answered 200" },
      ]);
      const length = (id: string) => String(Buffer.byteLength(JSON.stringify(callbackPayload("NOT-SENT", message(id), new Date()))));
      expect(server.seen.map(({ headers }) => [headers["content-type"], headers["content-length"], headers["user-agent"]])).toEqual(
        ["AT", "PAST", "PAST", "MOVED", "MOVED"].map((id) => ["application/json", length(id), "kaleyra-whatsapp-video-kit mock callbacks"]),
      );
      expect(notes).toEqual(["callback NOT-SENT of PAST given up after 2 attempt(s): answered 500"]);
    } finally {
      sender.close();
      await server.close();
    }
  });

  it("past `keep` deliveries and below twice that, shows the last `keep` and counts the rest as dropped", async () => {
    const server = await answering(() => [204, ""]);
    const sender = createCallbackSender(
      { ...settings, url: server.url, keep: 2, concurrency: 1 },
      () => {},
      (text) => text,
    );
    try {
      for (const id of ["A", "B", "C"]) sender.enqueue(message(id), "not-sent");
      const page = await until("sent", () => (sender.page().pending === 0 ? sender.page() : undefined));
      expect([page.dropped, page.deliveries.map((delivery) => delivery.messageId)]).toEqual([1, ["B", "C"]]);
    } finally {
      sender.close();
      await server.close();
    }
  });

  it("waits the backoff before each next attempt, doubled each time; the last delay repeats for the statuses past the list", async () => {
    const server = await answering((hit) => [hit <= 2 ? 503 : 204, ""]);
    const sender = createCallbackSender(
      { ...settings, url: server.url, attempts: 3, backoffMs: 300 },
      () => {},
      (text) => text,
    );
    // How late this process's timers ran meanwhile: a busy machine delays the retry by as much.
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    try {
      sender.enqueue(message("B"), "not-sent");
      await until("retried", () => (sender.page().pending === 0 ? true : undefined));
      lag.disable();
      const [first, second, third] = server.seen.map(({ at }) => at) as [number, number, number];
      // At least the backoff, and well short of the next doubling but for the lateness of the timers.
      expect(second - first).toBeGreaterThanOrEqual(295);
      expect(second - first).toBeLessThan(1_200 + lag.max / 1e6);
      expect(third - second).toBeGreaterThanOrEqual(595);
    } finally {
      lag.disable();
      sender.close();
      await server.close();
    }
    const paced = await answering(() => [204, ""]);
    const statuses = createCallbackSender(
      { ...settings, url: paced.url, delaysMs: [0, 400] },
      () => {},
      (text) => text,
    );
    try {
      statuses.enqueue(message("R"), "read");
      await until("three statuses", () => (statuses.page().pending === 0 ? true : undefined));
      const [, delivered, read] = paced.seen.map(({ at }) => at) as [number, number, number];
      expect(read - delivered).toBeGreaterThanOrEqual(395);
    } finally {
      statuses.close();
      await paced.close();
    }
  });

  it("close ends every wait at once, those begun after it too, cuts the attempt in flight, sends nothing more, and says nothing of callbacks it stopped", async () => {
    let arrived: () => void = () => {};
    const hit = new Promise<void>((resolve) => (arrived = resolve));
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let hits = 0;
    const server = createServer((request, response) => {
      hits++;
      request.resume();
      arrived();
      void held.then(() => response.writeHead(503).end());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const notes: string[] = [];
    // A backoff and delays far past any test's wait: only close can end them.
    const sender = createCallbackSender(
      { ...settings, url, attempts: 2, backoffMs: 3_600_000, delaysMs: [0, 3_600_000] },
      (line) => notes.push(line),
      (text) => text,
    );
    const other = createCallbackSender(
      { ...settings, url, delaysMs: [3_600_000] },
      (line) => notes.push(line),
      (text) => text,
    );
    try {
      sender.enqueue(message("WAITING"), "read");
      other.enqueue(message("DELAYED"), "not-sent");
      await hit;
      sender.close();
      other.close();
      // The attempt in flight is cut by close (its outcome is not the receiver's): no backoff holds the sender.
      release();
      const [waiting, delayed] = await until("both drained", () =>
        sender.page().pending === 0 && other.page().pending === 0 ? [sender.page(), other.page()] : undefined,
      );
      expect(
        waiting.deliveries.map((delivery) => [delivery.messageId, delivery.status, delivery.state, delivery.attempts.map((attempt) => attempt.status)]),
      ).toEqual([["WAITING", "SENT", "given-up", []]]);
      expect(delayed.deliveries).toEqual([]);
      expect(notes).toEqual([]);
      expect(hits).toBe(1);
      sender.enqueue(message("LATE"), "not-sent");
      expect(sender.page().pending).toBe(0);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("the callbacks receiver and its command, at their edges", () => {
  it("reads a body up to 64 KiB (one past is a 413 that closes), lines name every finding, the summary every check, and close stops it", async () => {
    const { startCallbackReceiver, describeResult } = await import("../src/callbacks/receiver.ts");
    const lines: string[] = [];
    const receiver = await startCallbackReceiver({ port: 0, host: "127.0.0.1", line: (text) => lines.push(text) });
    expect(receiver.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const { rawRequest } = await import("./support/raw.ts");
    const limit = 64 * 1024;
    const at = await rawRequest(receiver.url, {
      method: "POST",
      path: "/",
      headers: { "content-type": "application/json" },
      body: `${" ".repeat(limit - 2)}{}`,
    });
    const past = await rawRequest(receiver.url, {
      method: "POST",
      path: "/",
      headers: { "content-type": "application/json" },
      body: `${" ".repeat(limit - 1)}{}`,
    });
    expect([at.status, past.status, past.headers.connection]).toEqual([204, 413, "close"]);
    const read = webhook().exampleOf("READ");
    read.extra_info.message_id = "OTHER";
    expect((await fetchWithin(receiver.url, { method: "POST", body: JSON.stringify(read) })).status).toBe(204);
    expect(lines).toEqual([
      "? ? ✗ valid: meta_object is required; extra_info is required; status is required; message_id is required",
      `READ ${read.message_id} ✗ same_message_id: extra_info.message_id OTHER is not message_id ${read.message_id}; ✗ in_order: READ after nothing: the contract's sequences are SENT → DELIVERED → READ; SENT → FAILED; NOT-SENT`,
    ]);
    expect(
      describeResult({
        callbacks: 2,
        messages: 1,
        findings: receiver.findings,
        ...receiver.counts(),
        incomplete: receiver.checker.incomplete(),
        forgotten: receiver.checker.forgotten(),
      }),
    ).toBe("2 callback(s) for 1 message(s): 3 violation(s): valid 1, same_message_id 1, in_order 1; 1 message(s) without a whole sequence yet.");
    expect(receiver.received()).toBe(2);
    await receiver.close();
    await expect(fetchWithin(receiver.url, { method: "POST", body: "{}" })).rejects.toThrow();
  });

  it("runs until SIGINT or SIGTERM without --for-ms, then lets go of the signals; positionals are refused; a report it cannot write is not a usage error", async () => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const before = [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];
      const err: string[] = [];
      const out: string[] = [];
      const done = callbacksCommand(["--port", "0"], { env: {}, out: (text) => out.push(text), err: (text) => err.push(text) });
      const url = await until("listening", () => /^Listening for status callbacks on (\S+)$/.exec(err.join("\n"))?.[1]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      // Still listening: nothing but the signal stops it.
      expect((await fetchWithin(url, { method: "POST", body: JSON.stringify(webhook().exampleOf("NOT-SENT")) })).status, signal).toBe(204);
      process.emit(signal);
      expect(await done, signal).toBe(0);
      expect(out, signal).toEqual([`NOT-SENT ${webhook().exampleOf("NOT-SENT").message_id} ok`, "1 callback(s) for 1 message(s): no violation."]);
      expect([process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")], signal).toEqual(before);
    }
    const err: string[] = [];
    expect(await callbacksCommand(["extra"], { env: {}, out: () => {}, err: (text) => err.push(text) })).toBe(2);
    expect(err).toEqual(["callbacks: Unexpected argument 'extra'. This command does not take positional arguments\nRun kaleyra-video callbacks --help."]);
    const anchored: string[] = [];
    expect(await callbacksCommand(["--report", "xjson=file"], { env: {}, out: () => {}, err: (text) => anchored.push(text) })).toBe(2);
    expect(anchored).toEqual(["callbacks: --report takes json=FILE\nRun kaleyra-video callbacks --help."]);
    await expect(
      callbacksCommand(["--port", "0", "--for-ms", "1", "--report", "json=/nonexistent-dir/report.json"], { env: {}, out: () => {}, err: () => {} }),
    ).rejects.toMatchObject({ code: "ENOENT" });
  });
});

describe("the callback sender's last attempt", () => {
  it("POSTs each attempt, and gives up at once after the last: no backoff after it", async () => {
    const methods: string[] = [];
    const server = createServer((request, response) => {
      methods.push(request.method ?? "");
      request.resume();
      request.on("end", () => response.writeHead(503).end());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const notes: string[] = [];
    // One attempt and a backoff of an hour: a wait after the last attempt would hold the message past the test's wait.
    const sender = createCallbackSender(
      { delaysMs: [0], attempts: 1, backoffMs: 3_600_000, timeoutMs: 1_000, queueLimit: 10, concurrency: 1, keep: 10, sandboxLimit: 10, url },
      (line) => notes.push(line),
      (text) => text,
    );
    try {
      sender.enqueue(callbackMessage("ONCE", "+919876543210", {}), "not-sent");
      const page = await until("given up", () => (sender.page().pending === 0 ? sender.page() : undefined));
      expect(page.deliveries.map((delivery) => [delivery.messageId, delivery.state, delivery.attempts.map((attempt) => attempt.status)])).toEqual([
        ["ONCE", "given-up", [503]],
      ]);
      expect(notes).toEqual(["callback NOT-SENT of ONCE given up after 1 attempt(s): answered 503"]);
      expect(methods).toEqual(["POST"]);
    } finally {
      sender.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("what a long-running receiver keeps", () => {
  it("the checker remembers the newest `limit` messages: at the limit none is forgotten, one past it the oldest", async () => {
    const { createCallbackChecker } = await import("../src/callbacks/checker.ts");
    const sent = (id: string, status: "SENT" | "DELIVERED") => ({
      ...webhook().exampleOf(status),
      message_id: id,
      extra_info: { ...webhook().exampleOf(status).extra_info, message_id: id },
    });
    const checker = createCallbackChecker(3);
    for (const id of ["A", "B", "C"]) expect(checker.check(sent(id, "SENT"))).toEqual([]);
    expect([[...checker.messages().keys()], checker.forgotten()]).toEqual([["A", "B", "C"], 0]);
    expect(checker.check(sent("D", "SENT"))).toEqual([]);
    expect([[...checker.messages().keys()], checker.forgotten()]).toEqual([["B", "C", "D"], 1]);
    // B is remembered: its DELIVERED follows its SENT. A was forgotten: its DELIVERED is judged as a new message's.
    expect(checker.check(sent("B", "DELIVERED"))).toEqual([]);
    expect(checker.check(sent("A", "DELIVERED")).map((finding) => finding.check)).toEqual(["in_order"]);
  });

  it("the receiver keeps the first findings whole and counts every one by check", async () => {
    const { startCallbackReceiver, maxKeptFindings, describeResult } = await import("../src/callbacks/receiver.ts");
    const receiver = await startCallbackReceiver({ port: 0, host: "127.0.0.1" });
    try {
      const sends = maxKeptFindings + 5;
      for (let i = 0; i < sends; i++) await fetchWithin(receiver.url, { method: "POST", body: "not json" });
      expect([receiver.findings.length, receiver.counts()]).toEqual([maxKeptFindings, { violations: sends, byCheck: { valid: sends } }]);
      expect(describeResult({ callbacks: 0, messages: 0, findings: receiver.findings, ...receiver.counts(), incomplete: [], forgotten: 0 })).toBe(
        `0 callback(s) for 0 message(s): ${sends} violation(s): valid ${sends} (the first ${maxKeptFindings} kept in the report).`,
      );
    } finally {
      await receiver.close();
    }
  });
});
