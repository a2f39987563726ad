// A fault that makes a server hang must fail a test within seconds and say which request hung,
// not wait for vitest's time-out (which costs half a minute and names nothing).
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKaleyraClient } from "../src/client/index.ts";
import { failure } from "./support/failure.ts";
import { rawRequest } from "./support/raw.ts";
import { apiKey, businessNumber, sid } from "./support/requests.ts";
import { fetchWithin, until, waitMs } from "./support/wait.ts";

let silent: Server;
let url = "";
beforeAll(async () => {
  // Takes every request and never answers.
  silent = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
});
afterAll(async () => {
  silent.closeAllConnections();
  await new Promise((resolve) => silent.close(resolve));
});

describe("waiting on a server that never answers", () => {
  it("the default wait is short: 5 s unless TEST_WAIT_MS says otherwise", () => {
    expect(waitMs).toBe(Number(process.env.TEST_WAIT_MS ?? 5_000));
  });

  it("a raw request fails at its limit, naming the request", async () => {
    const started = Date.now();
    await expect(rawRequest(url, { method: "POST", path: "/v2/x", body: "{}", limitMs: 200 })).rejects.toThrow("POST /v2/x: no answer within 200 ms (TEST_WAIT_MS)");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("fetch fails at its limit, naming the request", async () => {
    await expect(fetchWithin(`${url}/__admin/callbacks`, {}, 200)).rejects.toThrow(`GET ${url}/__admin/callbacks: no answer within 200 ms (TEST_WAIT_MS)`);
  });

  it("the test clients' limit turns a hang into the client's own timeout error", async () => {
    const error = await failure(createKaleyraClient({ baseUrl: url, sid, apiKey, timeoutMs: 200 }).sendVideo({ phoneNumber: businessNumber, to: "+919876543210", video: { id: "1" } }));
    expect(error).toMatchObject({ kind: "transport", reason: "timeout" });
  });

  it("polling names what it waited for", async () => {
    await expect(until("the callback", () => undefined, 100)).rejects.toThrow("the callback: not within 100 ms");
    expect(await until("a value", () => 7, 100)).toBe(7);
  });
});
