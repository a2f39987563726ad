// Account sandboxes on one shared mock: each SID's journal, scenarios, callback URL and queued
// callbacks are its own; a call with `?sid=` (or an admin client made with `sid`) touches that
// sandbox only, and a call without it the whole mock. Near misses of every match field never match.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { KaleyraAdminError, type KaleyraTransportError, KaleyraValidationError } from "../src/client/errors.ts";
import { createMockAdmin, type MockAdmin } from "../src/client/mock-admin.ts";
import { loadAdminDocument, loadDocument } from "../src/contract/document.ts";
import { createJournal, type JournalRecord } from "../src/mock/admin/journal.ts";
import { createScenarios } from "../src/mock/admin/scenarios.ts";
import { startTestMock, messagesPath, type TestMock } from "./support/mock.ts";
import { rawRequest } from "./support/raw.ts";
import { apiKey, businessNumber, validBody } from "./support/requests.ts";
import { until } from "./support/wait.ts";

const sidA = "SANDBOXA1";
const sidB = "SANDBOXB2";
const customer = "+919876543210";

function send(mock: TestMock, sid: string, to = customer, phoneNumber = businessNumber) {
  const body = validBody();
  body.messaging_object.to = to;
  return rawRequest(mock.url, {
    method: "POST",
    path: messagesPath(sid, phoneNumber),
    headers: { "content-type": "application/json", "api-key": apiKey },
    body: JSON.stringify(body),
  });
}

const codeOf = (text: string) => (JSON.parse(text) as { code: string }).code;
const sidsOf = async (admin: MockAdmin) => (await admin.requests()).map((entry) => entry.path.split("/")[2]);

