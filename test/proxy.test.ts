// The recording, validating proxy: in front of the mock it changes nothing and finds nothing; in
// front of an upstream that drifts, is lenient, stays silent or drips, it says so per exchange,
// records every exchange with the key masked, and sums up on stop; a recording replays offline.
import { execFileSync, spawn } from "node:child_process";
import { closeSync, constants, existsSync, lstatSync, mkdtempSync, openSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { conform } from "../src/cli/tools/conform.ts";
import type { ExchangeRecord } from "../src/judge/recorded.ts";
import { checkTotals, drift, findings, jsonReport, junit, lenientFields, summary, undocumentedAnswers } from "../src/judge/report.ts";
import { maxKeptOutcomes } from "../src/judge/tally.ts";
import { runConformance } from "../conformance/runner.ts";
import { example, operation } from "../src/contract/operation.ts";
import { secretForms } from "../src/http/secrets.ts";
import { RecordingFileError, startProxy, upstreamPath, type ProxyOptions, type ProxyServer } from "../src/proxy/server.ts";
import { startTestMock, messagesPath, type TestMock } from "./support/mock.ts";
import { apiKey, businessNumber, sid } from "./support/requests.ts";
import { fetchWithin, runLimitMs, waitMs, within } from "./support/wait.ts";

let mock: TestMock;
beforeAll(async () => {
  mock = await startTestMock({ apiKey, sid, phoneNumbers: [businessNumber] });
  // Load the mock's Prism engine (another method on the path) before any deadline is measured:
  // its first load takes a second or more on a busy machine.
  await fetchWithin(`${mock.url}${messagesPath(sid, businessNumber)}`, { method: "GET", headers: { "api-key": apiKey } });
});
afterAll(async () => {
  await mock.close();
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const folder = () => mkdtempSync(join(tmpdir(), "proxy-"));

async function proxy(upstream: string, extra: Partial<ProxyOptions> = {}): Promise<ProxyServer & { lines: string[] }> {
  const lines: string[] = [];
  const server = await startProxy({
    upstream,
    host: "127.0.0.1",
    port: 0,
    timeoutMs: waitMs,
    maxBodyBytes: 64 * 1024,
    line: (text) => lines.push(text),
    ...extra,
  });
  cleanups.push(() => server.close());
  return Object.assign(server, { lines });
}

/** An upstream that answers as it likes. */
async function upstream(
  answer: (request: IncomingMessage, body: string, response: ServerResponse) => void,
): Promise<{ url: string; seen: { method: string; url: string; headers: IncomingMessage["headers"]; body: string }[] }> {
  const seen: { method: string; url: string; headers: IncomingMessage["headers"]; body: string }[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      seen.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers, body });
      answer(request, body, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const path = messagesPath(sid, businessNumber);
type Send = { messaging_object: Record<string, unknown> & { video: Record<string, unknown> } };
const valid = operation().requestExamples["by-media-id"] as Send;
const longCaption: Send = { messaging_object: { ...valid.messaging_object, video: { ...valid.messaging_object.video, caption: "x".repeat(1025) } } };
const json = (status: number, body: unknown, response: ServerResponse) =>
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));

async function send(base: string, body: unknown, init: { key?: string | null; method?: string; at?: string } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (init.key !== null) headers["api-key"] = init.key ?? apiKey;
  const method = init.method ?? "POST";
  return fetch(`${base}${init.at ?? path}`, {
    method,
    headers,
    redirect: "manual",
    ...(method === "GET" ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
}

const records = (file: string) =>
  readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as ExchangeRecord);

function expectNoSecret(text: string) {
  for (const form of secretForms(apiKey)) expect(text).not.toContain(form);
}

describe("in front of the mock", () => {
  it("forwards every request and answer unchanged, records each with the key masked, and finds nothing", async () => {
    const file = join(folder(), "traffic.ndjson");
    const front = await proxy(mock.url, { record: file, secrets: [] });
    const direct = await send(mock.url, valid);
    const through = await send(front.url, valid);
    expect(through.status).toBe(direct.status);
    expect(through.headers.get("content-type")).toBe(direct.headers.get("content-type"));
    const accepted = (await through.json()) as { code: string; data: { message_id: string } };
    expect(accepted.code).toBe("WA202");
    expect((await send(front.url, longCaption)).status).toBe(400);
    expect((await send(front.url, valid, { key: null })).status).toBe(401);
    const get = await send(front.url, undefined, { method: "GET" });
    expect([get.status, get.headers.get("allow")]).toEqual([405, "POST"]);
    expect((await send(front.url, valid, { at: "/v1/elsewhere" })).status).toBe(404);

    const kept = records(file);
    expect(kept.map((record) => [record.seq, record.request.method, record.response?.status, record.contract, record.findings])).toEqual([
      [1, "POST", 202, "operation", []],
      [2, "POST", 400, "operation", []],
      [3, "POST", 401, "operation", []],
      [4, "GET", 405, "method", []],
      [5, "POST", 404, "outside", []],
    ]);
    expect(kept[0]!.request.headers["api-key"]).toBe("***");
    expect(JSON.parse(kept[0]!.response!.body)).toEqual(accepted);
    expectNoSecret(readFileSync(file, "utf8"));
    expect(front.lines).toHaveLength(5);
    expect(front.lines[0]).toMatch(/^#1 POST \/v2\/.* → 202 WA202 \d+ ms ok$/);
    expect(front.lines[4]).toMatch(/^#5 POST \/v1\/elsewhere → 404 \d+ ms outside the contract$/);
    front.lines.forEach(expectNoSecret);
    const result = front.result();
    expect(result.ok).toBe(true);
    expect(result.recording).toEqual({ exchanges: 5, outside: 1, file });
    expect(drift(result)).toBe("Drift:\n  every check passed on every exchange");
  });

  it(
    "a conformance run through it passes, with nothing failed (a faithful proxy)",
    async () => {
      const front = await proxy(mock.url);
      // Each request's limit is the tests' hang bound: a busy machine must not turn a slow answer into a finding.
      const result = await runConformance({
        target: front.url,
        sid,
        phoneNumber: businessNumber,
        apiKey,
        seed: 3,
        runs: 20,
        checkCallbacks: false,
        timeoutMs: waitMs,
      });
      expect(checkTotals(result).filter((row) => row.failed > 0)).toEqual([]);
      expect(front.result().ok).toBe(true);
    },
    runLimitMs,
  );

  it("never follows a redirect, and bounds what it takes and what it reads", async () => {
    const target = await upstream((request, _body, response) => {
      if (request.url === "/big") return void response.writeHead(200, { "content-type": "application/json" }).end(`"${"x".repeat(70 * 1024)}"`);
      response.writeHead(302, { location: `http://127.0.0.1:1/steal?key=${apiKey}` }).end();
    });
    const front = await proxy(target.url, { maxBodyBytes: 64 * 1024 });
    const redirected = await fetchWithin(`${front.url}${path}`, {
      method: "POST",
      headers: { "api-key": apiKey, "content-type": "application/json" },
      body: JSON.stringify(valid),
      redirect: "manual",
    });
    expect(redirected.status).toBe(302);
    expect(target.seen).toHaveLength(1);
    // A body at the limit goes through; one byte more is refused with 413 and not forwarded.
    const atLimit = JSON.stringify({ pad: "y".repeat(64 * 1024 - 10) });
    expect(Buffer.byteLength(atLimit)).toBe(64 * 1024);
    expect((await send(front.url, atLimit)).status).toBe(302);
    expect((await send(front.url, atLimit.replace("{", "{ "))).status).toBe(413);
    expect(target.seen).toHaveLength(2);
    const big = await send(front.url, valid, { at: "/big" });
    expect(big.status).toBe(502);
    expect(((await big.json()) as { detail: string }).detail).toMatch(/too-large/);
    front.lines.forEach(expectNoSecret);
  });
});

describe("in front of an upstream that departs from the contract", () => {
  it("a drifting upstream: undocumented statuses and codes counted with a sample, per check", async () => {
    let n = 0;
    const target = await upstream((_request, _body, response) => {
      n++;
      if (n % 3 === 1) return json(429, { code: "WA429", message: "Too many requests" }, response);
      if (n % 3 === 2) return json(400, { code: "WAV2101", message: "Invalid video", error: {} }, response);
      json(202, example("accepted").value, response);
    });
    const front = await proxy(target.url);
    for (let i = 0; i < 6; i++) await send(front.url, valid);
    // Only what the application sent, once each.
    expect(target.seen.map((seen) => [seen.method, seen.url, seen.body])).toEqual(Array.from({ length: 6 }, () => ["POST", path, JSON.stringify(valid)]));
    expect(target.seen[0]!.headers["api-key"]).toBe(apiKey);
    const result = front.result();
    expect(result.ok).toBe(false);
    expect(undocumentedAnswers(result).map((row) => [row.status, row.code, row.count])).toEqual([
      [400, "WAV2101", 2],
      [429, "WA429", 2],
    ]);
    expect(undocumentedAnswers(result)[1]!.sample).toBe('{"code":"WA429","message":"Too many requests"}');
    expect(
      checkTotals(result)
        .filter((row) => row.failed > 0)
        .map((row) => [row.name, row.failed]),
    ).toEqual([
      ["status_documented", 2],
      ["response_schema", 2],
      ["code_documented", 2],
    ]);
    const text = drift(result);
    expect(text).toContain("  status_documented: 2 of 6 exchanges failed");
    expect(text).toContain("    429 WA429 × 2, e.g. to #1 POST");
  });

  it("a lenient upstream: leniency with the fields the contract refuses; --lenient does not fail", async () => {
    const target = await upstream((_request, _body, response) => json(202, example("accepted").value, response));
    const strict = await proxy(target.url);
    await send(strict.url, longCaption);
    await send(strict.url, { ...valid, messaging_object: { ...valid.messaging_object, recipient_type: "group" } });
    await send(strict.url, valid);
    const result = strict.result();
    expect(result.ok).toBe(false);
    expect(findings(result).map((finding) => `${finding.check}/${finding.severity}`)).toEqual(["rejects_invalid/leniency", "rejects_invalid/leniency"]);
    expect(lenientFields(result)).toEqual([
      { field: "messaging_object.recipient_type", count: 1 },
      { field: "messaging_object.video.caption", count: 1 },
    ]);
    expect(drift(result)).toContain(
      "Request fields the target accepted that the contract refuses: messaging_object.recipient_type (1), messaging_object.video.caption (1)",
    );
    expect(strict.lines[0]).toMatch(/✗ rejects_invalid \(leniency\)$/);
    const lenient = await proxy(target.url, { lenient: true });
    await send(lenient.url, longCaption);
    expect(lenient.result().ok).toBe(true);
    expect(summary(lenient.result())).toMatch(/the contract may be stricter than the target/);
  });

  it("a silent upstream: the application gets 504 at the deadline, the record says why", async () => {
    const target = await upstream(() => {});
    const file = join(folder(), "silent.ndjson");
    const front = await proxy(target.url, { timeoutMs: 300, record: file });
    const started = performance.now();
    const answer = await send(front.url, valid);
    expect(answer.status).toBe(504);
    expect(performance.now() - started).toBeLessThan(2_000);
    const [record] = records(file);
    expect(record!.response).toBeNull();
    expect(record!.error).toBe("timeout: no complete answer within 300 ms");
    expect(record!.findings).toEqual([{ check: "answered", severity: "violation", detail: "no answer: timeout: no complete answer within 300 ms" }]);
  });

  it("a dripping upstream is cut by the same one deadline", async () => {
    const target = await upstream((_request, _body, response) => {
      response.writeHead(202, { "content-type": "application/json" });
      const timer = setInterval(() => response.write(" "), 50);
      response.on("close", () => clearInterval(timer));
    });
    const front = await proxy(target.url, { timeoutMs: 300 });
    expect((await send(front.url, valid)).status).toBe(504);
    expect(front.result().outcomes[0]!.checks).toEqual([
      { name: "answered", ok: false, severity: "violation", detail: "no answer: timeout: no complete answer within 300 ms" },
    ]);
  });
});

/** The proxy command in a process of its own; with `fileBlocks`, under that file-size limit (ulimit -f). */
async function runCli(args: string[], sendSome: (url: string) => Promise<void>, signal: NodeJS.Signals, fileBlocks?: number) {
  const command = [process.execPath, "dist/src/cli/bin.js", "proxy", ...args, "--port", "0"];
  const options = { env: { ...process.env, KALEYRA_API_KEY: apiKey }, stdio: ["ignore", "pipe", "pipe"] as ["ignore", "pipe", "pipe"] };
  const child =
    fileBlocks === undefined
      ? spawn(command[0]!, command.slice(1), options)
      : spawn("sh", ["-c", `ulimit -f ${fileBlocks} && exec "$0" "$@"`, ...command], options);
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  await expect.poll(() => /Proxy on (http:\S+)/.exec(err)?.[1], { timeout: 10_000 }).toBeDefined();
  await sendSome(/Proxy on (http:\S+)/.exec(err)![1]!);
  child.kill(signal);
  const code = await exited;
  return { code, out, err };
}

describe("the proxy command", () => {
  it("SIGINT: the drift summary of what passed, exit 0 when nothing drifted; the recording replays to the same findings", async () => {
    const dir = folder();
    const file = join(dir, "mock.ndjson");
    const run = await runCli(
      ["--upstream", mock.url, "--record", file],
      async (url) => {
        await send(url, valid);
        await send(url, longCaption);
        await send(url, valid, { key: null });
      },
      "SIGINT",
    );
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^#1 POST .* → 202 WA202 \d+ ms ok$/m);
    expect(run.out).toMatch(
      /^Recorded traffic with http:\/\/127\.0\.0\.1:\d+ \(.*mock\.ndjson\) judged against the contract: 3 exchanges, 3 on the contract's path, 0 outside it/m,
    );
    expect(run.out).toMatch(/^Drift:\n {2}every check passed on every exchange$/m);
    expectNoSecret(run.out + run.err + readFileSync(file, "utf8"));
    expect(records(file)).toHaveLength(3);

    const replay: string[] = [];
    const report = join(dir, "replay.json");
    const code = await conform(["--replay", file, "--report", `json=${report}`], { env: {}, out: (text) => replay.push(text), err: () => {} });
    expect(code).toBe(0);
    expect(replay.join("\n")).toMatch(/3 exchanges, 3 on the contract's path/);
    // Each recorded answer is recognised as the contract's named example.
    expect(replay.join("\n")).toMatch(/^202\s+WA202\s+accepted\s+yes \(1\)$/m);
    expect((JSON.parse(readFileSync(report, "utf8")) as { ok: boolean; cases: unknown[] }).cases).toHaveLength(3);
  });

  it("SIGTERM after drift: the summary names it, exit 1; the replay finds the same, offline", async () => {
    const target = await upstream((_request, _body, response) => json(429, { code: "WA429", message: "Slow down" }, response));
    const dir = folder();
    const file = join(dir, "drift.ndjson");
    const run = await runCli(
      ["--upstream", target.url, "--record", file, "--report", `json=${join(dir, "proxy.json")}`, "--report", `junit=${join(dir, "proxy.xml")}`],
      async (url) => {
        await send(url, valid);
        await send(url, valid);
      },
      "SIGTERM",
    );
    expect(run.code).toBe(1);
    expect(run.out).toContain("    429 WA429 × 2");
    // The reports asked for, written on the signal, with what passed through.
    const report = JSON.parse(readFileSync(join(dir, "proxy.json"), "utf8")) as {
      ok: boolean;
      findings: { check: string; severity: string }[];
      undocumentedAnswers: { status: number; code: string; count: number }[];
    };
    expect(report.ok).toBe(false);
    expect(report.findings.map((finding) => `${finding.check}/${finding.severity}`)).toEqual(["status_documented/violation", "status_documented/violation"]);
    expect(report.undocumentedAnswers.map((row) => [row.status, row.code, row.count])).toEqual([[429, "WA429", 2]]);
    expect(readFileSync(join(dir, "proxy.xml"), "utf8")).toMatch(/<failure type="status_documented"/);
    const out: string[] = [];
    expect(await conform(["--replay", file], { env: {}, out: (text) => out.push(text), err: () => {} })).toBe(1);
    expect(out.join("\n")).toContain("    429 WA429 × 2");
    // What the proxy recorded and what the replay finds are the same findings.
    const recorded = records(file).flatMap((record) => record.findings.map((finding) => finding.check));
    expect(recorded).toEqual(["status_documented", "status_documented"]);
  });

  it("refuses bad flags and a port in use in one line each", async () => {
    const io = () => {
      const err: string[] = [];
      return { err, io: { env: {}, out: () => {}, err: (text: string) => err.push(text) } };
    };
    const { proxyCommand } = await import("../src/cli/tools/proxy.ts");
    const missing = io();
    expect(await proxyCommand([], missing.io)).toBe(2);
    expect(missing.err).toEqual(["proxy: --upstream is required: the URL or pod the proxy forwards to\nRun kaleyra-video proxy --help."]);
    const creds = io();
    expect(await proxyCommand(["--upstream", "http://user:pw@127.0.0.1:1"], creds.io)).toBe(2);
    expect(creds.err[0]).not.toContain("pw");
    const taken = Number(new URL(mock.url).port);
    const busy = io();
    expect(await within("proxy on a port in use", proxyCommand(["--upstream", mock.url, "--port", String(taken)], busy.io))).toBe(2);
    expect(busy.err).toEqual([`proxy: port ${taken} on 127.0.0.1 is in use; pick another with --port (0 picks a free one)\nRun kaleyra-video proxy --help.`]);
    const checks = io();
    expect(await proxyCommand(["--upstream", mock.url, "--checks", "nope"], checks.io)).toBe(2);
    expect(checks.err[0]).toMatch(/^proxy: unknown check "nope"; the checks are answered, /);
  });

  it("a recording that is not one is refused with the line that is wrong", async () => {
    const file = join(folder(), "bad.ndjson");
    writeFileSync(file, `${JSON.stringify({ kind: "exchange" })}\n`);
    const err: string[] = [];
    expect(await conform(["--replay", file], { env: {}, out: () => {}, err: (text) => err.push(text) })).toBe(2);
    expect(err).toEqual([`conform: line 1 of ${file} is not an exchange record\nRun kaleyra-video conform --help.`]);
    const both: string[] = [];
    expect(await conform(["--replay", file, "--target", mock.url], { env: {}, out: () => {}, err: (text) => both.push(text) })).toBe(2);
    expect(both).toEqual(["conform: --replay judges a recording offline; --target does not apply\nRun kaleyra-video conform --help."]);
    const absent: string[] = [];
    expect(await conform(["--replay", join(folder(), "none.ndjson")], { env: {}, out: () => {}, err: (text) => absent.push(text) })).toBe(2);
    expect(absent[0]).toMatch(/^conform: cannot read .*none\.ndjson: ENOENT\nRun kaleyra-video conform --help\.$/);
  });
});

describe("what the proxy forwards, answers and writes, exactly", () => {
  it("drops hop-by-hop headers and the ones Connection names, keeps the rest, and recomputes lengths", async () => {
    const target = await upstream((_request, _body, response) =>
      response
        .writeHead(202, { "content-type": "application/json", "x-upstream": "kept", "keep-alive": "timeout=5" })
        .end(JSON.stringify(example("accepted").value)),
    );
    const front = await proxy(`${target.url}/`);
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      const call = request(
        `${front.url}${path}`,
        {
          method: "POST",
          headers: {
            "api-key": apiKey,
            "content-type": "application/json",
            connection: "X-Private, keep-alive",
            "x-private": "hidden",
            "x-team": "visible",
            "accept-encoding": "gzip",
            expect: "100-continue",
          },
        },
        (answer) => {
          answer.resume();
          answer.on("end", () => resolve(answer.statusCode ?? 0));
          expect(answer.headers["x-upstream"]).toBe("kept");
          expect(answer.headers["content-length"]).toBe(String(JSON.stringify(example("accepted").value).length));
        },
      );
      call.on("error", reject);
      call.end(JSON.stringify(valid));
    });
    expect(status).toBe(202);
    const seen = target.seen[0]!;
    // Forwarded to the upstream's own path, with no double slash from its base URL.
    expect(seen.url).toBe(path);
    expect([seen.headers["x-private"], seen.headers["x-team"], seen.headers["accept-encoding"], seen.headers.expect, seen.headers["api-key"]]).toEqual([
      undefined,
      "visible",
      undefined,
      undefined,
      apiKey,
    ]);
    expect(seen.headers["content-length"]).toBe(String(Buffer.byteLength(JSON.stringify(valid))));
    expect(front.result().target).toBe(target.url);
  });

  it("sends no length for a bodiless GET, and a zero length for a bodiless DELETE", async () => {
    const target = await upstream((_request, _body, response) => response.writeHead(405, { allow: "POST" }).end());
    const front = await proxy(target.url);
    await send(front.url, undefined, { method: "GET" });
    await fetchWithin(`${front.url}${path}`, { method: "DELETE", headers: { "api-key": apiKey } });
    expect([target.seen[0]!.headers["content-length"], target.seen[1]!.headers["content-length"]]).toEqual([undefined, "0"]);
    expect(front.lines[0]).toMatch(/^#1 GET \/v2\/.* → 405 \d+ ms ok$/);
  });

  it("masks the request's own key and bearer token, and the ones it was given, in the record and the line", async () => {
    const target = await upstream((request, body, response) =>
      json(400, { code: "WA400", message: `echo ${request.headers.authorization} ${body}`, data: {}, error: {} }, response),
    );
    const file = join(folder(), "masked.ndjson");
    const front = await proxy(target.url, { record: file, secrets: ["given-secret-1"] });
    await fetchWithin(`${front.url}${path}?key=${apiKey}`, {
      method: "POST",
      headers: { "api-key": apiKey, authorization: "Bearer tok-123456", "content-type": "application/json" },
      body: JSON.stringify({ note: "given-secret-1", token: "tok-123456" }),
    });
    const text = readFileSync(file, "utf8");
    for (const secret of [apiKey, "tok-123456", "given-secret-1"]) expect(text).not.toContain(secret);
    const [record] = records(file);
    expect(record!.request.headers.authorization).toBe("***");
    expect(record!.request.path).toBe(`${path}?key=***`);
    expect(front.lines.join("\n")).not.toContain(apiKey);
  });

  it("answers what it could not forward as an RFC 9457 problem, and records why", async () => {
    const target = await upstream(() => {});
    const file = join(folder(), "problems.ndjson");
    const front = await proxy(target.url, { timeoutMs: 200, maxBodyBytes: 100, record: file });
    const big = await send(front.url, { pad: "x".repeat(200) });
    expect([big.status, big.headers.get("content-type")]).toEqual([413, "application/problem+json"]);
    expect(await big.json()).toEqual({
      type: "about:blank",
      title: "Payload Too Large",
      status: 413,
      detail: "kaleyra-video proxy: the request body is larger than 100 bytes (--max-body-bytes); not forwarded",
    });
    const slow = await send(front.url, {});
    expect(await slow.json()).toEqual({
      type: "about:blank",
      title: "Gateway Timeout",
      status: 504,
      detail: `kaleyra-video proxy: no usable answer from ${target.url} (timeout: no complete answer within 200 ms)`,
    });
    expect(target.seen).toHaveLength(1);
    const [tooLarge, timedOut] = records(file);
    expect(tooLarge).toEqual({
      kind: "exchange",
      version: 1,
      seq: 1,
      at: expect.any(String),
      upstream: target.url,
      request: { method: "POST", path, headers: expect.any(Object), body: "", bodyTruncated: true },
      response: null,
      error: "not forwarded: the body is larger than 100 bytes",
      milliseconds: 0,
      contract: "outside",
      findings: [],
    });
    expect(timedOut!.error).toBe("timeout: no complete answer within 200 ms");
    expect(front.lines).toEqual([
      `#1 POST ${path} → no answer (not forwarded: the body is larger than 100 bytes) 0 ms outside the contract`,
      expect.stringMatching(
        new RegExp(`^#2 POST ${path.replace(/[+]/g, "\\+")} → no answer \\(timeout: no complete answer within 200 ms\\) \\d+ ms ✗ answered$`),
      ),
    ]);
    const refused = await proxy("http://127.0.0.1:1", { timeoutMs: 1_000 });
    const bad = await send(refused.url, valid);
    expect([bad.status, ((await bad.json()) as { title: string }).title]).toEqual([502, "Bad Gateway"]);
    expect(refused.result("stopped").interrupted).toBe("stopped");
  });
});

describe("the proxy's edges", () => {
  it("hands every Set-Cookie back as its own header, not joined with commas", async () => {
    const target = await upstream((_request, _body, response) =>
      response
        .writeHead(202, [
          ["content-type", "application/json"],
          ["set-cookie", "a=1; Path=/"],
          ["set-cookie", "b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT"],
        ])
        .end(JSON.stringify(example("accepted").value)),
    );
    const front = await proxy(target.url);
    const { request } = await import("node:http");
    const cookies = await new Promise<string[] | undefined>((resolve, reject) => {
      const call = request(`${front.url}${path}`, { method: "POST", headers: { "api-key": apiKey, "content-type": "application/json" } }, (answer) => {
        answer.resume();
        answer.on("end", () => resolve(answer.headers["set-cookie"]));
      });
      call.on("error", reject);
      call.end(JSON.stringify(valid));
    });
    expect(cookies).toEqual(["a=1; Path=/", "b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT"]);
  });

  it("takes an upstream written with trailing slashes, and shows it without them", async () => {
    const target = await upstream((_request, _body, response) => json(202, example("accepted").value, response));
    const front = await proxy(`${target.url}///`);
    expect((await send(front.url, valid)).status).toBe(202);
    expect(target.seen[0]!.url).toBe(path);
    expect(front.result().target).toBe(target.url);
    expect(front.lines[0]).toMatch(/^#1 POST \/v2\/\S+ → 202 WA202 \d+ ms ok$/);
  });

  it("speaks TLS to an https upstream (a plain-HTTP port there fails the handshake, recorded)", async () => {
    const target = await upstream(() => {});
    const file = join(folder(), "tls.ndjson");
    const front = await proxy(target.url.replace("http:", "https:"), { record: file });
    const answer = await send(front.url, valid);
    expect(answer.status).toBe(502);
    expect(((await answer.json()) as { detail: string }).detail).toMatch(
      /^kaleyra-video proxy: no usable answer from https:\/\/127\.0\.0\.1:\d+ \(network: E[A-Z_]+\)$/,
    );
    expect(records(file)[0]!.error).toMatch(/^network: E(PROTO|CONNRESET)$/);
  });

  it("drops a request whose client hangs up mid-body: nothing forwarded, nothing recorded", async () => {
    const target = await upstream((_request, _body, response) => json(202, example("accepted").value, response));
    const file = join(folder(), "aborted.ndjson");
    const front = await proxy(target.url, { record: file });
    const { request } = await import("node:http");
    const call = request(`${front.url}${path}`, {
      method: "POST",
      headers: { "api-key": apiKey, "content-type": "application/json", "content-length": "1000" },
    });
    call.on("error", () => {});
    call.write('{"messaging_object":');
    await new Promise((resolve) => setTimeout(resolve, 100));
    call.destroy();
    // The next request is answered: the proxy is still there, and only it reaches the upstream.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await send(front.url, valid)).status).toBe(202);
    expect(target.seen.map((seen) => seen.body)).toEqual([JSON.stringify(valid)]);
    expect(records(file).map((record) => record.seq)).toEqual([2]);
    expect(front.result().recording).toEqual({ exchanges: 1, outside: 0, file });
  });

  it("records the request's headers without the hop-by-hop ones, and its lines say leniency", async () => {
    const target = await upstream((_request, _body, response) => json(202, example("accepted").value, response));
    const file = join(folder(), "headers.ndjson");
    const front = await proxy(target.url, { record: file });
    expect((await send(front.url, longCaption)).status).toBe(202);
    const [record] = records(file);
    expect(Object.keys(record!.request.headers).sort()).toEqual([
      "accept",
      "accept-encoding",
      "accept-language",
      "api-key",
      "content-length",
      "content-type",
      "host",
      "sec-fetch-mode",
      "user-agent",
    ]);
    expect(front.lines[0]).toMatch(/^#1 POST \S+ → 202 WA202 \d+ ms ✗ rejects_invalid \(leniency\)$/);
  });

  it("stops listening when closed", async () => {
    const front = await startProxy({ upstream: mock.url, host: "127.0.0.1", port: 0, timeoutMs: 1_000, maxBodyBytes: 1024 });
    await front.close();
    await expect(fetchWithin(`${front.url}${path}`, { method: "POST" }, 1_000)).rejects.toThrow(/fetch failed/);
  });
});

describe("the proxy command, in-process", () => {
  it("runs until SIGINT, then prints the summary and writes the reports; its flags take effect", async () => {
    const { proxyCommand } = await import("../src/cli/tools/proxy.ts");
    const target = await upstream((_request, _body, response) => json(429, { code: "WA429", message: "Slow down" }, response));
    const dir = folder();
    const out: string[] = [];
    const err: string[] = [];
    const running = proxyCommand(
      [
        "--upstream",
        target.url,
        "--port",
        "0",
        "--record",
        join(dir, "r.ndjson"),
        "--report",
        `json=${join(dir, "r.json")}`,
        "--max-body-bytes",
        "300",
        "--timeout-ms",
        "1000",
        "--exclude-checks",
        "status_documented",
      ],
      { env: { KALEYRA_API_KEY: apiKey }, out: (text) => out.push(text), err: (text) => err.push(text) },
    );
    await expect.poll(() => err.join("\n"), { timeout: 5_000 }).toMatch(/^Proxy on http:/);
    const url = /Proxy on (http:\S+) → /.exec(err[0]!)![1]!;
    expect(err[0]).toBe(`Proxy on ${url} → ${target.url}, recording to ${join(dir, "r.ndjson")}. Ctrl-C for the drift summary.`);
    expect((await send(url, { pad: "x".repeat(300) })).status).toBe(413);
    expect((await send(url, valid)).status).toBe(429);
    process.emit("SIGINT");
    // status_documented excluded: the 429 passes what is left.
    expect(await running).toBe(0);
    expect(out.join("\n")).toMatch(/2 exchanges, 1 on the contract's path, 1 outside it/);
    expect(err.at(-1)).toBe(`json report written to ${join(dir, "r.json")}`);
    expect(JSON.parse(readFileSync(join(dir, "r.json"), "utf8")).recording).toEqual({ exchanges: 2, outside: 1, file: join(dir, "r.ndjson") });
  });

  it("refuses a recording it cannot write and bad limits, in one line each", async () => {
    const { proxyCommand } = await import("../src/cli/tools/proxy.ts");
    const err: string[] = [];
    const io = { env: {}, out: () => {}, err: (text: string) => err.push(text) };
    expect(await proxyCommand(["--upstream", mock.url, "--port", "0", "--record", join(folder(), "no", "such", "dir.ndjson")], io)).toBe(2);
    expect(err.pop()).toMatch(/^proxy: cannot write the recording .*dir\.ndjson \(ENOENT\)\nRun kaleyra-video proxy --help\.$/);
    expect(await proxyCommand(["--upstream", mock.url, "--max-body-bytes", "0"], io)).toBe(2);
    expect(err.pop()).toMatch(/^proxy: --max-body-bytes must be a whole number from 1 to/);
    expect(await proxyCommand(["--upstream", mock.url, "--timeout-ms", "0"], io)).toBe(2);
    expect(err.pop()).toMatch(/^proxy: --timeout-ms must be a whole number from 1 to/);
    expect(await proxyCommand(["--upstream", mock.url, "--max-response-time", "0"], io)).toBe(2);
    expect(await proxyCommand(["--upstream", mock.url, "--report", "xml=x"], io)).toBe(2);
    const help: string[] = [];
    expect(await proxyCommand(["--help"], { env: {}, out: (text) => help.push(text), err: () => {} })).toBe(0);
    expect(help[0]).toMatch(/^Usage: kaleyra-video proxy --upstream/);
  });
});

describe("the proxy command's judging flags and secrets, in-process", () => {
  async function session(args: string[], env: Record<string, string>, exchange: (url: string) => Promise<void>) {
    const { proxyCommand } = await import("../src/cli/tools/proxy.ts");
    const out: string[] = [];
    const err: string[] = [];
    const running = proxyCommand([...args, "--port", "0"], { env, out: (text) => out.push(text), err: (text) => err.push(text) });
    await expect.poll(() => err[0], { timeout: 5_000 }).toMatch(/^Proxy on http:/);
    await exchange(/Proxy on (http:\S+) → /.exec(err[0]!)![1]!);
    process.emit("SIGTERM");
    return { code: await running, out, err };
  }
  const lenientUpstream = () => upstream((_request, _body, response) => json(202, example("accepted").value, response));

  it("leniency fails the session unless --lenient; --checks keeps only the checks named", async () => {
    const target = await lenientUpstream();
    const strict = await session(["--upstream", target.url], {}, async (url) => void (await send(url, longCaption)));
    expect(strict.code).toBe(1);
    expect(strict.out[0]).toMatch(/ ✗ rejects_invalid \(leniency\)$/);
    const lenient = await session(["--upstream", target.url, "--lenient"], {}, async (url) => void (await send(url, longCaption)));
    expect(lenient.code).toBe(0);
    expect(lenient.out.join("\n")).toMatch(/^PASS with leniency/m);
    const narrowed = await session(["--upstream", target.url, "--checks", "status_documented"], {}, async (url) => void (await send(url, longCaption)));
    expect([narrowed.code, narrowed.out[0]]).toEqual([0, expect.stringMatching(/ ok$/)]);
  });

  it("--max-response-time fails the answers slower than it", async () => {
    const slow = await upstream((_request, _body, response) => setTimeout(() => json(202, example("accepted").value, response), 120));
    const run = await session(["--upstream", slow.url, "--max-response-time", "50"], {}, async (url) => void (await send(url, valid)));
    expect([run.code, run.out[0]]).toEqual([1, expect.stringMatching(/ ✗ response_time$/)]);
  });

  it("masks KALEYRA_API_KEY and KALEYRA_MOCK_ADMIN_TOKEN in its lines, though the request carries neither", async () => {
    const echo = await upstream((_request, body, response) => json(400, { code: "WA400", message: body, data: {}, error: {} }, response));
    const run = await session(
      ["--upstream", echo.url],
      { KALEYRA_API_KEY: " env-key-123456 ", KALEYRA_MOCK_ADMIN_TOKEN: " admin-tok-123456 " },
      async (url) => {
        await send(url, { note: "env-key-123456 admin-tok-123456" }, { key: "other-key-1", at: `${path}?a=env-key-123456&b=admin-tok-123456` });
      },
    );
    expect(run.out[0]).toMatch(new RegExp(`^#1 POST ${path.replace(/[+]/g, "\\+")}\\?a=\\*\\*\\*&b=\\*\\*\\* → 400 WA400 `));
    const all = [...run.out, ...run.err].join("\n");
    for (const secret of ["env-key-123456", "admin-tok-123456", "other-key-1"]) expect(all).not.toContain(secret);
  });
});

describe("the proxy command's own words and edges, in-process", () => {
  const capture = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { env: {}, out: (text: string) => out.push(text), err: (text: string) => err.push(text) } };
  };

  it("a recording that cannot be opened for any reason is one usage line with its code: a folder is EISDIR", async () => {
    const { proxyCommand } = await import("../src/cli/tools/proxy.ts");
    const dir = folder();
    const run = capture();
    expect(await proxyCommand(["--upstream", mock.url, "--port", "0", "--record", dir], run.io)).toBe(2);
    expect(run.err).toEqual([`proxy: cannot write the recording ${dir} (EISDIR)\nRun kaleyra-video proxy --help.`]);
  });

  it.each([
    [["--upstream", "http://127.0.0.1:1", "extra"], "Unexpected argument 'extra'. This command does not take positional arguments"],
    [["--upstream", "ftp://example.org"], "--upstream must be an http(s) URL or one of the pods in, sg, eu, na"],
    [["--upstream", "http://127.0.0.1:1", "--port", "65536"], "--port must be a whole number from 0 to 65535"],
    [["--upstream", "http://127.0.0.1:1", "--max-response-time", "0"], "--max-response-time must be a whole number from 1 to 2147483647"],
    [[], "--upstream is required: the URL or pod the proxy forwards to"],
  ])("%j is refused by name in two lines", async (argv, message) => {
    const { proxyCommand } = await import("../src/cli/tools/proxy.ts");
    const run = capture();
    expect(await proxyCommand(argv, run.io)).toBe(2);
    expect(run.err).toEqual([`proxy: ${message}\nRun kaleyra-video proxy --help.`]);
  });

  it("names the recording in its banner, lets go of SIGINT and SIGTERM when stopped, and a report it cannot write is not a usage error", async () => {
    const { proxyCommand } = await import("../src/cli/tools/proxy.ts");
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const before = [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];
      const file = join(folder(), "r.ndjson");
      const run = capture();
      const running = proxyCommand(["--upstream", mock.url, "--port", "0", "--record", file], run.io);
      await expect.poll(() => run.err[0], { timeout: waitMs }).toMatch(/^Proxy on http:/);
      const url = /Proxy on (http:\S+) → /.exec(run.err[0]!)![1]!;
      expect(run.err[0]).toBe(`Proxy on ${url} → ${mock.url}, recording to ${file}. Ctrl-C for the drift summary.`);
      process.emit(signal);
      expect(await running, signal).toBe(0);
      expect([process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")], signal).toEqual(before);
    }
    const run = capture();
    const running = proxyCommand(["--upstream", mock.url, "--port", "0", "--report", "json=/nonexistent-dir/report.json"], run.io);
    await expect.poll(() => run.err[0], { timeout: waitMs }).toMatch(/^Proxy on http:/);
    process.emit("SIGTERM");
    await expect(running).rejects.toMatchObject({ code: "ENOENT" });
  });
});

describe("the proxy's forwarding, at the edges of each rule", () => {
  it("drops the headers a Connection header names in any case, joins an upstream with many trailing slashes, and masks a bearer token whole and bare", async () => {
    const target = await upstream((request, _body, response) =>
      json(
        400,
        { code: "WA400", message: `${request.headers.authorization} / ${request.headers.authorization?.split(" ")[1]}`, data: {}, error: {} },
        response,
      ),
    );
    const file = join(folder(), "r.ndjson");
    const front = await proxy(`${target.url}///`, { record: file });
    const { rawRequest } = await import("./support/raw.ts");
    const answer = await rawRequest(front.url, {
      method: "POST",
      path,
      headers: {
        "api-key": apiKey,
        "content-type": "application/json",
        connection: "keep-alive, X-Private",
        "x-private": "p",
        "x-public": "q",
        authorization: "Bearer tok-secret-98765",
      },
      body: JSON.stringify(valid),
    });
    expect(answer.status).toBe(400);
    expect(target.seen.map((seen) => [seen.url, seen.headers["x-private"], seen.headers["x-public"]])).toEqual([[path, undefined, "q"]]);
    const recorded = readFileSync(file, "utf8");
    expect(recorded).not.toContain("tok-secret-98765");
    expect(JSON.parse(recorded.trim()).response.body).toBe(JSON.stringify({ code: "WA400", message: "*** / ***", data: {}, error: {} }));
    expect(front.lines.join("\n")).not.toContain("tok-secret-98765");
  });
});

describe("the proxy's exchanges, byte for byte", () => {
  it("keeps one connection to the upstream, sends a length only with a body or a method that has one, answers HEAD without a body, and says each exchange in a line", async () => {
    const ports = new Set<number | undefined>();
    const target = await upstream((request, _body, response) => {
      ports.add(request.socket.remotePort);
      // A HEAD answer names the length a GET would have.
      response.writeHead(404, { "content-type": "text/plain", "content-length": "4" }).end(request.method === "HEAD" ? undefined : "nope");
    });
    const front = await proxy(target.url, { maxBodyBytes: 64 });
    const { rawRequest } = await import("./support/raw.ts");
    const head = await rawRequest(front.url, { method: "HEAD", path: "/other", headers: {} });
    const get = await rawRequest(front.url, { method: "GET", path: "/other", headers: {} });
    const post = await rawRequest(front.url, { method: "POST", path: "/other", headers: { "content-length": "0" }, body: "" });
    const big = await rawRequest(front.url, { method: "POST", path, headers: { "api-key": apiKey, "content-type": "application/json" }, body: "x".repeat(65) });
    expect([head.status, head.text, head.headers["content-length"], get.status, get.text, get.headers["content-length"], post.status, big.status]).toEqual([
      404,
      "",
      "4",
      404,
      "nope",
      "4",
      404,
      413,
    ]);
    expect(target.seen.map((seen) => [seen.method, seen.headers["content-length"]])).toEqual([
      ["HEAD", undefined],
      ["GET", undefined],
      ["POST", "0"],
    ]);
    expect(ports.size).toBe(1);
    expect(front.lines.map((text) => text.replace(/ \d+(\.\d+)? ms /, " N ms "))).toEqual([
      "#1 HEAD /other → 404 N ms outside the contract",
      "#2 GET /other → 404 N ms outside the contract",
      "#3 POST /other → 404 N ms outside the contract",
      `#4 POST ${path} → no answer (not forwarded: the body is larger than 64 bytes) N ms outside the contract`,
    ]);
    expect(front.result().interrupted).toBeUndefined();
    expect(front.result("stopped by SIGINT").interrupted).toBe("stopped by SIGINT");
  });
});

describe("the proxy when its recording cannot be written", () => {
  it("still answers the application, says so in each line, and neither crashes nor leaves a rejection unhandled", async () => {
    const target = await upstream((_request, _body, response) => json(202, example("accepted").value, response));
    const file = join(folder(), "full.ndjson");
    // A file-size limit of 0: every write of a record fails (EFBIG), as on a full disk.
    const run = await runCli(
      ["--upstream", target.url, "--record", file],
      async (url) => {
        const first = await send(url, valid);
        const second = await send(url, valid);
        expect([first.status, second.status]).toEqual([202, 202]);
      },
      "SIGINT",
      0,
    );
    expect(target.seen).toHaveLength(2);
    expect(run.code).toBe(0);
    expect(
      run.out
        .split("\n")
        .filter((text) => text.startsWith("#"))
        .map((text) => text.replace(/ \d+ ms /, " N ms ")),
    ).toEqual([`#1 POST ${path} → 202 WA202 N ms ok (not recorded: EFBIG)`, `#2 POST ${path} → 202 WA202 N ms ok (not recorded: EFBIG)`]);
    expect(run.out).toMatch(/judged against the contract: 2 exchanges, 2 on the contract's path/);
    expect(readFileSync(file, "utf8")).toBe("");
  });
});

describe("the proxy's edges, read whole", () => {
  it("names its upstream without any trailing slash, records no keep-alive header, and masks a bearer token after two spaces", async () => {
    const token = "tok-two-spaces-4321";
    const target = await upstream((request, _body, response) =>
      json(400, { code: "WA400", message: "echo", data: {}, error: { token: request.headers.authorization?.replace(/^\S+\s+/, "") } }, response),
    );
    const file = join(folder(), "r.ndjson");
    const front = await proxy(`${target.url}//`, { record: file });
    const { rawRequest } = await import("./support/raw.ts");
    const body = JSON.stringify(valid);
    const answer = await rawRequest(front.url, {
      method: "POST",
      path,
      headers: { "api-key": apiKey, "content-type": "application/json", connection: "close", "keep-alive": "timeout=5", authorization: `Bearer  ${token}` },
      body,
    });
    expect([answer.status, JSON.parse(answer.text).error.token]).toEqual([400, token]);
    const [record] = records(file);
    expect(record!.upstream).toBe(target.url);
    expect(record!.request.headers).toEqual({
      "api-key": "***",
      "content-type": "application/json",
      authorization: "***",
      host: new URL(front.url).host,
      "content-length": String(Buffer.byteLength(body)),
    });
    expect(record!.response!.body).toBe(JSON.stringify({ code: "WA400", message: "echo", data: {}, error: { token: "***" } }));
    expect(readFileSync(file, "utf8")).not.toContain(token);
    expect(front.lines[0]).toMatch(/^#1 POST \S+ → 400 WA400 \d+ ms /);
  });

  it("answers HEAD without a length when the upstream gave none, and lists every finding of an exchange, one space apart", async () => {
    const target = await upstream((request, _body, response) => {
      if (request.method === "HEAD") return void response.writeHead(200, { "content-type": "text/plain" }).end();
      setTimeout(() => json(429, { code: "WA429", message: "Slow down", data: {}, error: {} }, response), 30);
    });
    const front = await proxy(target.url, { judge: { maxResponseTimeMs: 1 } });
    const { rawRequest } = await import("./support/raw.ts");
    const head = await rawRequest(front.url, { method: "HEAD", path: "/other", headers: {} });
    expect([head.status, head.headers["content-length"], head.text]).toEqual([200, undefined, ""]);
    expect((await send(front.url, valid)).status).toBe(429);
    expect(front.lines[1]).toMatch(/ ms ✗ status_documented ✗ response_time$/);
  });
});

describe("the proxy command's banner, in-process", () => {
  it("says where it listens and what it fronts, and nothing of a recording when there is none", async () => {
    const { proxyCommand } = await import("../src/cli/tools/proxy.ts");
    const err: string[] = [];
    const running = proxyCommand(["--upstream", mock.url, "--port", "0"], { env: {}, out: () => {}, err: (text) => err.push(text) });
    await expect.poll(() => err.join("\n"), { timeout: 5_000 }).toMatch(/^Proxy on http:/);
    const url = /Proxy on (http:\S+) → /.exec(err[0]!)![1]!;
    process.emit("SIGTERM");
    expect(await running).toBe(0);
    expect(err).toEqual([`Proxy on ${url} → ${mock.url}. Ctrl-C for the drift summary.`]);
  });
});

describe("an upstream that compresses, whether or not the application asked", () => {
  const accepted = JSON.stringify(example("accepted").value);

  /** An answer through node:http, as bytes, with its headers as they came. */
  const viaNodeHttp = (base: string, headers: Record<string, string>) =>
    new Promise<{ status: number; headers: IncomingMessage["headers"]; body: Buffer }>((resolve, reject) => {
      const call = httpRequest(
        `${base}${path}`,
        { method: "POST", headers: { "api-key": apiKey, "content-type": "application/json", ...headers } },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on("data", (chunk: Buffer) => chunks.push(chunk));
          answer.on("end", () => resolve({ status: answer.statusCode ?? 0, headers: answer.headers, body: Buffer.concat(chunks) }));
          answer.on("error", reject);
        },
      );
      call.on("error", reject);
      call.end(JSON.stringify(valid));
    });

  // Every coding the edge decodes, as upstreams write its name.
  const codings = [
    ["gzip", gzipSync],
    ["br", brotliCompressSync],
    ["deflate", deflateSync],
    ["x-gzip", gzipSync],
    [" GZIP ", gzipSync],
  ] as const;
  for (const [coding, encode] of codings) {
    it(`${JSON.stringify(coding)}: the application gets the JSON, plain, with no Content-Encoding and its own length`, async () => {
      const target = await upstream((_request, _body, response) =>
        response.writeHead(202, { "content-type": "application/json", "content-encoding": coding, "x-upstream": "kept" }).end(encode(Buffer.from(accepted))),
      );
      const front = await proxy(target.url);
      // node:http asks for nothing unless told; fetch asks for gzip, deflate and br unless told otherwise.
      for (const asks of [{}, { "accept-encoding": "gzip, deflate, br" }, { "accept-encoding": "identity" }]) {
        const answer = await viaNodeHttp(front.url, asks);
        expect(
          [answer.status, answer.body.toString("utf8"), answer.headers["content-encoding"], answer.headers["content-length"], answer.headers["x-upstream"]],
          JSON.stringify(asks),
        ).toEqual([202, accepted, undefined, String(Buffer.byteLength(accepted)), "kept"]);
      }
      for (const asks of [{}, { "accept-encoding": "identity" }]) {
        const answer = await fetchWithin(`${front.url}${path}`, {
          method: "POST",
          headers: { "api-key": apiKey, "content-type": "application/json", ...asks },
          body: JSON.stringify(valid),
        });
        expect(
          [answer.status, await answer.text(), answer.headers.get("content-encoding"), answer.headers.get("content-length")],
          JSON.stringify(asks),
        ).toEqual([202, accepted, null, String(Buffer.byteLength(accepted))]);
      }
      // The upstream was never asked to compress: it did so unasked, every time.
      expect(target.seen.map((seen) => seen.headers["accept-encoding"])).toEqual([undefined, undefined, undefined, undefined, undefined]);
      expect(
        front.lines.every((text) => / → 202 WA202 \d+ ms ok$/.test(text)),
        front.lines.join("\n"),
      ).toBe(true);
    });
  }

  it("a coding the edge does not decode reaches the application as it came: the bytes and their Content-Encoding", async () => {
    const twice = gzipSync(gzipSync(Buffer.from(accepted)));
    const zstdFrame = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x02, 0x11, 0x00, 0x00, 0x7b, 0x7d]);
    const target = await upstream((request, _body, response) => {
      const [coding, bytes] = request.headers["x-coding"] === "zstd" ? ["zstd", zstdFrame] : ["gzip, gzip", twice];
      response.writeHead(202, { "content-type": "application/json", "content-encoding": coding }).end(bytes);
    });
    const front = await proxy(target.url);
    const stacked = await viaNodeHttp(front.url, { "accept-encoding": "gzip" });
    expect([stacked.status, stacked.body.equals(twice), stacked.headers["content-encoding"], stacked.headers["content-length"]]).toEqual([
      202,
      true,
      "gzip, gzip",
      String(twice.length),
    ]);
    const zstd = await viaNodeHttp(front.url, { "x-coding": "zstd" });
    expect([zstd.status, zstd.body.equals(zstdFrame), zstd.headers["content-encoding"], zstd.headers["content-length"]]).toEqual([
      202,
      true,
      "zstd",
      String(zstdFrame.length),
    ]);
    // fetch decodes codings applied twice itself: the header is what lets it.
    const decoded = await fetchWithin(`${front.url}${path}`, {
      method: "POST",
      headers: { "api-key": apiKey, "content-type": "application/json" },
      body: JSON.stringify(valid),
    });
    expect([decoded.status, await decoded.text()]).toEqual([202, accepted]);
  });
});

describe("hop-by-hop headers stop at the proxy, both ways", () => {
  /**
   * Writes a request as given on a fresh connection (`connection: close`) and reads the answer
   * until the proxy closes it. The socket is not half-closed: Node's server drops a request whose
   * client has ended its side before the answer.
   */
  const rawExchange = async (base: string, head: string[]): Promise<string> => {
    const { connect } = await import("node:net");
    const { hostname, port } = new URL(base);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => socket.write(`${head.join("\r\n")}\r\n\r\n`));
      let text = "";
      socket.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
      socket.on("close", () => resolve(text));
      socket.on("error", reject);
    });
  };
  const hopByHop = ["keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate", "te", "trailer", "upgrade"];

  it("none reaches the upstream, nor the application; the upstream gets its own Host and no length for a bodiless GET", async () => {
    const target = await upstream((_request, _body, response) => {
      // Chunked, so that a Trailer header may be sent at all; Connection names none of them.
      response.writeHead(200, {
        "content-type": "text/plain",
        connection: "close",
        "keep-alive": "timeout=77",
        "proxy-connection": "keep-alive",
        te: "trailers",
        trailer: "x-sum",
        upgrade: "h2c",
        "x-kept": "1",
      });
      response.write("ok");
      response.addTrailers({ "x-sum": "1" });
      response.end();
    });
    const front = await proxy(target.url);
    const { host } = new URL(front.url);
    const answer = await within(
      "the raw exchange",
      rawExchange(front.url, [
        `GET /other HTTP/1.1`,
        `host: ${host}`,
        "connection: close",
        "content-length: 0",
        "keep-alive: timeout=9",
        "proxy-connection: keep-alive",
        "proxy-authorization: Basic eDp5",
        "proxy-authenticate: Basic",
        "te: trailers",
        "trailer: x-sum",
        "upgrade: h2c",
        "x-team: visible",
      ]),
    );
    const [head, body] = answer.split("\r\n\r\n") as [string, string];
    const names = head
      .split("\r\n")
      .slice(1)
      .map((line) => line.slice(0, line.indexOf(":")).toLowerCase());
    expect([head.split("\r\n")[0], body]).toEqual(["HTTP/1.1 200 OK", "ok"]);
    expect(names.filter((name) => hopByHop.includes(name))).toEqual([]);
    expect(names).toContain("x-kept");
    const seen = target.seen[0]!;
    expect(Object.keys(seen.headers).filter((name) => hopByHop.includes(name))).toEqual([]);
    expect([seen.headers.host, seen.headers["content-length"], seen.headers["x-team"]]).toEqual([new URL(target.url).host, undefined, "visible"]);
  });
});

describe("the recording: a new file, readable by its owner alone, never written through a link", () => {
  const capture = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { env: {}, out: (text: string) => out.push(text), err: (text: string) => err.push(text) } };
  };
  /** The proxy command, in-process, on a free port: one valid send through it, then SIGTERM. */
  async function session(args: string[]) {
    const { proxyCommand } = await import("../src/cli/tools/proxy.ts");
    const target = await upstream((_request, _body, response) => json(202, example("accepted").value, response));
    const run = capture();
    const running = proxyCommand(["--upstream", target.url, "--port", "0", ...args], run.io);
    await expect.poll(() => run.err[0], { timeout: waitMs }).toMatch(/^Proxy on http:/);
    expect((await send(/Proxy on (http:\S+) → /.exec(run.err[0]!)![1]!, valid)).status).toBe(202);
    process.emit("SIGTERM");
    return { code: await running, ...run };
  }
  /** The command refused at once: exit 2 and its one message, nothing listening. */
  async function refused(args: string[]) {
    const { proxyCommand } = await import("../src/cli/tools/proxy.ts");
    const run = capture();
    const code = await within("a refused recording", proxyCommand(["--upstream", mock.url, "--port", "0", ...args], run.io));
    return { code, err: run.err };
  }
  const usage = (message: string) => [`proxy: ${message}\nRun kaleyra-video proxy --help.`];

  it("creates FILE new with mode 0600, one record a line", async () => {
    const file = join(folder(), "new.ndjson");
    const run = await session(["--record", file]);
    expect(run.code).toBe(0);
    expect(lstatSync(file).mode & 0o777).toBe(0o600);
    expect(records(file).map((record) => [record.seq, record.response?.status])).toEqual([[1, 202]]);
  });

  it("refuses a FILE that exists, naming it and --append, and leaves it as it was", async () => {
    const file = join(folder(), "old.ndjson");
    writeFileSync(file, "kept as it was\n");
    expect(await refused(["--record", file])).toEqual({ code: 2, err: usage(`the recording ${file} exists: --append adds to it, or name a new file`) });
    expect(readFileSync(file, "utf8")).toBe("kept as it was\n");
  });

  it("--append adds to a FILE that exists, after what it held; and creates one that does not, 0600", async () => {
    const file = join(folder(), "old.ndjson");
    const before = `${JSON.stringify({ kept: true })}\n`;
    writeFileSync(file, before);
    const run = await session(["--record", file, "--append"]);
    expect(run.code).toBe(0);
    const text = readFileSync(file, "utf8");
    expect(text.startsWith(before)).toBe(true);
    expect(
      text
        .slice(before.length)
        .trim()
        .split("\n")
        .map((line) => (JSON.parse(line) as ExchangeRecord).seq),
    ).toEqual([1]);
    const fresh = join(folder(), "fresh.ndjson");
    expect((await session(["--record", fresh, "--append"])).code).toBe(0);
    expect([lstatSync(fresh).mode & 0o777, records(fresh).length]).toEqual([0o600, 1]);
  });

  it("refuses a symbolic link with and without --append, to a file or to nothing, and leaves what it points to untouched", async () => {
    const dir = folder();
    const target = join(dir, "target.txt");
    writeFileSync(target, "the link's target\n");
    const link = join(dir, "link.ndjson");
    symlinkSync(target, link);
    const dangling = join(dir, "dangling.ndjson");
    symlinkSync(join(dir, "nothing-here"), dangling);
    for (const file of [link, dangling]) {
      for (const append of [[], ["--append"]]) {
        expect(await refused(["--record", file, ...append]), `${file} ${append.join("")}`).toEqual({
          code: 2,
          err: usage(`cannot write the recording ${file}: it is a symbolic link, and a recording is never written through one`),
        });
      }
    }
    expect(readFileSync(target, "utf8")).toBe("the link's target\n");
    expect(existsSync(join(dir, "nothing-here"))).toBe(false);
    expect([lstatSync(link).isSymbolicLink(), lstatSync(dangling).isSymbolicLink()]).toEqual([true, true]);
  });

  it("refuses a FIFO and a device with and without --append, and a folder, without waiting on them", async () => {
    const fifo = join(folder(), "pipe");
    execFileSync("mkfifo", [fifo]);
    // First with a reader on the FIFO, so that opening it could not block: a refusal missing fails here, not by hanging.
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const cases = async () => {
      for (const file of [fifo, "/dev/null", "/dev/full"]) {
        for (const append of [[], ["--append"]]) {
          expect(await refused(["--record", file, ...append]), `${file} ${append.join("")}`).toEqual({
            code: 2,
            err: usage(`cannot write the recording ${file}: it is not a regular file (a FIFO, a device or a socket)`),
          });
        }
      }
    };
    try {
      await cases();
    } finally {
      closeSync(reader);
    }
    // With no reader, in a process of its own that is ended past the wait: an open that blocks cannot hang the test.
    for (const append of [[], ["--append"]]) {
      const apart = await new Promise<{ code: number | null; err: string }>((resolve) => {
        const child = spawn(process.execPath, ["dist/src/cli/bin.js", "proxy", "--upstream", mock.url, "--port", "0", "--record", fifo, ...append], {
          stdio: ["ignore", "ignore", "pipe"],
        });
        let err = "";
        child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
        const timer = setTimeout(() => child.kill("SIGKILL"), waitMs);
        child.on("exit", (code) => {
          clearTimeout(timer);
          resolve({ code, err });
        });
      });
      expect(apart, append.join("")).toEqual({
        code: 2,
        err: `${usage(`cannot write the recording ${fifo}: it is not a regular file (a FIFO, a device or a socket)`)[0]}\n`,
      });
    }
    const dir = folder();
    expect(await refused(["--record", dir, "--append"])).toEqual({ code: 2, err: usage(`cannot write the recording ${dir} (EISDIR)`) });
  });

  it("--append without --record is a usage error", async () => {
    expect(await refused(["--append"])).toEqual({ code: 2, err: usage("--append adds to the --record file: give --record FILE") });
  });

  it("a proxy that cannot listen leaves no new recording behind", async () => {
    const file = join(folder(), "never.ndjson");
    const taken = Number(new URL(mock.url).port);
    const { proxyCommand } = await import("../src/cli/tools/proxy.ts");
    const run = capture();
    expect(await within("proxy on a port in use", proxyCommand(["--upstream", mock.url, "--port", String(taken), "--record", file], run.io))).toBe(2);
    expect(existsSync(file)).toBe(false);
  });
});

describe("a request target in absolute form", () => {
  it("is routed by its path and query only: the upstream's host is the one it gets, whatever the target names", async () => {
    const target = await upstream((_request, _body, response) => json(202, example("accepted").value, response));
    const file = join(folder(), "absolute.ndjson");
    const front = await proxy(target.url, { record: file });
    const { rawRequest } = await import("./support/raw.ts");
    const headers = { "api-key": apiKey, "content-type": "application/json" };
    const body = JSON.stringify(valid);
    const targets = [
      `http://evil.example${path}`,
      `HTTPS://user:pw@evil.example:8443${path}?a=1`,
      "http://evil.example",
      "http://evil.example?q=1",
      `http://${new URL(target.url).host}.evil.example${path}`,
    ];
    for (const requestTarget of targets)
      expect(
        (await rawRequest(front.url, { method: "POST", path: requestTarget, headers: { ...headers, host: "evil.example" }, body })).status,
        requestTarget,
      ).toBe(202);
    expect(target.seen.map((seen) => [seen.headers.host, seen.url])).toEqual([
      [new URL(target.url).host, path],
      [new URL(target.url).host, `${path}?a=1`],
      [new URL(target.url).host, "/"],
      [new URL(target.url).host, "/?q=1"],
      [new URL(target.url).host, path],
    ]);
    expect(records(file).map((record) => [record.request.path, record.contract])).toEqual([
      [path, "operation"],
      [`${path}?a=1`, "operation"],
      ["/", "outside"],
      ["/?q=1", "outside"],
      [path, "operation"],
    ]);
    expect(front.lines.map((text) => text.replace(/ \d+ ms /, " N ms "))[0]).toBe(`#1 POST ${path} → 202 WA202 N ms ok`);
  });

  it("an asterisk target is no path: 400, not forwarded, recorded as such", async () => {
    const target = await upstream((_request, _body, response) => json(200, {}, response));
    const file = join(folder(), "asterisk.ndjson");
    const front = await proxy(target.url, { record: file });
    const { rawRequest } = await import("./support/raw.ts");
    const answer = await rawRequest(front.url, { method: "OPTIONS", path: "*" });
    expect([answer.status, JSON.parse(answer.text)]).toEqual([
      400,
      {
        type: "about:blank",
        title: "Bad Request",
        status: 400,
        detail: "kaleyra-video proxy: the request target is neither a path nor an absolute URL; not forwarded",
      },
    ]);
    expect(target.seen).toEqual([]);
    expect(records(file).map((record) => [record.request.path, record.error, record.contract])).toEqual([
      ["*", "not forwarded: the request target is not a path", "outside"],
    ]);
    expect(front.lines).toEqual(["#1 OPTIONS * → no answer (not forwarded: the request target is not a path) 0 ms outside the contract"]);
    expect(front.result().recording).toEqual({ exchanges: 1, outside: 1, file });
  });
});

describe("answers without content that name a coding (HEAD, 204, 304)", () => {
  // What a GET through the proxy gets for a coding the edge decodes is plain bytes with no
  // Content-Encoding: a HEAD says the same, so it names no coding and no length (the plain
  // length is unknown without the bytes; RFC 9110 §8.6 lets a HEAD answer omit it).
  it("none fails for want of a body: no coding the edge decodes is named, and no length of coded bytes is passed", async () => {
    const target = await upstream((request, _body, response) => {
      const coding = String(request.headers["x-coding"]);
      const status = Number(request.headers["x-status"]);
      response.writeHead(status, { "content-type": "application/json", "content-encoding": coding, "content-length": "31", etag: '"v1"' }).end();
    });
    const front = await proxy(target.url);
    const { rawRequest } = await import("./support/raw.ts");
    const seen: unknown[] = [];
    for (const [method, status, coding] of [
      ["HEAD", 200, "gzip"],
      ["HEAD", 404, " BR "],
      ["GET", 304, "deflate"],
      ["HEAD", 200, "zstd"],
      ["GET", 304, "zstd"],
      ["HEAD", 200, "identity"],
    ] as const) {
      const answer = await rawRequest(front.url, { method, path: "/resource", headers: { "x-coding": coding, "x-status": String(status) } });
      seen.push([method, coding, answer.status, answer.headers["content-encoding"], answer.headers["content-length"], answer.headers.etag, answer.text]);
    }
    expect(seen).toEqual([
      ["HEAD", "gzip", 200, undefined, undefined, '"v1"', ""],
      ["HEAD", " BR ", 404, undefined, undefined, '"v1"', ""],
      ["GET", "deflate", 304, undefined, undefined, '"v1"', ""],
      // A coding the edge leaves alone is passed as it came, with the length it measures.
      ["HEAD", "zstd", 200, "zstd", "31", '"v1"', ""],
      ["GET", "zstd", 304, "zstd", "31", '"v1"', ""],
      ["HEAD", "identity", 200, "identity", "31", '"v1"', ""],
    ]);
    expect(front.lines.map((text) => text.replace(/ \d+ ms /, " N ms "))).toEqual([
      "#1 HEAD /resource → 200 N ms outside the contract",
      "#2 HEAD /resource → 404 N ms outside the contract",
      "#3 GET /resource → 304 N ms outside the contract",
      "#4 HEAD /resource → 200 N ms outside the contract",
      "#5 GET /resource → 304 N ms outside the contract",
      "#6 HEAD /resource → 200 N ms outside the contract",
    ]);
  });

  it("204 passes no length, whatever the upstream says, and no coding the edge decodes", async () => {
    const target = await upstream((request, _body, response) =>
      response.writeHead(204, { "content-encoding": String(request.headers["x-coding"]), "content-length": "0", "x-kept": "1" }).end(),
    );
    const front = await proxy(target.url);
    const { rawRequest } = await import("./support/raw.ts");
    const seen: unknown[] = [];
    for (const coding of ["gzip", "zstd"]) {
      const answer = await rawRequest(front.url, { method: "DELETE", path: "/resource", headers: { "x-coding": coding } });
      seen.push([answer.status, answer.headers["content-encoding"], answer.headers["content-length"], answer.headers["x-kept"], answer.text]);
    }
    expect(seen).toEqual([
      [204, undefined, undefined, "1", ""],
      [204, "zstd", undefined, "1", ""],
    ]);
  });
});

describe("the drift summary in bounded memory: every count exact, outcomes kept to a bound", () => {
  it(`keeps ${maxKeptOutcomes} failing exchanges whole at the bound, and counts the one past it`, async () => {
    let n = 0;
    const target = await upstream((_request, _body, response) => json(429, { code: "WA429", message: `Slow down ${++n}` }, response));
    const front = await proxy(target.url);
    for (let i = 0; i < maxKeptOutcomes; i++) expect((await send(front.url, valid)).status).toBe(429);
    const atBound = front.result();
    expect([atBound.outcomes.length, atBound.outcomes.at(-1)!.testCase.title]).toEqual([maxKeptOutcomes, `#${maxKeptOutcomes} POST ${path}`]);
    expect((JSON.parse(jsonReport(atBound)) as { sample: unknown }).sample).toEqual({
      note: expect.stringMatching(/^cases and findings are a sample/),
      judged: maxKeptOutcomes,
      passed: 0,
      withViolation: maxKeptOutcomes,
      withLeniency: 0,
      kept: maxKeptOutcomes,
      notKept: { violation: 0, leniency: 0, passed: 0 },
      otherUndocumentedAnswers: 0,
      otherLenientFields: 0,
    });
    expect(junit(atBound)).not.toContain("more exchanges judged");

    expect((await send(front.url, valid)).status).toBe(429);
    const past = front.result();
    // The first ones are kept; the one past the bound is counted in everything.
    expect([past.outcomes.length, past.outcomes.at(-1)!.testCase.title]).toEqual([maxKeptOutcomes, `#${maxKeptOutcomes} POST ${path}`]);
    expect(past.recording).toEqual({ exchanges: maxKeptOutcomes + 1, outside: 0 });
    expect(checkTotals(past).filter((row) => row.failed > 0)).toEqual([{ name: "status_documented", passed: 0, failed: maxKeptOutcomes + 1, leniency: 0 }]);
    expect(undocumentedAnswers(past)).toEqual([
      { status: 429, code: "WA429", count: maxKeptOutcomes + 1, sample: '{"code":"WA429","message":"Slow down 1"}', request: `#1 POST ${path}` },
    ]);
    const text = summary(past);
    expect(text.split("\n")[0]).toMatch(new RegExp(`: ${maxKeptOutcomes + 1} exchanges, ${maxKeptOutcomes + 1} on the contract's path, 0 outside it`));
    expect(text).toContain(`\nViolations (${maxKeptOutcomes + 1}, first 20 shown):\n`);
    expect(summary(past, 1_000)).toContain(`\nViolations (${maxKeptOutcomes + 1}, first ${maxKeptOutcomes} shown):\n`);
    expect(text.split("\n").at(-1)).toBe(`0 passed, ${maxKeptOutcomes + 1} failed`);
    const report = JSON.parse(jsonReport(past)) as { cases: unknown[]; findings: unknown[]; sample: unknown; checks: unknown[] };
    expect([report.cases.length, report.findings.length]).toEqual([maxKeptOutcomes, maxKeptOutcomes]);
    expect(report.sample).toEqual({
      note: `cases and findings are a sample: the outcomes kept whole (at most ${maxKeptOutcomes}: violations first, then leniency, then passes); checks, coverage, undocumentedAnswers, lenientFields and these counts are exact`,
      judged: maxKeptOutcomes + 1,
      passed: 0,
      withViolation: maxKeptOutcomes + 1,
      withLeniency: 0,
      kept: maxKeptOutcomes,
      notKept: { violation: 1, leniency: 0, passed: 0 },
      otherUndocumentedAnswers: 0,
      otherLenientFields: 0,
    });
    const xml = junit(past);
    expect(xml).toContain(
      `<property name="exchanges" value="${maxKeptOutcomes + 1}"/><property name="judged" value="${maxKeptOutcomes + 1}"/><property name="kept" value="${maxKeptOutcomes}"/>`,
    );
    expect(xml).toContain(
      `<testcase classname="conformance.recorded" name="1 more exchanges judged: counted, not listed (at most ${maxKeptOutcomes} are kept whole, violations first)" time="0">\n      <failure type="not-kept" message="1 of them with a violation, counted in the checks' totals"/>`,
    );
    expect(xml).toMatch(new RegExp(`<testsuite name="[^"]+" tests="${maxKeptOutcomes + 1}" failures="${maxKeptOutcomes + 1}" skipped="0">`));
  });

  it("escapes what came from outside in its line: the path and the upstream's code", async () => {
    const target = await upstream((_request, _body, response) => json(429, { code: "WA\u001b[2J\u202e429" }, response));
    const front = await proxy(target.url);
    expect((await send(front.url, valid)).status).toBe(429);
    expect(front.lines.map((text) => text.replace(/ \d+ ms /, " N ms "))).toEqual([`#1 POST ${path} → 429 WA\\u001b[2J\\u202e429 N ms ✗ status_documented`]);
  });
});

describe("startProxy refuses a recording it may not write with a typed error, each naming its code", () => {
  /** What startProxy rejected with for `record`: its class, name, code, file and message. */
  const refusal = async (record: string, append: boolean) => {
    const outcome = await startProxy({ upstream: mock.url, host: "127.0.0.1", port: 0, timeoutMs: waitMs, maxBodyBytes: 1024, record, append }).then(
      async (server) => {
        await server.close();
        return "started";
      },
      (error: unknown) => error,
    );
    expect(outcome, record).toBeInstanceOf(RecordingFileError);
    const { name, code, file, message } = outcome as RecordingFileError;
    return [name, code, file === record, message];
  };

  it("EEXIST for a file without --append; ELOOP for a link, ENOTREG for a device, EISDIR for a folder, with or without it; ENOENT and ENOTDIR from the path", async () => {
    const dir = folder();
    const existing = join(dir, "existing.ndjson");
    writeFileSync(existing, "");
    const link = join(dir, "link.ndjson");
    symlinkSync(existing, link);
    const dangling = join(dir, "dangling.ndjson");
    symlinkSync(join(dir, "nothing"), dangling);
    const missing = join(dir, "no-such-folder", "r.ndjson");
    const throughFile = join(existing, "r.ndjson");
    const name = "RecordingFileError";
    const isLink = (file: string) => `cannot write the recording ${file}: it is a symbolic link, and a recording is never written through one`;
    const device = "cannot write the recording /dev/null: it is not a regular file (a FIFO, a device or a socket)";
    const cases: [string, boolean][] = [
      [existing, false],
      [link, false],
      [link, true],
      [dangling, false],
      [dangling, true],
      ["/dev/null", false],
      ["/dev/null", true],
      [dir, false],
      [dir, true],
      [missing, false],
      [missing, true],
      [throughFile, true],
    ];
    const found = [];
    for (const [file, append] of cases) found.push(await refusal(file, append));
    expect(found).toEqual([
      [name, "EEXIST", true, `the recording ${existing} exists: --append adds to it, or name a new file`],
      [name, "ELOOP", true, isLink(link)],
      [name, "ELOOP", true, isLink(link)],
      [name, "ELOOP", true, isLink(dangling)],
      [name, "ELOOP", true, isLink(dangling)],
      [name, "ENOTREG", true, device],
      [name, "ENOTREG", true, device],
      [name, "EISDIR", true, `cannot write the recording ${dir} (EISDIR)`],
      [name, "EISDIR", true, `cannot write the recording ${dir} (EISDIR)`],
      [name, "ENOENT", true, `cannot write the recording ${missing} (ENOENT)`],
      [name, "ENOENT", true, `cannot write the recording ${missing} (ENOENT)`],
      [name, "ENOTDIR", true, `cannot write the recording ${throughFile} (ENOTDIR)`],
    ]);
    expect(readFileSync(existing, "utf8")).toBe("");
    expect(existsSync(join(dir, "nothing"))).toBe(false);
  });
});

describe("the request target's path, read alone", () => {
  it("keeps an origin-form target; takes an absolute URL's path, query included; refuses what starts with no scheme", () => {
    expect(
      [
        "/a?b=1",
        "http://host/p?q=1",
        "h2+x.y-z://host",
        "HTTPS://u:p@host:1/p",
        "*",
        "host:443",
        "9http://host/p",
        "x http://host/p",
        "//host/p",
        "http:/host/p",
      ].map(upstreamPath),
    ).toEqual(["/a?b=1", "/p?q=1", "/", "/p", undefined, undefined, undefined, undefined, "//host/p", undefined]);
  });
});

describe("Connection is the proxy's own, both ways", () => {
  it("the upstream hears the proxy's keep-alive, not the application's close; the application hears its own, not the upstream's close", async () => {
    const target = await upstream((_request, _body, response) => response.writeHead(200, { "content-type": "text/plain", connection: "close" }).end("ok"));
    const front = await proxy(target.url);
    const { rawRequest } = await import("./support/raw.ts");
    const first = await rawRequest(front.url, { method: "GET", path: "/other", headers: { connection: "close" } });
    const second = await rawRequest(front.url, { method: "GET", path: "/other", headers: {} });
    expect([first.status, first.text, second.status, second.text, second.headers.connection]).toEqual([200, "ok", 200, "ok", "keep-alive"]);
    expect(target.seen.map((seen) => seen.headers.connection)).toEqual(["keep-alive", "keep-alive"]);
  });

  it("a request header sent twice reaches the upstream once, its values joined with a comma, Set-Cookie too; two api-keys are both masked", async () => {
    const target = await upstream((request, _body, response) =>
      json(
        400,
        { code: "WA400", message: String(request.headers["x-twice"]), data: {}, error: { second: String(request.headers["api-key"]).split(", ")[1] } },
        response,
      ),
    );
    const file = join(folder(), "twice.ndjson");
    const front = await proxy(target.url, { record: file });
    const { connect } = await import("node:net");
    const { hostname, port } = new URL(front.url);
    const other = "second-key-abcdef-987654";
    const head = [
      `GET /other HTTP/1.1`,
      `host: ${hostname}`,
      "connection: close",
      "x-twice: a",
      "x-twice: b",
      "set-cookie: c=1",
      "set-cookie: d=2",
      `api-key: ${apiKey}`,
      `api-key: ${other}`,
    ];
    const answer = await within(
      "the raw exchange",
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), hostname, () => socket.write(`${head.join("\r\n")}\r\n\r\n`));
        let text = "";
        socket.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
        socket.on("close", () => resolve(text));
        socket.on("error", reject);
      }),
    );
    expect(answer.split("\r\n")[0]).toBe("HTTP/1.1 400 Bad Request");
    // Set-Cookie, the one Node keeps as a list, is joined the same way on its way on.
    expect(target.seen.map((seen) => [seen.headers["x-twice"], seen.headers["set-cookie"]])).toEqual([["a, b", ["c=1, d=2"]]]);
    const recorded = readFileSync(file, "utf8");
    const [record] = records(file);
    expect([record!.request.headers["api-key"], record!.response!.body]).toEqual([
      "***",
      JSON.stringify({ code: "WA400", message: "a, b", data: {}, error: { second: "***" } }),
    ]);
    expect([recorded.includes(apiKey), recorded.includes(other), front.lines.join("\n").includes(other)]).toEqual([false, false, false]);
  });
});

