// The mock as an integration-test server: faults, the test recipients, latency, concurrency, who
// may use the admin API, and the typed admin client a team's tests use.
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKaleyraClient, createMockAdmin, KaleyraAdminError, KaleyraTransportError, KaleyraValidationError } from "../src/index.ts";
import { example, operation } from "../src/contract/operation.ts";
import { webhook } from "../src/contract/webhook.ts";
import { adminAccess, authorized, isLoopback } from "../src/mock/admin/access.ts";
import { faultNames } from "../src/mock/admin/faults.ts";
import { createAdminApi } from "../src/mock/admin/api.ts";
import { createJournal } from "../src/mock/admin/journal.ts";
import { createScenarios } from "../src/mock/admin/scenarios.ts";
import { ConfigError, configFromEnv, defaultCallbackSettings, maxLatencyMs, maxJournalLimit, parseLatency } from "../src/mock/config.ts";
import { createHolds, latencyDraw } from "../src/mock/latency.ts";
import { createCallbackSender } from "../src/callbacks/sender.ts";
import { describeAdmin, describeCallbacks } from "../src/mock/run.ts";
import { secretForms } from "../src/http/secrets.ts";
import { failure } from "./support/failure.ts";
import { messagesPath, startTestMock, type TestMock } from "./support/mock.ts";
import { apiKey, businessNumber, sid, validBody } from "./support/requests.ts";
import { rawRequest } from "./support/raw.ts";
import { settlesAtOnce, until, waitMs, within } from "./support/wait.ts";

/** A POST of a valid body to `to`, reporting how the exchange ended: silence past `limitMs` (a hang, by default). */
function exchange(
  mock: TestMock,
  to: string,
  limitMs = waitMs,
): Promise<
  { kind: "answer"; status: number; text: string; ms: number } | { kind: "error"; code: string; message: string; ms: number } | { kind: "silence"; ms: number }
> {
  const body = validBody();
  body.messaging_object.to = to;
  const { hostname, port } = new URL(mock.url);
  const started = performance.now();
  const ms = () => performance.now() - started;
  return new Promise((resolve) => {
    const call = httpRequest(
      {
        hostname,
        port,
        method: "POST",
        path: messagesPath(sid, businessNumber),
        headers: { "content-type": "application/json", "api-key": apiKey },
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ kind: "answer", status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString(), ms: ms() }));
      },
    );
    const timer = setTimeout(() => {
      call.destroy();
      resolve({ kind: "silence", ms: ms() });
    }, limitMs);
    call.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ kind: "error", code: error.code ?? "", message: error.message, ms: ms() });
    });
    call.on("close", () => clearTimeout(timer));
    call.end(JSON.stringify(body));
  });
}

