// The client against servers that fail the way networks and proxies do. Each failure is a typed
// KaleyraError, nothing is left unhandled, and the api-key shows up in none of them.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createKaleyraClient, isKaleyraError, KaleyraApiError, KaleyraTransportError, type KaleyraClientOptions, type SendVideoInput } from "../src/index.ts";
import { failure } from "./support/failure.ts";
import { apiKey, businessNumber, sid } from "./support/requests.ts";
import { waitMs, within } from "./support/wait.ts";

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let handler: Handler = (_request, response) => response.end();
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(() => {
  process.on("unhandledRejection", onUnhandled);
});
// A fresh server on a fresh port for each test: fetch pools connections by origin, and a socket
// one test cut must not be picked up by the next.
beforeEach(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on("end", () => handler(request, response));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterAll(async () => {
  // Give stray promises a turn to surface before checking.
  await new Promise((resolve) => setTimeout(resolve, 50));
  process.off("unhandledRejection", onUnhandled);
  expect(unhandled).toEqual([]);
});

const send: SendVideoInput = { phoneNumber: businessNumber, to: "+919876543210", video: { id: "1166846181421424" } };
const client = (options: Partial<Omit<KaleyraClientOptions, "pod" | "baseUrl">> & { baseUrl?: string } = {}) =>
  createKaleyraClient({ baseUrl, sid, apiKey, timeoutMs: waitMs, ...options });

/** Every form a caller or a logger could turn an error into. */
function renderings(error: unknown): string[] {
  return [
    String(error),
    (error as Error).message,
    (error as Error).stack ?? "",
    JSON.stringify(error),
    inspect(error, { depth: 10, showHidden: true }),
    inspect((error as Error).cause, { depth: 10, showHidden: true }),
  ];
}

function expectNoKey(error: unknown) {
  for (const text of renderings(error)) expect(text).not.toContain(apiKey);
}

describe("transport failures are KaleyraTransportError values", () => {
  it("a connection reset", async () => {
    handler = (request) => request.socket.destroy();
    const error = await failure(client().sendVideo(send));
    expect(error).toBeInstanceOf(KaleyraTransportError);
    expect(error).toMatchObject({ kind: "transport", reason: "network", status: undefined });
    expectNoKey(error);
  });

  it("a server that never answers: a time-out, saying the message may have been queued", async () => {
    handler = () => {};
    const started = Date.now();
    const error = await failure(client({ timeoutMs: 200 }).sendVideo(send));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error).toMatchObject({ kind: "transport", reason: "timeout" });
    expect((error as Error).message).toMatch(/within 200 ms; the message may or may not have been queued/);
    expectNoKey(error);
  });

  // One deadline for the whole send: an answer that keeps coming a byte at a time is cut when it
  // passes, not a deadline after the bytes stop (what a timer reset by each chunk would do).
  for (const [transport, fetch] of [
    ["the kit's own transport", undefined],
    ["an injected fetch", globalThis.fetch],
  ] as const) {
    it(`${transport}: an answer that drips for ten deadlines is cut at the deadline`, async () => {
      // A deadline of a second: a busy machine's scheduling delays are small beside it, and a
      // timer reset by each drip would still run to the drips' end, ten deadlines on.
      const timeoutMs = 1_000;
      let drips = 0;
      handler = (_request, response) => {
        response.writeHead(202, { "content-type": "application/json" });
        response.write('{"code":"WA202","message":"');
        const started = performance.now();
        const timer = setInterval(() => {
          if (performance.now() - started < 10 * timeoutMs) {
            response.write("x");
            drips++;
          }
        }, timeoutMs / 10);
        response.on("close", () => clearInterval(timer));
      };
      const started = performance.now();
      const error = await within("the dripping send", failure(client({ timeoutMs, ...(fetch ? { fetch } : {}) }).sendVideo(send)));
      const elapsed = performance.now() - started;
      expect(error).toMatchObject({ kind: "transport", reason: "timeout" });
      expect((error as Error).message).toMatch(new RegExp(`within ${timeoutMs} ms; the message may or may not have been queued`));
      // Timers count whole milliseconds of the loop's clock, so the cut may show a millisecond
      // early by this finer one; the upper bound is room for a busy machine, half of 10x.
      expect(elapsed).toBeGreaterThanOrEqual(timeoutMs - 1);
      expect(elapsed).toBeLessThan(5 * timeoutMs);
      expect(drips).toBeGreaterThan(0);
      expectNoKey(error);
    });
  }

  it("an HTML 502 from a proxy, even one that echoes the request headers", async () => {
    handler = (request, response) => {
      response.writeHead(502, { "content-type": "text/html" });
      response.end(`<html><body>Bad gateway<pre>${JSON.stringify(request.headers)}</pre></body></html>`);
    };
    const error = await failure(client().sendVideo(send));
    expect(error).toMatchObject({ kind: "transport", reason: "invalid-response", status: 502 });
    expect((error as KaleyraTransportError).bodySnippet).toMatch(/Bad gateway/);
    expect((error as KaleyraTransportError).bodySnippet).toContain("***");
    expectNoKey(error);
  });

  it("a 200 whose body is not JSON", async () => {
    handler = (_request, response) => {
      response.writeHead(200, { "content-type": "text/plain" });
      response.end("OK");
    };
    expect(await failure(client().sendVideo(send))).toMatchObject({ kind: "transport", reason: "invalid-response", status: 200 });
  });

  it("an empty 200", async () => {
    handler = (_request, response) => response.writeHead(200, { "content-length": "0" }).end();
    expect(await failure(client().sendVideo(send))).toMatchObject({ kind: "transport", reason: "invalid-response", status: 200 });
  });

  it("a 202 without message_id is not taken for a success", async () => {
    handler = (_request, response) => {
      response.writeHead(202, { "content-type": "application/json" });
      response.end(JSON.stringify({ code: "WA202", message: "Request Accepted", data: {}, error: {} }));
    };
    expect(await failure(client().sendVideo(send))).toMatchObject({ kind: "transport", reason: "invalid-response", status: 202 });
  });

  it("a JSON 404 that is not the vendor's envelope", async () => {
    handler = (_request, response) => {
      response.writeHead(404, { "content-type": "application/json" });
      response.end(JSON.stringify({ message: "no route" }));
    };
    expect(await failure(client().sendVideo(send))).toMatchObject({ kind: "transport", reason: "invalid-response", status: 404 });
  });

  it("a host that does not resolve", async () => {
    const error = await failure(createKaleyraClient({ baseUrl: "https://kaleyra-kit-test.invalid", sid, apiKey }).sendVideo(send));
    expect(error).toMatchObject({ kind: "transport", reason: "network" });
    expect((error as Error).message).toMatch(/ENOTFOUND/);
    expectNoKey(error);
  });

  it("a send the caller cancels", async () => {
    handler = () => {};
    const controller = new AbortController();
    const pending = client().sendVideo({ ...send, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(await failure(pending)).toMatchObject({ kind: "transport", reason: "aborted" });
  });
});

describe("undocumented answers", () => {
  it.each([
    [429, "WA429", "Too many requests"],
    [400, "WAV2101", "Daily messaging limit reached"],
    [503, "WA503", "Service unavailable"],
  ])("status %i with code %s is a KaleyraApiError marked undocumented", async (status, code, message) => {
    handler = (_request, response) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify({ code, message, data: {}, error: { error: message } }));
    };
    const error = await failure(client().sendVideo(send));
    expect(error).toBeInstanceOf(KaleyraApiError);
    expect(error).toMatchObject({ kind: "api", status, code, documented: false, reason: undefined, apiMessage: message });
  });

  it("a documented status with a code from another status is undocumented too", async () => {
    handler = (_request, response) => {
      response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify({ code: "WA400", message: "m", data: {}, error: {} }));
    };
    expect(await failure(client().sendVideo(send))).toMatchObject({ kind: "api", code: "WA400", documented: false });
  });
});

describe("the api-key stays secret", () => {
  it("appears in no form of any error kind", async () => {
    const errors: unknown[] = [];
    handler = (_request, response) => {
      response.writeHead(401, { "content-type": "application/json" });
      response.end(JSON.stringify({ code: "RBC001", message: "Incorrect SID or API key.", data: [], error: { error: "Incorrect SID or API key." } }));
    };
    errors.push(await failure(client().sendVideo(send)));
    errors.push(await failure(client().sendVideo({ ...send, caption: "x".repeat(2000) })));
    handler = (request) => request.socket.destroy();
    errors.push(await failure(client().sendVideo(send)));
    expect(errors.map((error) => isKaleyraError(error) && error.kind)).toEqual(["api", "validation", "transport"]);
    for (const error of errors) expectNoKey(error);
  });

  it("does not show in the client object", () => {
    const made = client();
    expect(inspect(made, { depth: 10, showHidden: true })).not.toContain(apiKey);
    expect(JSON.stringify(made)).not.toContain(apiKey);
  });
});