describe("the proxy when its line function throws", () => {
  it("the exchange was answered; its connection is closed, so a request after it on that connection gets nothing; a new one is served", async () => {
    const target = await upstream((_request, _body, response) => json(202, example("accepted").value, response));
    let calls = 0;
    const front = await proxy(target.url, {
      line: () => {
        calls++;
        throw new Error("the line's own failure");
      },
    });
    const { connect } = await import("node:net");
    const { hostname, port } = new URL(front.url);
    const body = JSON.stringify(valid);
    // Kept alive (HTTP/1.1 without Connection: close): only the proxy's own close ends it.
    const requestText = [
      `POST ${path} HTTP/1.1`,
      `host: ${hostname}`,
      `api-key: ${apiKey}`,
      "content-type: application/json",
      `content-length: ${Buffer.byteLength(body)}`,
      "",
      body,
    ].join("\r\n");
    const text = await within(
      "the connection's close",
      new Promise<string>((resolve) => {
        const socket = connect(Number(port), hostname, () => socket.write(requestText));
        let received = "";
        let again = false;
        socket.on("data", (chunk: Buffer) => {
          received += chunk.toString("latin1");
          // The whole first answer is here (its JSON ends the text): the same request again, on the same connection.
          if (!again && /\r\n\r\n\{[\s\S]*\}$/.test(received)) {
            again = true;
            socket.write(requestText);
          }
        });
        socket.on("error", () => {});
        socket.on("close", () => resolve(received));
      }),
    );
    expect([text.match(/^HTTP\/1\.1 \d+/gm), calls]).toEqual([["HTTP/1.1 202"], 1]);
    expect((await send(front.url, valid)).status).toBe(202);
    expect(target.seen).toHaveLength(2);
  });
});