/** A callback receiver that answers 200 and keeps what it got. */
async function receiver(): Promise<{ url: string; got: string[]; close(): Promise<void> }> {
  const got: string[] = [];
  const server: Server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      got.push(Buffer.concat(chunks).toString("utf8"));
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    got,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("a sandbox per SID on one mock", () => {
  let mock: TestMock;
  let a: MockAdmin;
  let b: MockAdmin;
  let all: MockAdmin;
  beforeAll(async () => {
    mock = await startTestMock({ apiKey });
    a = createMockAdmin({ baseUrl: mock.url, sid: sidA });
    b = createMockAdmin({ baseUrl: mock.url, sid: sidB });
    all = createMockAdmin({ baseUrl: mock.url });
  });
  afterAll(() => mock.close());
  afterEach(() => all.reset());

  it("reads and clears each sandbox's journal alone; without a sid, the whole journal", async () => {
    for (const sid of [sidA, sidB, sidA]) expect((await send(mock, sid)).status).toBe(202);
    expect(await sidsOf(a)).toEqual([sidA, sidA]);
    expect(await sidsOf(b)).toEqual([sidB]);
    expect(await sidsOf(all)).toEqual([sidA, sidB, sidA]);
    await a.clearRequests();
    expect(await sidsOf(a)).toEqual([]);
    expect(await sidsOf(b)).toEqual([sidB]);
    expect(await sidsOf(all)).toEqual([sidB]);
    // A call's own sid wins over the client's.
    expect((await a.requests({ sid: sidB })).map((entry) => entry.path.split("/")[2])).toEqual([sidB]);
  });

  it("gives a sandbox's scenario to its own requests only, even a catch-all", async () => {
    const id = await a.addScenario({ match: {}, respond: { example: "low-balance" } });
    expect((await a.scenarios()).map((scenario) => [scenario.id, scenario.match])).toEqual([[id, { sid: sidA }]]);
    expect(await b.scenarios()).toEqual([]);
    expect((await all.scenarios()).map((scenario) => scenario.id)).toEqual([id]);
    const answers = [await send(mock, sidA), await send(mock, sidB), await send(mock, "SANDBOXA"), await send(mock, "sandboxa1")];
    expect(answers.map((answer) => [answer.status, codeOf(answer.text)])).toEqual([
      [400, "E110"],
      [202, "WA202"],
      [202, "WA202"],
      [202, "WA202"],
    ]);
    // Another sandbox cannot remove it; its own can.
    const refused = await b.removeScenario(id).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(KaleyraAdminError);
    expect((refused as KaleyraAdminError).status).toBe(404);
    expect((refused as KaleyraAdminError).message).toContain(`No active scenario of the sandbox "${sidB}" has the id`);
    await b.clearScenarios();
    expect((await all.scenarios()).map((scenario) => scenario.id)).toEqual([id]);
    await a.removeScenario(id);
    expect(await all.scenarios()).toEqual([]);
  });

  it("refuses a scenario whose match.sid is another sandbox's, and takes one that names its own", async () => {
    const refused = await a.addScenario({ match: { sid: sidB }, respond: { example: "low-balance" } }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(KaleyraAdminError);
    expect((refused as KaleyraAdminError).problem.errors).toEqual([
      { field: "match.sid", message: `is "${sidB}", but the scenario is added to the sandbox "${sidA}"; leave it out or make it the same` },
    ]);
    await a.addScenario({ match: { sid: sidA }, respond: { example: "low-balance" } });
    expect((await all.scenarios()).map((scenario) => scenario.match)).toEqual([{ sid: sidA }]);
  });

  it("resets one sandbox: its journal, scenarios and callback URL, and leaves another's untouched", async () => {
    const [hookA, hookB] = [await receiver(), await receiver()];
    try {
      await a.setCallbackUrl(hookA.url);
      await b.setCallbackUrl(hookB.url);
      await a.addScenario({ match: { to: "+919876543211" }, respond: { example: "low-balance" } });
      const kept = await b.addScenario({ match: { to: "+919876543211" }, respond: { example: "low-balance" } });
      await send(mock, sidA);
      await send(mock, sidB);
      await a.reset();
      expect([await sidsOf(a), await a.scenarios(), (await a.callbacks()).url]).toEqual([[], [], null]);
      expect([await sidsOf(b), (await b.scenarios()).map((scenario) => scenario.id), (await b.callbacks()).url]).toEqual([[sidB], [kept], hookB.url]);
      expect(await sidsOf(all)).toEqual([sidB]);
    } finally {
      await Promise.all([hookA.close(), hookB.close()]);
    }
  });

  it("sends each sandbox's callbacks to its own URL, lists them by sandbox, and a sandbox without one uses the mock's", async () => {
    const [hookA, hookMock] = [await receiver(), await receiver()];
    try {
      await a.setCallbackUrl(hookA.url);
      await all.setCallbackUrl(hookMock.url);
      expect([(await a.callbacks()).url, (await b.callbacks()).url, (await all.callbacks()).url]).toEqual([hookA.url, hookMock.url, hookMock.url]);
      const sentA = JSON.parse((await send(mock, sidA)).text).data.message_id as string;
      const sentB = JSON.parse((await send(mock, sidB)).text).data.message_id as string;
      await until("three callbacks each", () => (hookA.got.length === 3 && hookMock.got.length === 3 ? true : undefined));
      const ids = (got: string[]) => [...new Set(got.map((text) => (JSON.parse(text) as { message_id: string }).message_id))];
      expect([ids(hookA.got), ids(hookMock.got)]).toEqual([[sentA], [sentB]]);
      const delivered = async (admin: MockAdmin) =>
        (await admin.callbacks()).deliveries.map((delivery) => [delivery.sid, delivery.messageId, delivery.status, delivery.state]);
      await until("delivered", async () => ((await all.callbacks()).pending === 0 ? true : undefined));
      expect(await delivered(a)).toEqual([sidA, sidA, sidA].map((sid, index) => [sid, sentA, ["SENT", "DELIVERED", "READ"][index], "delivered"]));
      expect(await delivered(b)).toEqual([sidB, sidB, sidB].map((sid, index) => [sid, sentB, ["SENT", "DELIVERED", "READ"][index], "delivered"]));
      // null stops a sandbox's callbacks, even while the mock's URL is set.
      await a.setCallbackUrl(null);
      expect([(await a.callbacks()).url, (await b.callbacks()).url]).toEqual([null, hookMock.url]);
    } finally {
      await Promise.all([hookA.close(), hookMock.close()]);
    }
  });

  it("refuses a sandbox SID that breaks the contract's pattern, by name, at the length limit and one past it", async () => {
    const maxLength = (loadAdminDocument().components.schemas.Sid as { maxLength: number }).maxLength;
    const longest = "S".repeat(maxLength);
    expect((await rawRequest(mock.url, { method: "GET", path: `/__admin/requests?sid=${longest}` })).status).toBe(200);
    // The empty SID breaks two rules (length and form), each named.
    for (const [bad, fields] of [
      [`${longest}S`, ["sid"]],
      ["bad-sid", ["sid"]],
      ["%20", ["sid"]],
      ["", ["sid", "sid"]],
      ["A%2FB", ["sid"]],
    ] as const) {
      const answer = await rawRequest(mock.url, { method: "POST", path: `/__admin/reset?sid=${bad}` });
      expect([bad, answer.status, (JSON.parse(answer.text) as { errors: { field: string }[] }).errors.map((error) => error.field)]).toEqual([bad, 400, fields]);
    }
    for (const bad of [`${longest}S`, "bad-sid", ""]) {
      expect(() => createMockAdmin({ baseUrl: mock.url, sid: bad })).toThrow(KaleyraValidationError);
      const thrown = (() => {
        try {
          createMockAdmin({ baseUrl: mock.url, sid: bad });
        } catch (error) {
          return error as KaleyraValidationError;
        }
      })();
      expect(thrown?.issues).toEqual([{ field: "sid", rule: "option", message: `must be an account SID: 1 to ${maxLength} letters and digits` }]);
    }
    await expect(a.reset({ sid: "no way" })).rejects.toMatchObject({
      kind: "validation",
      issues: [{ field: "sid", rule: "input", message: `must be an account SID: 1 to ${maxLength} letters and digits` }],
    });
    // The mock serves on.
    expect((await send(mock, sidA)).status).toBe(202);
  });

  it("refuses a callback URL the callback rules refuse, naming url, and keeps the sandbox's", async () => {
    await a.setCallbackUrl("http://127.0.0.1:9/kept");
    const refused = await a.setCallbackUrl("http://user:pass@127.0.0.1:9/x").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(KaleyraAdminError);
    expect((refused as KaleyraAdminError).problem.errors.map((error) => error.field)).toEqual(["url"]);
    expect((await a.callbacks()).url).toBe("http://127.0.0.1:9/kept");
  });
});

describe("what a reset drops of the callbacks", () => {
  it("drops a sandbox's queued callbacks and no other's; an unscoped reset drops them all and goes back to the start URL", async () => {
    const hook = await receiver();
    // Callbacks wait a minute before their first status: only a reset can end them in a test.
    const mock = await startTestMock({}, "fast", { callbacks: { url: hook.url, delaysMs: [60_000] } });
    try {
      const [a, b, all] = [
        createMockAdmin({ baseUrl: mock.url, sid: sidA }),
        createMockAdmin({ baseUrl: mock.url, sid: sidB }),
        createMockAdmin({ baseUrl: mock.url }),
      ];
      await send(mock, sidA);
      await send(mock, sidB);
      expect([(await a.callbacks()).pending, (await b.callbacks()).pending, (await all.callbacks()).pending]).toEqual([1, 1, 2]);
      await a.reset();
      expect([(await a.callbacks()).pending, (await b.callbacks()).pending]).toEqual([0, 1]);
      await all.setCallbackUrl("http://127.0.0.1:9/elsewhere");
      // A new URL drops what was queued for the old one.
      expect((await all.callbacks()).pending).toBe(0);
      await send(mock, sidB);
      expect((await all.callbacks()).pending).toBe(1);
      await all.reset();
      expect(await all.callbacks()).toEqual({ url: hook.url, pending: 0, dropped: 0, deliveries: [] });
      expect(hook.got).toEqual([]);
    } finally {
      await mock.close();
      await hook.close();
    }
  });

  it("keeps callback URLs for at most the sender's number of sandboxes: at the limit, and one past it a 409", async () => {
    const mock = await startTestMock({}, "fast", { callbacks: { sandboxLimit: 2 } });
    try {
      const at = (sid: string) => createMockAdmin({ baseUrl: mock.url, sid });
      await at("S1").setCallbackUrl("http://127.0.0.1:9/1");
      await at("S2").setCallbackUrl(null);
      await at("S1").setCallbackUrl("http://127.0.0.1:9/1b");
      const refused = await at("S3")
        .setCallbackUrl("http://127.0.0.1:9/3")
        .catch((error: unknown) => error);
      expect([(refused as KaleyraAdminError).status, (refused as KaleyraAdminError).problem.detail]).toEqual([
        409,
        "The mock keeps callback URLs for at most 2 sandboxes; reset some first.",
      ]);
      await at("S2").reset();
      await at("S3").setCallbackUrl("http://127.0.0.1:9/3");
      expect((await at("S3").callbacks()).url).toBe("http://127.0.0.1:9/3");
    } finally {
      await mock.close();
    }
  });
});

describe("filters and matches that cannot be numbers", () => {
  let mock: TestMock;
  beforeAll(async () => {
    mock = await startTestMock({ apiKey });
  });
  afterAll(() => mock.close());

  it("refuses a `to` or phoneNumber filter that is not E.164 (a bare + arrives as a space), naming it and saying to write %2B", async () => {
    for (const field of ["to", "phoneNumber"]) {
      for (const value of ["+919876543210", "919876543210", "+0919876543210", "+12345", "x"]) {
        const answer = await rawRequest(mock.url, { method: "GET", path: `/__admin/requests?${field}=${value}` });
        const problem = JSON.parse(answer.text) as { errors: { field: string; message: string }[] };
        expect([answer.status, problem.errors]).toEqual([
          400,
          [
            {
              field,
              message:
                "does not have the required form — A phone number in E.164 form, as the vendor contract takes it: +, then 7 to 15 digits; in a query string write the + as %2B (a bare + arrives as a space).",
            },
          ],
        ]);
      }
      // At E.164's bounds: 7 and 15 digits pass, 6 and 16 do not.
      const statusOf = async (value: string) =>
        (await rawRequest(mock.url, { method: "GET", path: `/__admin/requests?${field}=${encodeURIComponent(value)}` })).status;
      expect([await statusOf("+1234567"), await statusOf("+123456789012345"), await statusOf("+123456"), await statusOf("+1234567890123456")]).toEqual([
        200, 200, 400, 400,
      ]);
    }
  });

  it("finds requests by an encoded +", async () => {
    await send(mock, sidA);
    const answer = await rawRequest(mock.url, { method: "GET", path: `/__admin/requests?to=${encodeURIComponent(customer)}&sid=${sidA}` });
    expect((JSON.parse(answer.text) as { requests: unknown[] }).requests).toHaveLength(1);
  });

  it("refuses a scenario whose match.to or match.phoneNumber lacks the +, naming the field", async () => {
    const all = createMockAdmin({ baseUrl: mock.url });
    for (const field of ["to", "phoneNumber"] as const) {
      const refused = await all.addScenario({ match: { [field]: "919876543210" }, respond: { example: "low-balance" } }).catch((error: unknown) => error);
      expect((refused as KaleyraAdminError).problem.errors.map((error) => error.field)).toEqual([`match.${field}`]);
    }
    expect(await all.scenarios()).toEqual([]);
  });

  it("matches each field exactly: a near miss of to, phoneNumber or sid does not match", async () => {
    const all = createMockAdmin({ baseUrl: mock.url });
    await all.reset();
    await all.addScenario({ match: { to: "+919876543211" }, respond: { example: "low-balance" } });
    await all.addScenario({ match: { phoneNumber: "+918630005921" }, respond: { example: "low-balance" } });
    await all.addScenario({ match: { sid: "SANDBOXA" }, respond: { example: "low-balance" } });
    const codes = async () => [
      codeOf((await send(mock, sidA)).text),
      codeOf((await send(mock, "SANDBOXA1", "+919876543211")).text),
      codeOf((await send(mock, sidA, customer, "+918630005921")).text),
      codeOf((await send(mock, "SANDBOXA")).text),
    ];
    expect(await codes()).toEqual(["WA202", "E110", "E110", "E110"]);
    await all.reset();
  });
});

describe("the journal's sandbox clear, in the ring", () => {
  const record = (seq: number, sid: string | undefined): JournalRecord => ({
    seq,
    receivedAt: 0,
    method: "POST",
    path: `/v2/${sid}/whatsapp/+918630005920/messages`,
    rawHeaders: "",
    body: undefined,
    bodyJson: false,
    bodyTruncated: false,
    sid,
    phoneNumber: undefined,
    apiKey: undefined,
    status: 202,
    raw: undefined,
    replyBody: undefined,
    fault: undefined,
    scenario: undefined,
    delayMs: 0,
  });

  it("hides a sandbox's entries, keeps the others' order, and drops by the whole ring's count", () => {
    const journal = createJournal(3, []);
    journal.add(record(1, "A"));
    journal.add(record(2, "B"));
    journal.add(record(3, "A"));
    journal.clear("A");
    expect(journal.read({}).requests.map((entry) => entry.id)).toEqual(["2"]);
    journal.add(record(4, "A"));
    journal.add(record(5, "B"));
    // The ring holds 3: entry 1 and 2 leave, the cleared 3 with them when its turn comes.
    expect(journal.read({}).requests.map((entry) => entry.id)).toEqual(["4", "5"]);
    expect(journal.read({ sid: "B" }).requests.map((entry) => entry.id)).toEqual(["5"]);
    expect(journal.read({}).dropped).toBe(2);
    journal.clear();
    expect(journal.read({})).toEqual({ requests: [], dropped: 0 });
  });

  it("keeps no sandbox for a SID longer than a sandbox takes, so no filter can name it", () => {
    const maxLength = (loadAdminDocument().components.schemas.Sid as { maxLength: number }).maxLength;
    const journal = createJournal(3, []);
    journal.add(record(1, "S".repeat(maxLength)));
    journal.add(record(2, "S".repeat(maxLength + 1)));
    expect([
      journal.read({ sid: "S".repeat(maxLength) }).requests.map((entry) => entry.id),
      journal.read({ sid: "S".repeat(maxLength + 1) }).requests.map((entry) => entry.id),
    ]).toEqual([["1"], []]);
  });
});

describe("the admin contract's numbers and SIDs", () => {
  it("take exactly what the vendor contract takes", () => {
    const admin = loadAdminDocument().components.schemas as Record<string, { pattern: string }>;
    const vendor = loadDocument().components as unknown as {
      schemas: Record<string, { pattern: string }>;
      parameters: Record<string, { schema: { pattern: string } }>;
    };
    expect([admin.PhoneNumber!.pattern, admin.QueryPhoneNumber!.pattern, admin.Sid!.pattern]).toEqual([
      vendor.schemas.E164PhoneNumber!.pattern,
      vendor.schemas.E164PhoneNumber!.pattern,
      vendor.parameters.Sid!.schema.pattern,
    ]);
  });

  it("scenarios compare numbers as written: a match without the + (which the API refuses) never matches a number with it", () => {
    const scenarios = createScenarios([]);
    scenarios.add({ match: { to: "919876543210" }, respond: { example: "low-balance" } });
    scenarios.add({ match: { phoneNumber: "918630005920" }, respond: { example: "low-balance" } });
    expect(scenarios.choose({ to: customer, sid: "A", phoneNumber: businessNumber })).toBeUndefined();
    scenarios.add({ match: { to: customer, phoneNumber: businessNumber }, respond: { example: "low-balance" } });
    expect(scenarios.choose({ to: customer, sid: "A", phoneNumber: businessNumber })?.source).toBe(scenarios.list()[2]!.id);
  });

  it("scenarios match a sandbox's requests by its SID alone", () => {
    const scenarios = createScenarios([]);
    scenarios.add({ match: { sid: "A" }, respond: { example: "low-balance" } });
    expect([
      scenarios.mayChoose({ to: customer, sid: "B", phoneNumber: businessNumber }),
      scenarios.choose({ to: customer, sid: "B", phoneNumber: businessNumber }),
      scenarios.choose({ to: customer, sid: "A", phoneNumber: businessNumber })?.source,
    ]).toEqual([true, undefined, scenarios.list()[0]!.id]);
  });
});

describe("the admin client's input", () => {
  it("refuses what cannot be sent as a rejected KaleyraValidationError, sending nothing", async () => {
    let seen = 0;
    const server = createServer((_request, response) => {
      seen++;
      response.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const admin = createMockAdmin({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    const cycle: Record<string, unknown> = { match: {}, respond: { example: "low-balance" } };
    cycle.self = cycle;
    const getter = {
      match: {},
      get respond(): never {
        throw new Error("boom");
      },
    };
    const issuesOf = async (call: () => Promise<unknown>) => {
      let pending: Promise<unknown>;
      try {
        pending = call();
      } catch (error) {
        return ["thrown synchronously", error];
      }
      const error = await pending.then(
        () => undefined,
        (reason: unknown) => reason,
      );
      return error instanceof KaleyraValidationError ? error.issues : ["not a validation error", error];
    };
    try {
      expect([
        await issuesOf(() => admin.removeScenario(undefined as never)),
        await issuesOf(() => admin.removeScenario(Symbol("id") as never)),
        await issuesOf(() => admin.removeScenario("")),
        await issuesOf(() => admin.addScenario(cycle as never)),
        await issuesOf(() => admin.addScenario(getter as never)),
        await issuesOf(() =>
          admin.addScenario(
            { match: {}, respond: { example: "low-balance" } },
            {
              get sid(): string {
                throw new Error("boom");
              },
            },
          ),
        ),
        await issuesOf(() => admin.setCallbackUrl(5 as never)),
        await issuesOf(() => admin.reset(null as never)),
      ]).toEqual([
        [{ field: "id", rule: "input", message: "must be the id addScenario gave (a non-empty string)" }],
        [{ field: "id", rule: "input", message: "must be the id addScenario gave (a non-empty string)" }],
        [{ field: "id", rule: "input", message: "must be the id addScenario gave (a non-empty string)" }],
        [{ field: "scenario", rule: "input", message: "is not plain JSON data (TypeError)" }],
        [{ field: "scenario", rule: "input", message: "is not plain JSON data (Error)" }],
        [{ field: "sid", rule: "input", message: "could not be read (its getter threw)" }],
        [{ field: "url", rule: "input", message: "must be an http(s) URL, or null to stop callbacks" }],
        [{ field: "(options)", rule: "input", message: "must be an object, e.g. { sid }" }],
      ]);
      expect(seen).toBe(0);
    } finally {
      server.close();
    }
  });
});

describe("the admin client's refusals, whole", () => {
  it("name the call (method and path), the lead and the field; a sid at the contract's length is taken, one past it is not", async () => {
    const maxLength = (loadAdminDocument().components.schemas.Sid as { maxLength: number }).maxLength;
    const admin = createMockAdmin({ baseUrl: "http://127.0.0.1:9", sid: "S".repeat(maxLength) });
    expect(admin.sid).toBe("S".repeat(maxLength));
    const refusal = async (call: () => Promise<unknown>) => {
      const error = (await call().then(
        () => undefined,
        (reason: unknown) => reason,
      )) as KaleyraValidationError;
      return [error.message, error.request];
    };
    const lead = "The admin call's input cannot work, so nothing was sent";
    const sidRule = `sid must be an account SID: 1 to ${maxLength} letters and digits`;
    const long = { sid: "S".repeat(maxLength + 1) };
    expect([
      await refusal(() => admin.requests(long)),
      await refusal(() => admin.journal(long)),
      await refusal(() => admin.addScenario({ match: {}, respond: { example: "low-balance" } }, long)),
      await refusal(() => admin.clearRequests(long)),
      await refusal(() => admin.reset(long)),
      await refusal(() => admin.callbacks(long)),
      await refusal(() => admin.setCallbackUrl(null, long)),
      await refusal(() => admin.removeScenario("id", long)),
      await refusal(() => admin.removeScenario(7 as never)),
      await refusal(() => admin.scenarios("x" as never)),
    ]).toEqual([
      [`${lead}: ${sidRule}`, { method: "GET", url: "/__admin/requests" }],
      [`${lead}: ${sidRule}`, { method: "GET", url: "/__admin/requests" }],
      [`${lead}: ${sidRule}`, { method: "POST", url: "/__admin/scenarios" }],
      [`${lead}: ${sidRule}`, { method: "DELETE", url: "/__admin/requests" }],
      [`${lead}: ${sidRule}`, { method: "POST", url: "/__admin/reset" }],
      [`${lead}: ${sidRule}`, { method: "GET", url: "/__admin/callbacks" }],
      [`${lead}: ${sidRule}`, { method: "PUT", url: "/__admin/callbacks" }],
      [`${lead}: ${sidRule}`, { method: "DELETE", url: "/__admin/scenarios/{id}" }],
      [`${lead}: id must be the id addScenario gave (a non-empty string)`, { method: "DELETE", url: "/__admin/scenarios/{id}" }],
      [`${lead}: (options) must be an object, e.g. { sid }`, { method: "GET", url: "/__admin/scenarios" }],
    ]);
    const options = (() => {
      try {
        createMockAdmin({ baseUrl: "http://127.0.0.1:9", sid: long.sid });
      } catch (error) {
        return [(error as KaleyraValidationError).message, (error as KaleyraValidationError).request];
      }
    })();
    expect(options).toEqual([`The admin client's options cannot work, so nothing was sent: ${sidRule}`, { method: "", url: "" }]);
  });

  it("a failed call names the sandbox's URL", async () => {
    const admin = createMockAdmin({ baseUrl: "http://127.0.0.1:9", sid: "S1", timeoutMs: 2_000 });
    const error = (await admin.reset().then(
      () => undefined,
      (reason: unknown) => reason,
    )) as KaleyraTransportError;
    expect([error.kind, error.request]).toEqual(["transport", { method: "POST", url: "http://127.0.0.1:9/__admin/reset?sid=S1" }]);
    const own = (await admin.reset({ sid: "S 2".replace(" ", "") }).then(
      () => undefined,
      (reason: unknown) => reason,
    )) as KaleyraTransportError;
    expect(own.request.url).toBe("http://127.0.0.1:9/__admin/reset?sid=S2");
  });
});
