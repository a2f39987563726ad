// A fault that makes a server hang must fail a test and say which request hung, not wait for
// vitest's time-out (which names nothing); a machine that is merely busy must fail nothing.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKaleyraClient } from "../src/index.ts";
import { failure } from "./support/failure.ts";
import { rawRequest } from "./support/raw.ts";
import { apiKey, businessNumber, sid } from "./support/requests.ts";
import { fetchWithin, settlesAtOnce, until, waitMs } from "./support/wait.ts";

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
  it("the default wait bounds a hang: 20 s unless TEST_WAIT_MS says otherwise, short of the test's own time-out", ({ task }) => {
    expect(waitMs).toBe(Number(process.env.TEST_WAIT_MS ?? 20_000));
    if (process.env.TEST_WAIT_MS === undefined) expect(waitMs).toBeLessThan(task.timeout);
  });

  it("a raw request fails at its limit, naming the request", async () => {
    const started = Date.now();
    await expect(rawRequest(url, { method: "POST", path: "/v2/x", body: "{}", limitMs: 200 })).rejects.toThrow(
      "POST /v2/x: no answer within 200 ms (TEST_WAIT_MS)",
    );
    // At its own limit, not the default one: measured against the default wait, which a busy machine cannot reach.
    expect(Date.now() - started).toBeLessThan(waitMs);
  });

  it("fetch fails at its limit, naming the request", async () => {
    await expect(fetchWithin(`${url}/__admin/callbacks`, {}, 200)).rejects.toThrow(`GET ${url}/__admin/callbacks: no answer within 200 ms (TEST_WAIT_MS)`);
  });

  it("the test clients' limit turns a hang into the client's own timeout error", async () => {
    const error = await failure(
      createKaleyraClient({ baseUrl: url, sid, apiKey, timeoutMs: 200 }).sendVideo({ phoneNumber: businessNumber, to: "+919876543210", video: { id: "1" } }),
    );
    expect(error).toMatchObject({ kind: "transport", reason: "timeout" });
  });

  it("tells work settled at once (microtasks only) from work that waits for a timer of 0 ms or an immediate", async () => {
    expect(await settlesAtOnce(() => Promise.resolve(1))).toBe(true);
    expect(
      await settlesAtOnce(() =>
        Promise.resolve()
          .then(() => Promise.resolve())
          .then(() => 2),
      ),
    ).toBe(true);
    expect(await settlesAtOnce(() => new Promise((resolve) => setTimeout(resolve, 0)))).toBe(false);
    expect(await settlesAtOnce(() => new Promise((resolve) => setImmediate(resolve)))).toBe(false);
  });

  it("polling names what it waited for", async () => {
    await expect(until("the callback", () => undefined, 100)).rejects.toThrow("the callback: not within 100 ms");
    expect(await until("a value", () => 7, 100)).toBe(7);
  });
});