describe("the test recipients", () => {
  let mock: TestMock;
  beforeAll(async () => {
    mock = await startTestMock({ apiKey });
  });
  afterAll(() => mock.close());

  const recipients = operation().testRecipients;

  it("are fictional NANP 555-01xx numbers: one per named failure of the contract, one slow answer, one per fault", () => {
    for (const recipient of recipients) expect(recipient.to).toMatch(/^\+1[2-9]\d{2}55501\d{2}$/);
    expect(new Set(recipients.map((recipient) => recipient.to)).size).toBe(recipients.length);
    const failures = operation()
      .examples.filter((named) => named.status !== 202)
      .map((named) => named.name);
    expect(
      recipients
        .filter((recipient) => "example" in recipient.respond && recipient.respond.example !== "accepted")
        .map((recipient) => "example" in recipient.respond && recipient.respond.example),
    ).toEqual(failures);
    expect(recipients.filter((recipient) => "fault" in recipient.respond).map((recipient) => "fault" in recipient.respond && recipient.respond.fault)).toEqual(
      faultNames(),
    );
    expect(recipients.filter((recipient) => (recipient.delayMs ?? 0) > 0).map((recipient) => recipient.respond)).toEqual([{ example: "accepted" }]);
    // One per way a message's callbacks can end other than the default (read).
    expect(recipients.filter((recipient) => recipient.callbacks !== undefined).map((recipient) => recipient.callbacks)).toEqual(
      Object.keys(webhook().sequences).filter((path) => path !== "read"),
    );
    // The conformance suite's fictional recipient stays an ordinary number.
    expect(recipients.map((recipient) => recipient.to)).not.toContain("+12025550100");
  });

  it("each summary names the status and code of its example", () => {
    for (const recipient of recipients) {
      if (!("example" in recipient.respond)) continue;
      const named = example(recipient.respond.example);
      expect(recipient.summary).toContain(`(${named.status} ${(named.value as { code: string }).code})`);
    }
  });

  it("answer each named failure with the example's exact status and body", async () => {
    for (const recipient of recipients) {
      if (!("example" in recipient.respond) || recipient.respond.example === "accepted") continue;
      const named = example(recipient.respond.example);
      const answer = await exchange(mock, recipient.to);
      expect(answer).toMatchObject({ kind: "answer", status: named.status });
      expect(answer.kind === "answer" && JSON.parse(answer.text)).toEqual(named.value);
    }
  });

  it("play each fault: a reset, a close with no answer, a 202 with its JSON cut short, silence", async () => {
    const by = (fault: string) => recipients.find((recipient) => "fault" in recipient.respond && recipient.respond.fault === fault)!.to;
    expect(await exchange(mock, by("connection-reset"))).toMatchObject({ kind: "error", code: "ECONNRESET", message: "read ECONNRESET" });
    expect(await exchange(mock, by("empty-response"))).toMatchObject({ kind: "error", code: "ECONNRESET", message: "socket hang up" });
    const malformed = await exchange(mock, by("malformed-json"));
    expect(malformed).toMatchObject({ kind: "answer", status: 202 });
    const text = malformed.kind === "answer" ? malformed.text : "";
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(text.startsWith('{"code":"WA202"')).toBe(true);
    expect(await exchange(mock, by("no-response"), 600)).toMatchObject({ kind: "silence" });
    // The journal says what each got; a fault has no code.
    const admin = createMockAdmin({ baseUrl: mock.url });
    const faults = (await admin.requests())
      .filter((entry) => entry.response.fault !== null)
      .map((entry) => [entry.response.fault, entry.response.status, entry.response.code, entry.response.scenario]);
    expect(faults).toEqual([
      ["connection-reset", null, null, "test-recipient"],
      ["empty-response", null, null, "test-recipient"],
      ["malformed-json", 202, null, "test-recipient"],
      ["no-response", null, null, "test-recipient"],
    ]);
  });

  it("the malformed answer is a well-formed HTTP 202 of JSON, closed after: only its body is cut", async () => {
    const to = recipients.find((recipient) => "fault" in recipient.respond && recipient.respond.fault === "malformed-json")!.to;
    const body = validBody();
    body.messaging_object.to = to;
    const answer = await rawRequest(mock.url, {
      method: "POST",
      path: messagesPath(sid, businessNumber),
      headers: { "content-type": "application/json", "api-key": apiKey },
      body: JSON.stringify(body),
    });
    expect([answer.status, answer.headers["content-type"], answer.headers.connection, answer.headers["content-length"]]).toEqual([
      202,
      "application/json",
      "close",
      String(Buffer.byteLength(answer.text)),
    ]);
    const whole = JSON.stringify(example("accepted").value);
    expect(answer.text.length).toBe(Math.floor(whole.length / 2));
  });

  it("tell the typed client's failures apart: a reset and silence are transport errors, a cut JSON an invalid response", async () => {
    const client = createKaleyraClient({ sid, apiKey, baseUrl: mock.url, timeoutMs: 500 });
    const by = (fault: string) => recipients.find((recipient) => "fault" in recipient.respond && recipient.respond.fault === fault)!.to;
    const reasons = [];
    for (const fault of faultNames()) {
      const error = await failure(client.sendVideo({ phoneNumber: businessNumber, to: by(fault), video: { id: "1" } }));
      reasons.push([fault, (error as KaleyraTransportError).reason]);
    }
    expect(reasons).toEqual([
      ["connection-reset", "network"],
      ["empty-response", "network"],
      ["malformed-json", "invalid-response"],
      ["no-response", "timeout"],
    ]);
  });

  const slow = recipients.find((recipient) => (recipient.delayMs ?? 0) > 0)!;
  it(
    "answer the slow one with 202 only after its delay: a client with a shorter time limit times out",
    async () => {
      const client = createKaleyraClient({ sid, apiKey, baseUrl: mock.url, timeoutMs: slow.delayMs! - 2_000 });
      const error = await failure(client.sendVideo({ phoneNumber: businessNumber, to: slow.to, video: { id: "1" } }));
      expect((error as KaleyraTransportError).reason).toBe("timeout");
      const answer = await exchange(mock, slow.to, slow.delayMs! + waitMs);
      expect(answer).toMatchObject({ kind: "answer", status: 202 });
      expect(answer.ms).toBeGreaterThanOrEqual(slow.delayMs! - 5);
    },
    2 * slow.delayMs! + waitMs,
  );

  it("are listed by the admin API as the contract lists them, and in the README", async () => {
    const admin = createMockAdmin({ baseUrl: mock.url });
    expect(await admin.testRecipients()).toEqual(recipients);
    const readme = readFileSync("README.md", "utf8");
    for (const recipient of recipients) expect(readme).toContain(`| \`${recipient.to}\` | ${recipient.summary} |`);
  });
});

describe("latency", () => {
  it("parses a fixed value or a range, and refuses the rest by name", () => {
    expect(parseLatency(undefined)).toEqual({ min: 0, max: 0 });
    expect(parseLatency("250")).toEqual({ min: 250, max: 250 });
    expect(parseLatency(" 100 - 900 ")).toEqual({ min: 100, max: 900 });
    expect(parseLatency(String(maxLatencyMs))).toEqual({ min: maxLatencyMs, max: maxLatencyMs });
    for (const bad of [String(maxLatencyMs + 1), "-5", "1.5", "abc", "900-100", `0-${maxLatencyMs + 1}`, "1-2-3"]) {
      expect(() => parseLatency(bad), bad).toThrow(ConfigError);
      expect(() => parseLatency(bad), bad).toThrow(/^KALEYRA_MOCK_LATENCY_MS must be/);
    }
  });

  it("holds for the time asked, and not at all once released (the mock stopping)", async () => {
    const holds = createHolds();
    const started = performance.now();
    await holds.hold(80);
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
    // No time to wait: not even a timer's turn.
    expect(await settlesAtOnce(() => holds.hold(0))).toBe(true);
    const pending = holds.hold(60_000);
    // Released: the hold in progress ends, and a later one does not wait, before any timer could fire.
    expect(
      await settlesAtOnce(async () => {
        holds.releaseAll();
        await pending;
        await holds.hold(60_000);
      }),
    ).toBe(true);
  });

  it("draws each answer's latency within the range, reaching both ends", () => {
    const draw = latencyDraw({ min: 3, max: 5 });
    const seen = new Set(Array.from({ length: 500 }, draw));
    expect([...seen].sort()).toEqual([3, 4, 5]);
    expect(new Set(Array.from({ length: 50 }, latencyDraw({ min: 7, max: 7 })))).toEqual(new Set([7]));
    expect(latencyDraw()()).toBe(0);
  });

  it("reads KALEYRA_MOCK_JOURNAL_LIMIT and KALEYRA_MOCK_ADMIN_TOKEN from the environment", () => {
    expect(configFromEnv({}).journalLimit).toBe(1000);
    expect(configFromEnv({ KALEYRA_MOCK_JOURNAL_LIMIT: "0" }).journalLimit).toBe(0);
    expect(configFromEnv({ KALEYRA_MOCK_JOURNAL_LIMIT: String(maxJournalLimit) }).journalLimit).toBe(maxJournalLimit);
    expect(() => configFromEnv({ KALEYRA_MOCK_JOURNAL_LIMIT: String(maxJournalLimit + 1) })).toThrow(
      /^KALEYRA_MOCK_JOURNAL_LIMIT must be a whole number from 0 to 100000/,
    );
    expect(configFromEnv({ KALEYRA_MOCK_LATENCY_MS: "10-20" }).latency).toEqual({ min: 10, max: 20 });
    expect(configFromEnv({ KALEYRA_MOCK_ADMIN_TOKEN: " tok-1234 " }).adminToken).toBe("tok-1234");
    expect(configFromEnv({}).adminToken).toBeUndefined();
    const refused = (() => {
      try {
        configFromEnv({ KALEYRA_MOCK_ADMIN_TOKEN: "to ken 1" });
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(refused).toBe("KALEYRA_MOCK_ADMIN_TOKEN must be visible ASCII characters only (no spaces, control or non-ASCII characters)");
  });

  it("reads the callback settings, refusing what cannot work by name", () => {
    expect(configFromEnv({}).callbacks).toEqual({});
    expect(
      configFromEnv({
        KALEYRA_MOCK_CALLBACK_URL: "http://127.0.0.1:9000/hook?x=1",
        KALEYRA_MOCK_CALLBACK_DELAYS_MS: "0, 50,600000",
        KALEYRA_MOCK_CALLBACK_ATTEMPTS: "1",
      }).callbacks,
    ).toEqual({ url: "http://127.0.0.1:9000/hook?x=1", delaysMs: [0, 50, 600_000], attempts: 1 });
    expect(configFromEnv({ KALEYRA_MOCK_CALLBACK_ATTEMPTS: "100" }).callbacks).toEqual({ attempts: 100 });
    const message = (env: NodeJS.ProcessEnv) => {
      try {
        configFromEnv(env);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      return "";
    };
    expect(message({ KALEYRA_MOCK_CALLBACK_URL: "ftp://x/" })).toBe("KALEYRA_MOCK_CALLBACK_URL must be http(s), not ftp:");
    expect(message({ KALEYRA_MOCK_CALLBACK_URL: "http://user:pw@x/" })).toBe("KALEYRA_MOCK_CALLBACK_URL must not carry a user name or password");
    expect(message({ KALEYRA_MOCK_CALLBACK_URL: "http://x/#f" })).toBe("KALEYRA_MOCK_CALLBACK_URL must not have a fragment");
    expect(message({ KALEYRA_MOCK_CALLBACK_URL: "not a url" })).toBe("KALEYRA_MOCK_CALLBACK_URL is not a URL");
    expect(message({ KALEYRA_MOCK_CALLBACK_DELAYS_MS: "10,-1" })).toBe('KALEYRA_MOCK_CALLBACK_DELAYS_MS must be a whole number from 0 to 600000, not "-1"');
    expect(message({ KALEYRA_MOCK_CALLBACK_DELAYS_MS: "600001" })).toBe(
      'KALEYRA_MOCK_CALLBACK_DELAYS_MS must be a whole number from 0 to 600000, not "600001"',
    );
    expect(message({ KALEYRA_MOCK_CALLBACK_ATTEMPTS: "0" })).toBe('KALEYRA_MOCK_CALLBACK_ATTEMPTS must be a whole number from 1 to 100, not "0"');
    expect(message({ KALEYRA_MOCK_CALLBACK_ATTEMPTS: "101" })).toBe('KALEYRA_MOCK_CALLBACK_ATTEMPTS must be a whole number from 1 to 100, not "101"');
  });

  it("holds every answer on the vendor's path, none of the admin API's, and one slow answer never holds back another", async () => {
    // The admin API on a mock that holds every vendor answer a minute: each admin call answers
    // within the tests' wait, which is a third of that, however busy the machine.
    const held60s = await startTestMock({}, "fast", { latency: { min: 60_000, max: 60_000 } });
    try {
      let arrived = false;
      held60s.server.once("request", () => (arrived = true));
      const inFlight = exchange(held60s, "+919876543210");
      await until("the vendor request at the mock", () => (arrived ? true : undefined));
      const admin = createMockAdmin({ baseUrl: held60s.url });
      await within(
        "an admin call while vendor answers are held 60 s",
        admin.addScenario({ match: { to: "+919000000001" }, respond: { example: "low-balance" } }),
      );
      expect(await within("the journal while vendor answers are held 60 s", admin.requests())).toEqual([]);
      await held60s.close();
      expect(await inFlight).toMatchObject({ kind: "answer", status: 202 });
    } finally {
      await held60s.close();
    }
    const mock = await startTestMock({}, "fast", { latency: { min: 300, max: 300 } });
    try {
      const admin = createMockAdmin({ baseUrl: mock.url });
      await admin.addScenario({ match: { to: "+919000000001" }, respond: { example: "low-balance" }, delayMs: 1_500 });
      const slow = exchange(mock, "+919000000001");
      const quick = await Promise.all(Array.from({ length: 20 }, (_, i) => exchange(mock, `+9190000001${String(i).padStart(2, "0")}`)));
      const held = await slow;
      expect(held).toMatchObject({ kind: "answer", status: 400 });
      expect(held.ms).toBeGreaterThanOrEqual(1_795);
      // Each quick answer waits its own 300 ms, and comes before the slow one, sent first, which
      // waits 1,500 ms more: held back behind it, it would come after.
      for (const answer of quick) {
        expect(answer).toMatchObject({ kind: "answer", status: 202 });
        expect(answer.ms).toBeGreaterThanOrEqual(295);
        expect(answer.ms).toBeLessThan(held.ms);
      }
      const journal = await admin.requests();
      expect(journal.map((entry) => entry.response.delayMs).sort((a, b) => a - b)).toEqual([...Array(20).fill(300), 1_800]);
    } finally {
      await mock.close();
    }
  });

  it("does not keep a stopping mock waiting: held answers and silent connections end at once", async () => {
    const mock = await startTestMock({}, "fast", { latency: { min: 60_000, max: 60_000 } });
    let arrived = 0;
    mock.server.on("request", () => arrived++);
    const pending = [exchange(mock, "+919876543210"), exchange(mock, "+12025550114")];
    await until("both requests at the mock", () => (arrived === 2 ? true : undefined));
    // Held a minute each: stopping ends them within the tests' wait, a third of that.
    await within("the mock's stop", mock.close());
    const ended = await Promise.all(pending);
    expect(ended.map((end) => end.kind)).not.toContain("silence");
  });
});

describe("the journal under load", () => {
  it("keeps every request of 100 connections, each once, in the order they arrived", async () => {
    const mock = await startTestMock({}, "fast", { journalLimit: 5_000 });
    try {
      const perConnection = 10;
      await Promise.all(
        Array.from({ length: 100 }, async (_, connection) => {
          for (let i = 0; i < perConnection; i++) {
            const answer = await exchange(mock, `+91${String(connection).padStart(3, "0")}00000${String(i).padStart(2, "0")}`);
            expect(answer).toMatchObject({ kind: "answer", status: 202 });
          }
        }),
      );
      const admin = createMockAdmin({ baseUrl: mock.url });
      const journal = await admin.journal();
      expect(journal.dropped).toBe(0);
      const tos = journal.requests.map((entry) => (entry.body as { messaging_object: { to: string } }).messaging_object.to);
      expect(tos).toHaveLength(100 * perConnection);
      expect(new Set(tos).size).toBe(100 * perConnection);
      // Each connection's requests appear in the order it sent them; ids and times never go back.
      for (let connection = 0; connection < 100; connection++) {
        const own = tos.filter((to) => to.startsWith(`+91${String(connection).padStart(3, "0")}00000`));
        expect(own).toEqual([...own].sort());
      }
      const ids = journal.requests.map((entry) => Number(entry.id));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      const times = journal.requests.map((entry) => Date.parse(entry.receivedAt));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      // And the answers' message ids are the ones the clients got: all distinct.
      expect(new Set(journal.requests.map((entry) => entry.response.messageId)).size).toBe(100 * perConnection);
    } finally {
      await mock.close();
    }
  }, 30_000);

  it("orders by arrival, not by answer: a delayed request stays ahead of the ones after it", () => {
    const journal = createJournal(10, []);
    const record = (seq: number) => ({
      seq,
      receivedAt: seq,
      method: "POST",
      path: "/",
      rawHeaders: "",
      body: undefined,
      bodyJson: false,
      bodyTruncated: false,
      sid: undefined,
      phoneNumber: undefined,
      apiKey: undefined,
      status: 202,
      raw: undefined,
      replyBody: undefined,
      fault: undefined,
      scenario: undefined,
      delayMs: 0,
    });
    for (const seq of [2, 3, 1, 5, 4]) journal.add(record(seq));
    expect(journal.read({}).requests.map((entry) => entry.id)).toEqual(["1", "2", "3", "4", "5"]);
  });
});

describe("who may use the admin API", () => {
  it("knows loopback addresses from the rest", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"])
      expect(isLoopback(host), host).toBe(true);
    for (const host of [
      "0.0.0.0",
      "::",
      "192.168.1.10",
      "10.0.0.1",
      "128.0.0.1",
      "example.org",
      "::2",
      "::ffff:10.0.0.1",
      "localhost.example.org",
      "126.255.255.255",
    ])
      expect(isLoopback(host), host).toBe(false);
    // Near misses: the forms are matched whole, not by a part of the name.
    for (const host of ["evilhst127.0.0.1", "1::1", "::10", "0:0:0:0:0:0:0:10", "1:0:0:0:0:0:0:1", "00:00:1", "x[::1]", "[::1]x"])
      expect(isLoopback(host), host).toBe(false);
    for (const host of ["0::1", "[0:0:0:0:0:0:0:1]", "::FFFF:127.0.0.1"]) expect(isLoopback(host), host).toBe(true);
  });

  it("is open on loopback, needs the token wherever it is set, and is off elsewhere without one", () => {
    expect(adminAccess("127.0.0.1", undefined)).toEqual({ mode: "open" });
    expect(adminAccess("0.0.0.0", undefined)).toEqual({ mode: "off" });
    expect(adminAccess("0.0.0.0", "tok-1234")).toEqual({ mode: "token", token: "tok-1234" });
    expect(adminAccess("127.0.0.1", "tok-1234")).toEqual({ mode: "token", token: "tok-1234" });
    const token = { mode: "token", token: "tok-1234" } as const;
    expect(
      [undefined, "", "Bearer", "Bearer tok-123", "Bearer tok-12345", "Basic tok-1234", "tok-1234", "Bearer tok-1234 x", "XBearer tok-1234"].map((header) =>
        authorized(token, header),
      ),
    ).toEqual(Array(9).fill(false));
    expect(["Bearer tok-1234", "bearer tok-1234", "Bearer \ttok-1234 "].map((header) => authorized(token, header))).toEqual([true, true, true]);
    expect(authorized({ mode: "off" }, "Bearer tok-1234")).toBe(false);
    expect(authorized({ mode: "open" }, undefined)).toBe(true);
  });

  it("says at start-up where the admin API is and who may use it", () => {
    const config = configFromEnv({});
    expect(describeAdmin(config, "http://127.0.0.1:4010")).toBe("Admin API: http://127.0.0.1:4010/__admin/ (open on loopback; journal keeps 1000).");
    // Options given in the test process may leave the limit out: the default is said.
    const { journalLimit: _, ...withoutLimit } = config;
    expect(describeAdmin(withoutLimit, "http://127.0.0.1:4010")).toBe("Admin API: http://127.0.0.1:4010/__admin/ (open on loopback; journal keeps 1000).");
    expect(describeAdmin({ ...config, adminToken: "tok-1234", journalLimit: 0 }, "http://127.0.0.1:4010")).toBe(
      "Admin API: http://127.0.0.1:4010/__admin/ (needs the token; journal off).",
    );
    expect(describeAdmin({ ...config, host: "0.0.0.0" }, "http://0.0.0.0:4010")).toBe(
      "Admin API off: HOST 0.0.0.0 is not loopback and KALEYRA_MOCK_ADMIN_TOKEN is unset.",
    );
    expect(describeCallbacks(config)).toBe("Status callbacks off (KALEYRA_MOCK_CALLBACK_URL, or PUT /__admin/callbacks).");
    expect(describeCallbacks(configFromEnv({ KALEYRA_MOCK_CALLBACK_URL: "http://127.0.0.1:9000/" }))).toBe("Status callbacks to http://127.0.0.1:9000/.");
  });

  it("when off, leaves every admin path to the vendor's rules (a plain 404), so nothing tells it is there", async () => {
    const api = createAdminApi({
      access: { mode: "off" },
      journal: createJournal(10, []),
      scenarios: createScenarios([]),
      callbacks: createCallbackSender(
        { ...defaultCallbackSettings, url: undefined },
        () => {},
        (text) => text,
      ),
    });
    expect(await api.handle({ method: "GET", headers: {} } as never, "/__admin/requests", {})).toBeUndefined();
    expect(api.prefix).toBe("/__admin/");
  });
});

describe("the admin client", () => {
  let mock: TestMock;
  const token = "admin-token-5e6f7a";
  beforeAll(async () => {
    mock = await startTestMock({ apiKey }, "fast", { adminToken: token });
  });
  afterAll(() => mock.close());

  it("is what a team's test uses: reset, send through the team's code, assert what it sent", async () => {
    const admin = createMockAdmin({ baseUrl: mock.url, token });
    await admin.reset();
    // The team's code under test:
    const client = createKaleyraClient({ sid, apiKey, baseUrl: mock.url, timeoutMs: waitMs });
    await client.sendVideo({
      phoneNumber: businessNumber,
      to: "+919876543210",
      video: { id: "1166846181421424" },
      caption: "Hello",
      extraInfo: { ref: "order-42" },
    });
    const [sent, ...rest] = await admin.requests({ to: "+919876543210" });
    expect(rest).toEqual([]);
    expect(sent!.body).toMatchObject({
      messaging_object: { to: "+919876543210", video: { id: "1166846181421424", caption: "Hello" } },
      extra_info: { ref: "order-42" },
    });
    expect(sent!.headers["api-key"]).toBe("***");
    expect(sent!.response).toMatchObject({ status: 202, code: "WA202" });

    const id = await admin.addScenario({ match: { to: "+919876543210" }, respond: { example: "low-balance" }, times: 1 });
    expect((await admin.scenarios()).map((scenario) => scenario.id)).toEqual([id]);
    const error = await failure(client.sendVideo({ phoneNumber: businessNumber, to: "+919876543210", video: { id: "1" } }));
    expect((error as { reason?: string }).reason).toBe("low-balance");
    expect(await admin.scenarios()).toEqual([]);
    await admin.addScenario({ match: {}, respond: { fault: "connection-reset" } });
    await admin.clearScenarios();
    expect(await admin.scenarios()).toEqual([]);
    const other = await admin.addScenario({ match: {}, respond: { example: "internal-error" } });
    await admin.removeScenario(other);
    expect(await admin.scenarios()).toEqual([]);
    await admin.clearRequests();
    expect(await admin.journal()).toEqual({ requests: [], dropped: 0 });
    const identity = await admin.identity("0123456789abcdef0123456789abcdef");
    expect(identity).toEqual({ kit: "kaleyra-whatsapp-video-kit", role: "mock", nonce: "0123456789abcdef0123456789abcdef", delivers: false });
  });

  it("turns refusals into KaleyraAdminError with the problem's fields, never quoting the token", async () => {
    const admin = createMockAdmin({ baseUrl: mock.url, token });
    const bad = await failure(admin.addScenario({ match: {}, respond: { example: "nope" } }));
    expect(bad).toBeInstanceOf(KaleyraAdminError);
    expect((bad as KaleyraAdminError).kind).toBe("admin");
    expect((bad as KaleyraAdminError).status).toBe(400);
    expect((bad as KaleyraAdminError).problem.errors.map((error) => error.field)).toEqual(["respond.example"]);
    const gone = await failure(admin.removeScenario("no-such-id"));
    expect([(gone as KaleyraAdminError).status, (gone as KaleyraAdminError).message]).toEqual([
      404,
      `The mock's admin API answered 404: No active scenario has the id "no-such-id".`,
    ]);
    const noToken = await failure(createMockAdmin({ baseUrl: mock.url }).requests());
    expect([(noToken as KaleyraAdminError).status, (noToken as KaleyraAdminError).problem.detail]).toEqual([401, "This admin API needs its token."]);
    for (const error of [bad, gone, noToken]) {
      const shown = JSON.stringify({ ...(error as object), message: (error as Error).message });
      for (const form of secretForms(token)) expect(shown).not.toContain(form);
    }
  });

  it("refuses options that cannot work, by name, before sending anything", () => {
    const refused = (options: unknown) => {
      try {
        createMockAdmin(options as never);
      } catch (error) {
        expect(error).toBeInstanceOf(KaleyraValidationError);
        return (error as KaleyraValidationError).issues.map((issue) => `${issue.field}: ${issue.message}`);
      }
      return [];
    };
    expect(refused(undefined)).toEqual(["(options): must be an object with baseUrl"]);
    expect(refused({ baseUrl: "ftp://x" })).toEqual(["baseUrl: must be http(s), not ftp:"]);
    expect(refused({ baseUrl: "http://u:p@127.0.0.1:1" })).toEqual(["baseUrl: must not carry a user name or password"]);
    expect(refused({ baseUrl: "http://mock.example.org:4010" })).toEqual([
      "baseUrl: uses plain http off loopback, which would send the admin token in clear; use https, or set allowInsecureHttp",
    ]);
    expect(refused({ baseUrl: "http://mock.example.org:4010", allowInsecureHttp: true })).toEqual([]);
    expect(refused({ baseUrl: mock.url, token: "bad\ntoken" })).toEqual(["token: must not contain a line break (CR or LF)"]);
    expect(refused({ baseUrl: mock.url, timeoutMs: 0 })).toEqual(["timeoutMs: must be a whole number from 1 to 2147483647"]);
    expect(refused({ baseUrl: mock.url, timeoutMs: 2_147_483_647 })).toEqual([]);
    expect(refused({ baseUrl: mock.url, timeoutMs: 2_147_483_648 })).toEqual(["timeoutMs: must be a whole number from 1 to 2147483647"]);
    expect(refused({ baseUrl: mock.url, timeoutMs: 1 })).toEqual([]);
    expect(refused({ baseUrl: mock.url, timeoutMs: 1.5 })).toEqual(["timeoutMs: must be a whole number from 1 to 2147483647"]);
    expect(refused({ baseUrl: `${mock.url}/` }).length).toBe(0);
    expect(createMockAdmin({ baseUrl: `${mock.url}//` }).baseUrl).toBe(mock.url);
    expect(refused({ baseUrl: `${mock.url}?x=1` })).toEqual(["baseUrl: must not have a query or fragment"]);
    expect(refused({ baseUrl: "not a url" })).toEqual(["baseUrl: is not a URL"]);
    expect(refused({ baseUrl: mock.url, fetch: "no" })).toEqual(["fetch: must be a function"]);
  });

  it("asks for identity with a fresh nonce each time, and calls an answer that is not a problem an invalid response", async () => {
    const admin = createMockAdmin({ baseUrl: mock.url, token });
    const [one, two] = [await admin.identity(), await admin.identity()];
    expect(one.nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(two.nonce).not.toBe(one.nonce);
    const html: Server = createServer((_request, response) => response.writeHead(502, { "content-type": "text/html" }).end("<h1>Bad gateway</h1>"));
    await new Promise<void>((resolve) => html.listen(0, "127.0.0.1", resolve));
    try {
      const error = await failure(createMockAdmin({ baseUrl: `http://127.0.0.1:${(html.address() as AddressInfo).port}` }).scenarios());
      expect(error).toBeInstanceOf(KaleyraTransportError);
      expect([(error as KaleyraTransportError).reason, (error as KaleyraTransportError).status, (error as Error).message]).toEqual([
        "invalid-response",
        502,
        "Answer 502 is not the admin API's problem",
      ]);
    } finally {
      html.closeAllConnections();
      await new Promise((resolve) => html.close(resolve));
    }
  });

  it("never follows a redirect with the token, and gives up on a silent mock within its time limit", async () => {
    const seen: string[] = [];
    const server: Server = createServer((request, response) => {
      seen.push(request.url ?? "");
      if (request.url?.startsWith("/__admin/requests")) response.writeHead(307, { location: `${mock.url}/__admin/requests` }).end();
      // else: never answers
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const admin = createMockAdmin({ baseUrl: url, token, timeoutMs: 300 });
      const redirected = await failure(admin.requests());
      expect([(redirected as KaleyraTransportError).reason, (redirected as KaleyraTransportError).location]).toEqual([
        "redirect",
        `${mock.url}/__admin/requests`,
      ]);
      const silent = await failure(admin.scenarios());
      expect([(silent as KaleyraTransportError).reason, (silent as Error).message]).toEqual(["timeout", "No complete answer within 300 ms"]);
      expect(seen).toEqual(["/__admin/requests", "/__admin/scenarios"]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
