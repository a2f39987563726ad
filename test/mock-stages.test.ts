// The mock's stages as units, at their edges: the request log (escaped, masked, dropped, cut) and
// its buffer, the start-up banner, what start-up compiles, reading Prefer against the contract,
// and the default engine's answers beyond the plain case, which never load Prism.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it, vi } from "vitest";
import {
  bufferedOutput,
  createRequestLog,
  endOnExit,
  escapeLine,
  logChunkChars,
  logFlushIntervalMs,
  maxLogLineLength,
  type RequestLogEntry,
} from "../src/mock/log.ts";
import { until } from "./support/wait.ts";

// Every load of Prism's packages in this file is recorded, then the real package is handed over.
const prismLoads = vi.hoisted(() => [] as string[]);
vi.mock("@stoplight/prism-http", async (importOriginal) => {
  prismLoads.push("@stoplight/prism-http");
  return await importOriginal();
});
vi.mock("@stoplight/prism-core", async (importOriginal) => {
  prismLoads.push("@stoplight/prism-core");
  return await importOriginal();
});

// Every compilation of a contract's schemas is recorded by the document compiled, then done as usual.
const compiled = vi.hoisted(() => [] as unknown[]);
vi.mock("../src/contract/schemas.ts", async (importOriginal) => {
  const original = await importOriginal<typeof import("../src/contract/schemas.ts")>();
  return {
    ...original,
    compileContractSchemas: (...args: Parameters<typeof original.compileContractSchemas>) => {
      compiled.push(args[0]);
      return original.compileContractSchemas(...args);
    },
  };
});

const entry = (extra: Partial<RequestLogEntry> = {}): RequestLogEntry => ({
  method: "POST",
  path: "/v2/x/messages",
  status: 202,
  code: "WA202",
  milliseconds: 1.25,
  notes: [],
  apiKey: undefined,
  ...extra,
});

function lines(level: "info" | "silent" = "info", accountKey?: string, adminToken?: string) {
  const written: string[] = [];
  const log = createRequestLog(level, (line) => written.push(line), accountKey, adminToken);
  return { log, written };
}

describe("the mock's request log", () => {
  it("escapes every control character a client could send, each in its own way", () => {
    expect(escapeLine("a\nb\rc\td\u001be\u0000f\u007fg\u009fh\u2028i\u2029j")).toBe("a\\nb\\rc\\td\\u001be\\u0000f\\u007fg\\u009fh\\u2028i\\u2029j");
    expect(escapeLine("plain ünïcode ✓")).toBe("plain ünïcode ✓");
    // Bidi and zero-width characters too: what a line shows is what it holds.
    expect(escapeLine("a\u202eb\u2066c\u200bd\ufeffe")).toBe("a\\u202eb\\u2066c\\u200bd\\ufeffe");
  });

  it("writes one line per request: method, path without its query, status, code, time, and the reasons", () => {
    const { log, written } = lines();
    log!(entry());
    log!(entry({ path: "/v2/x/messages?api-key=abc&x=1", status: 400, code: "WA400", notes: ["caption too long", "ref too long"] }));
    log!(entry({ path: "?only=query", status: "reset", code: undefined }));
    expect(written).toEqual([
      "POST /v2/x/messages → 202 WA202 (1.3 ms)\n",
      "POST /v2/x/messages → 400 WA400 (1.3 ms) — caption too long; ref too long\n",
      "POST  → reset (1.3 ms)\n",
    ]);
  });

  it("gives each request's time on the mock, within the time its client waited for the answer", async () => {
    const { startTestMock, messagesPath } = await import("./support/mock.ts");
    const { apiKey, businessNumber, sid, validBody } = await import("./support/requests.ts");
    const mock = await startTestMock({ apiKey });
    try {
      const started = performance.now();
      const answer = await fetch(`${mock.url}${messagesPath(sid, encodeURIComponent(businessNumber))}`, {
        method: "POST",
        headers: { "content-type": "application/json", "api-key": apiKey },
        body: JSON.stringify(validBody()),
      });
      await answer.text();
      const waited = performance.now() - started;
      expect(answer.status).toBe(202);
      const taken = Number(/\((\d+\.\d) ms\)$/.exec(mock.lines.at(-1)!.trimEnd())?.[1]);
      expect(taken).toBeGreaterThanOrEqual(0);
      expect(taken).toBeLessThanOrEqual(waited + 0.05);
    } finally {
      await mock.close();
    }
  });

  it("writes nothing, and gathers nothing, when silent", () => {
    expect(lines("silent").log).toBeUndefined();
    expect(lines("info").log).toBeTypeOf("function");
  });

  it("masks the account's key, the admin token and each request's own key, even past the cache of 16 keys", () => {
    const { log, written } = lines("info", "account-key-1", "admin-token-1");
    const own = Array.from({ length: 20 }, (_, i) => `own-key-${String(i).padStart(2, "0")}`);
    for (const key of [...own, own[0]!, "account-key-1"]) log!(entry({ apiKey: key, notes: [`echo ${key} account-key-1 admin-token-1`] }));
    expect(written).toHaveLength(22);
    for (const line of written) expect(line).toMatch(/ — echo \*\*\* \*\*\* \*\*\*\n$/);
  });

  it(`cuts a line at ${maxLogLineLength} characters and counts the rest; a line at the limit is whole`, () => {
    const { log, written } = lines();
    const head = "POST /p → 400 WA400 (1.3 ms) — ";
    log!(entry({ path: "/p", status: 400, code: "WA400", notes: ["x".repeat(maxLogLineLength - head.length)] }));
    log!(entry({ path: "/p", status: 400, code: "WA400", notes: ["x".repeat(maxLogLineLength - head.length + 1)] }));
    expect(written[0]).toBe(`${head}${"x".repeat(maxLogLineLength - head.length)}\n`);
    expect(written[1]).toBe(`${head}${"x".repeat(maxLogLineLength - head.length)}… (1 more characters)\n`);
  });
});

describe("the log's buffer: a write system call per chunk of lines, not per request", () => {
  const gathered = (chunkChars = logChunkChars, intervalMs = logFlushIntervalMs) => {
    const chunks: string[] = [];
    return { output: bufferedOutput((chunk) => chunks.push(chunk), chunkChars, intervalMs), chunks };
  };

  it("keeps lines until flushed, then hands them over in one chunk, in order; an empty flush writes nothing", () => {
    const { output, chunks } = gathered();
    output.write("one\n");
    output.write("two\n");
    output.write("three\n");
    expect(chunks).toEqual([]);
    output.flush();
    output.flush();
    expect(chunks).toEqual(["one\ntwo\nthree\n"]);
    output.end();
  });

  it("writes a chunk the moment it reaches its size, and not one character before", () => {
    const { output, chunks } = gathered(40);
    output.write(`${"a".repeat(19)}\n`);
    output.write(`${"b".repeat(18)}\n`);
    expect(chunks).toEqual([]); // 39 characters
    output.write("c\n");
    expect(chunks).toEqual([`${"a".repeat(19)}\n${"b".repeat(18)}\nc\n`]); // 41
    output.write(`${"d".repeat(39)}\n`);
    expect(chunks).toHaveLength(2); // exactly 40
    output.end();
    expect(chunks).toHaveLength(2);
  });

  it(`writes a line that waited its interval (${logFlushIntervalMs} ms by default) without any further write`, async () => {
    const { output, chunks } = gathered(logChunkChars, 30);
    const started = performance.now();
    output.write("alone\n");
    output.write("and its neighbour\n");
    expect(chunks).toEqual([]);
    await until("the timed flush", () => (chunks.length ? true : undefined));
    // A timer never fires early (a lower bound holds on any machine); 1 ms for its rounding.
    expect(performance.now() - started).toBeGreaterThanOrEqual(29);
    expect(chunks).toEqual(["alone\nand its neighbour\n"]);
    output.end();
  });

  it("a line written after a flush waits its own interval, and a flush stops the timer that was running", () => {
    vi.useFakeTimers();
    try {
      const { output, chunks } = gathered(logChunkChars, 100);
      output.write("a\n");
      vi.advanceTimersByTime(100);
      expect(chunks).toEqual(["a\n"]);
      // The timed flush is over: the next line starts a timer of its own.
      output.write("b\n");
      vi.advanceTimersByTime(99);
      expect(chunks).toEqual(["a\n"]);
      vi.advanceTimersByTime(1);
      expect(chunks).toEqual(["a\n", "b\n"]);
      // A flush ends the running timer: a line written after it is not cut short by that timer.
      output.write("c\n");
      vi.advanceTimersByTime(50);
      output.write("d\n");
      output.flush();
      expect(chunks).toEqual(["a\n", "b\n", "c\nd\n"]);
      vi.advanceTimersByTime(10);
      output.write("e\n");
      vi.advanceTimersByTime(90);
      expect(chunks).toEqual(["a\n", "b\n", "c\nd\n"]);
      vi.advanceTimersByTime(10);
      expect(chunks).toEqual(["a\n", "b\n", "c\nd\n", "e\n"]);
      expect(vi.getTimerCount()).toBe(0);
      output.end();
    } finally {
      vi.useRealTimers();
    }
  });

  it("ends every output at the process's exit through one exit listener, taken off when the last is released", () => {
    const before = process.listeners("exit");
    const one = gathered();
    const two = gathered();
    const releaseOne = endOnExit(one.output);
    const added = process.listeners("exit").filter((listener) => !before.includes(listener));
    expect(added).toHaveLength(1);
    const releaseTwo = endOnExit(two.output);
    expect(process.listeners("exit").filter((listener) => !before.includes(listener))).toEqual(added);
    one.output.write("one\n");
    two.output.write("two\n");
    releaseOne();
    expect(process.listeners("exit").filter((listener) => !before.includes(listener))).toEqual(added);
    // The listener as the exit runs it: the outputs still on the list are ended, the released one is not.
    (added[0] as () => void)();
    expect([one.chunks, two.chunks]).toEqual([[], ["two\n"]]);
    two.output.write("late\n");
    expect(two.chunks).toEqual(["two\n", "late\n"]);
    releaseTwo();
    expect(process.listeners("exit")).toEqual(before);
    one.output.end();
  });

  it("a request log without a destination writes its lines to stdout", () => {
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      const log = createRequestLog("info")!;
      log({ method: "GET", path: "/x", status: 404, code: undefined, milliseconds: 1, notes: [], apiKey: undefined });
      expect(write.mock.calls).toEqual([["GET /x → 404 (1.0 ms)\n"]]);
    } finally {
      write.mockRestore();
    }
  });

  it("end() writes what it gathered; after it, each text goes at once", () => {
    const { output, chunks } = gathered();
    output.write("before\n");
    output.end();
    expect(chunks).toEqual(["before\n"]);
    output.write("late\n");
    expect(chunks).toEqual(["before\n", "late\n"]);
  });

  // The buffer of a process's stdout is written however the process ends, before its next timer.
  it.each([
    ["process.exit(3)", "process.exit(3)", 3],
    ["an uncaught exception", "throw new Error('boom')", 1],
    ["the end of its event loop", "", 0],
  ])("at %s, what stdout gathered is written", async (_how, ending, code) => {
    const script = [
      `import { bufferedStdout } from "./src/mock/log.ts";`,
      `const output = bufferedStdout();`,
      `for (let i = 1; i <= 3; i++) output.write("line " + i + "\\n");`,
      ending,
    ].join("\n");
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "ignore"] });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const [exitCode] = (await once(child, "close")) as [number];
    expect([exitCode, stdout]).toEqual([code, "line 1\nline 2\nline 3\n"]);
  });
});

describe("the mock's start-up banner", () => {
  it("names the account checks it makes, or says any key is taken", async () => {
    const { describeAccount } = await import("../src/mock/run.ts");
    const { configFromEnv } = await import("../src/mock/config.ts");
    expect(describeAccount(configFromEnv({}))).toBe(
      "No account set (KALEYRA_MOCK_API_KEY, KALEYRA_MOCK_SID, KALEYRA_MOCK_PHONE_NUMBERS): any non-empty api-key is accepted.",
    );
    expect(describeAccount(configFromEnv({ KALEYRA_MOCK_API_KEY: "k-123456" }))).toBe("Account checks: api-key.");
    expect(describeAccount(configFromEnv({ KALEYRA_MOCK_API_KEY: "k-123456", KALEYRA_MOCK_SID: "HX1", KALEYRA_MOCK_PHONE_NUMBERS: "+911,+912" }))).toBe(
      "Account checks: api-key; sid HX1; business numbers +911, +912.",
    );
    expect(describeAccount(configFromEnv({ KALEYRA_MOCK_SID: "HX1" }))).toBe("Account checks: sid HX1.");
  });
});

describe("reading Prefer (RFC 7240) against the contract", () => {
  it("parses names case-insensitively, values quoted or not, `,` or `;` between, the first of a name winning", async () => {
    const { readPreference } = await import("../src/mock/prefer.ts");
    const { operation } = await import("../src/contract/operation.ts");
    const contract = operation();
    const [first, second] = contract.examples;
    const read = (header: string | undefined) => readPreference(header, contract);
    expect(read(undefined)).toEqual({ ok: true, preference: {} });
    expect(read("  ")).toEqual({ ok: true, preference: {} });
    expect(read("dynamic=true, respond-async")).toEqual({ ok: true, preference: {} });
    expect(read(`Code = "${first!.status}" ; EXAMPLE= ${first!.name} `)).toEqual({ ok: true, preference: { code: first!.status, example: first!.name } });
    expect(read(`example="${second!.name}", example=${first!.name}`)).toEqual({ ok: true, preference: { code: second!.status, example: second!.name } });
    // A lone quote is a value, not an empty quoted string; `=` with no name is no preference.
    expect(read('code="')).toEqual({ ok: false, problem: `Prefer code=" is not a documented status; use one of ${contract.statuses.join(", ")}` });
    expect(read(`=x, code=${first!.status}`)).toEqual({ ok: true, preference: { code: first!.status } });
    // Quotes around a value go only when both are there.
    const noStatus = (text: string) => ({ ok: false, problem: `Prefer code=${text} is not a documented status; use one of ${contract.statuses.join(", ")}` });
    expect(read('code=""')).toEqual(noStatus(""));
    expect(read(`code=${first!.status}"`)).toEqual(noStatus(`${first!.status}"`));
    expect(read(`code="${first!.status}`)).toEqual(noStatus(`"${first!.status}`));
    expect(read(`code="${first!.status}"`)).toEqual({ ok: true, preference: { code: first!.status } });
    expect(read("code")).toEqual({ ok: false, problem: `Prefer code= is not a documented status; use one of ${contract.statuses.join(", ")}` });
  });

  it("refuses a status the contract does not document, written any other way than three digits", async () => {
    const { readPreference } = await import("../src/mock/prefer.ts");
    const { operation } = await import("../src/contract/operation.ts");
    const contract = operation();
    for (const code of ["2020", "0202", "202x", "x202", "999"]) {
      expect(readPreference(`code=${code}`, contract)).toEqual({
        ok: false,
        problem: `Prefer code=${code} is not a documented status; use one of ${contract.statuses.join(", ")}`,
      });
    }
  });

  it("refuses an unknown example, listing the names (of the status asked, when one is)", async () => {
    const { readPreference } = await import("../src/mock/prefer.ts");
    const { operation } = await import("../src/contract/operation.ts");
    const contract = operation();
    const all = contract.examples.map((example) => example.name);
    const status = contract.examples[0]!.status;
    const ofStatus = contract.examples.filter((example) => example.status === status).map((example) => example.name);
    const other = contract.examples.find((example) => example.status !== status)!;
    expect(readPreference("example=nope", contract)).toEqual({
      ok: false,
      problem: `Prefer example=nope is not a named example; use one of ${all.join(", ")}`,
    });
    expect(readPreference(`code=${status}, example=${other.name}`, contract)).toEqual({
      ok: false,
      problem: `Prefer example=${other.name} is not a named example of status ${status}; use one of ${ofStatus.join(", ")}`,
    });
    expect(ofStatus.length).toBeLessThan(all.length);
  });
});

describe("intake's request target", () => {
  it("splits the path from the query, a name given twice kept as a list in order", async () => {
    const { splitUrl } = await import("../src/mock/intake.ts");
    expect(splitUrl("/p")).toEqual({ path: "/p", query: {} });
    expect(splitUrl("/p?a=1&b=2&a=3&a=4&c")).toEqual({ path: "/p", query: { a: ["1", "3", "4"], b: "2", c: "" } });
    expect(splitUrl("/p?")).toEqual({ path: "/p", query: {} });
    expect(splitUrl("?a=1")).toEqual({ path: "", query: { a: "1" } });
  });

  it("routes an absolute-form target (RFC 9112) by its path, and refuses a target that is neither a path nor an http(s) URL", async () => {
    const { checkHead } = await import("../src/mock/intake.ts");
    const head = (url: string) => {
      const stage = checkHead({ url, rawHeaders: ["Host", "x"], headers: { host: "x" } } as never);
      return stage.ok ? stage.value : stage.refusal.name;
    };
    expect(
      ["/p?a=1", "http://h", "HTTPS://h:8/x?y=1", "http://h?y=1", "hTtP://h/", "http://h#f", "xhttp://h/x", "xhttp:///x", "ftp://h/x", "*", "http:/h/x"].map(
        head,
      ),
    ).toEqual([
      { path: "/p", query: { a: "1" } },
      { path: "/", query: {} },
      { path: "/x", query: { y: "1" } },
      { path: "/", query: { y: "1" } },
      { path: "/", query: {} },
      "request-target",
      "request-target",
      "request-target",
      "request-target",
      "request-target",
      "request-target",
    ]);
  });
});

describe("the mock's intake, at its edges", () => {
  it("keeps every value of a query name given more than once, in order", async () => {
    const { splitUrl } = await import("../src/mock/intake.ts");
    expect(splitUrl("/p?a=1&b=x&a=2&a=3")).toEqual({ path: "/p", query: { a: ["1", "2", "3"], b: "x" } });
    expect(splitUrl("/p?a=1&a=2")).toEqual({ path: "/p", query: { a: ["1", "2"] } });
    expect(splitUrl("/p")).toEqual({ path: "/p", query: {} });
  });

  it("hands a header given as a list on joined by a comma and a space; names a missing Content-Type", async () => {
    const { decodeBody, engineHeaders, headerValue } = await import("../src/mock/intake.ts");
    const request = {
      headers: { "x-list": ["a", "b"], accept: "text/html", "content-type": "text/plain", host: "h" },
    } as unknown as import("node:http").IncomingMessage;
    expect(engineHeaders(request, "application/json")).toEqual({ "x-list": "a, b", host: "h", "content-type": "application/json" });
    expect(engineHeaders(request, undefined)).toEqual({ "x-list": "a, b", host: "h" });
    expect(headerValue(request, "x-list")).toBe("a, b");
    expect(headerValue(request, "host")).toBe("h");
    expect(decodeBody(Buffer.from("{}"), undefined, ["application/json"]).problem).toBe("Content-Type (none) is not application/json");
    expect(decodeBody(Buffer.from("{}"), "text/plain", ["application/json", "text/json"]).problem).toBe(
      "Content-Type text/plain is not application/json or text/json",
    );
  });
});

describe("the mock's start-up", () => {
  it("compiles the vendor's contract once per process, not once per mock, and the admin contract only when an admin request has input to check", async () => {
    const { startTestMock, messagesPath } = await import("./support/mock.ts");
    const { rawRequest } = await import("./support/raw.ts");
    const { adminPath, loadAdminDocument, loadDocument } = await import("../src/contract/document.ts");
    const { apiKey, businessNumber, sid, validBody } = await import("./support/requests.ts");
    const named = () => compiled.map((doc) => (doc === undefined || doc === loadDocument() ? "vendor" : doc === loadAdminDocument() ? "admin" : "another"));
    const { contractSchemas } = await import("../src/contract/schemas.ts");
    // The process's one compilation of the vendor's schemas, which every mock in it shares.
    contractSchemas();
    compiled.length = 0;
    const mock = await startTestMock({}, "fast");
    try {
      expect(named()).toEqual([]);
      const body = JSON.stringify(validBody());
      const sent = await rawRequest(mock.url, {
        method: "POST",
        path: messagesPath(sid, businessNumber),
        headers: { "content-type": "application/json", "api-key": apiKey },
        body,
      });
      expect([sent.status, named()]).toEqual([202, []]);
      const journal = adminPath("listRequests");
      // A call with no query and no body has nothing to validate.
      expect((await rawRequest(mock.url, { method: "GET", path: journal })).status).toBe(200);
      expect(named()).toEqual([]);
      expect((await rawRequest(mock.url, { method: "GET", path: `${journal}?status=x` })).status).toBe(400);
      expect(named()).toEqual(["admin"]);
      // Compiled once: later checks, refused or passed, compile nothing more.
      expect((await rawRequest(mock.url, { method: "GET", path: `${journal}?status=20` })).status).toBe(400);
      expect((await rawRequest(mock.url, { method: "GET", path: `${journal}?status=202` })).status).toBe(200);
      expect(named()).toEqual(["admin"]);
    } finally {
      await mock.close();
    }
  });
});

describe("the default engine, beyond the plain case", () => {
  // In this order: a package is loaded once per file, so the default engine's test runs while
  // Prism has not been loaded, and the control then shows that a load is seen.
  it("answers a Prefer request, a 405 and a 404 from the contract, and never loads Prism", async () => {
    const { startTestMock, messagesPath } = await import("./support/mock.ts");
    const { rawRequest } = await import("./support/raw.ts");
    const { example } = await import("../src/contract/operation.ts");
    const { apiKey, businessNumber, sid, validBody } = await import("./support/requests.ts");
    const mock = await startTestMock({}, "fast");
    try {
      const path = messagesPath(sid, businessNumber);
      const body = JSON.stringify(validBody());
      const headers = { "content-type": "application/json", "api-key": apiKey, "content-length": String(Buffer.byteLength(body)) };
      const preferred = await rawRequest(mock.url, { method: "POST", path, headers: { ...headers, prefer: "example=low-balance" }, body });
      const otherMethod = await rawRequest(mock.url, { method: "GET", path, headers: { "api-key": apiKey } });
      const otherPath = await rawRequest(mock.url, { method: "POST", path: "/v2/x", headers, body });
      expect([preferred.status, preferred.headers["content-type"], JSON.parse(preferred.text)]).toEqual([
        example("low-balance").status,
        "application/json",
        example("low-balance").value,
      ]);
      expect([otherMethod.status, otherMethod.headers["content-type"], otherMethod.headers.allow, JSON.parse(otherMethod.text)]).toEqual([
        405,
        "application/problem+json",
        "POST",
        {
          type: "https://stoplight.io/prism/errors#NO_METHOD_MATCHED_ERROR",
          title: "Route resolved, but no method matched",
          status: 405,
          detail: `The route ${path} has been matched, but it does not have "get" method defined`,
        },
      ]);
      expect([otherPath.status, otherPath.headers["content-type"], otherPath.headers.allow, JSON.parse(otherPath.text)]).toEqual([
        404,
        "application/problem+json",
        undefined,
        {
          type: "https://stoplight.io/prism/errors#NO_PATH_MATCHED_ERROR",
          title: "Route not resolved, no path matched",
          status: 404,
          detail: "The route /v2/x hasn't been found in the specification file",
        },
      ]);
      expect(prismLoads).toEqual([]);
    } finally {
      await mock.close();
    }
  });

  it("(control) the Prism engine loads Prism at start-up, and the record above would have seen it", async () => {
    const { startTestMock } = await import("./support/mock.ts");
    const mock = await startTestMock({}, "prism");
    await mock.close();
    expect([...prismLoads].sort()).toEqual(["@stoplight/prism-core", "@stoplight/prism-http"]);
  });
});

describe("the log's maskers, one per key", () => {
  it("keeps the 16 last keys' maskers, and the account's for its own key or none", async () => {
    const { maskersByKey } = await import("../src/mock/log.ts");
    const maskerFor = maskersByKey("account-key-1", "admin-token-1");
    expect(maskerFor("account-key-1")).toBe(maskerFor(undefined));
    const first = maskerFor("other-key-0");
    expect(first("a other-key-0 b account-key-1 c admin-token-1")).toBe("a *** b *** c ***");
    expect(maskerFor("other-key-0")).toBe(first);
    for (let i = 1; i < 16; i++) maskerFor(`other-key-${i}`);
    // Sixteen kept: the first is still there; one more key puts it out.
    expect(maskerFor("other-key-0")).toBe(first);
    const second = maskerFor("other-key-1");
    maskerFor("other-key-16");
    expect(maskerFor("other-key-1")).toBe(second);
    expect(maskerFor("other-key-0")).not.toBe(first);
    expect(maskerFor("other-key-0")("other-key-0")).toBe("***");
  });
});

describe("the mock's replies", () => {
  it("reads the vendor code of a reply, and none from a body that is not the vendor's envelope", async () => {
    const { codeOf } = await import("../src/mock/reply.ts");
    const reply = (body: unknown, raw?: string) => ({ status: 400, headers: {}, body, ...(raw === undefined ? {} : { raw }) });
    expect(codeOf(reply({ code: "E1", error: {} }))).toBe("E1");
    expect(codeOf(reply(undefined, '{"code":"E2","error":{}}'))).toBe("E2");
    expect([undefined, "E3", { code: "E4" }, { code: 4, error: {} }, { error: {} }].map((body) => codeOf(reply(body)))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    // A raw answer names its code only as the envelope's first member.
    expect(['[{"code":"E5","error":{}}]', ' {"code":"E6","error":{}}', '{"error":{},"code":"E7"}'].map((raw) => codeOf(reply(undefined, raw)))).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("sends a reply without a body as an empty JSON answer, header names in lower case", async () => {
    const { send } = await import("../src/mock/reply.ts");
    const written: { status?: number; headers?: Record<string, string | number>; payload?: string } = {};
    const response = {
      writeHead(status: number, headers: Record<string, string | number>) {
        written.status = status;
        written.headers = headers;
      },
      end(payload: string) {
        written.payload = payload;
      },
    };
    send(response as never, { status: 204, headers: { "X-Mixed": "1" }, body: undefined });
    expect(written).toEqual({ status: 204, headers: { "x-mixed": "1", "content-type": "application/json", "content-length": 0 }, payload: "" });
  });
});

describe("message ids", () => {
  it("are as long as the contract's example, and never shorter than 20", async () => {
    const { freshMessageId } = await import("../src/mock/message-id.ts");
    expect(["A", "B".repeat(20), "C".repeat(21), "D".repeat(30)].map((example) => [freshMessageId(example).length, freshMessageId(example)[0]])).toEqual([
      [20, "A"],
      [20, "B"],
      [21, "C"],
      [30, "D"],
    ]);
  });

  it("draws every character of the alphabet equally often (no modulo bias)", async () => {
    const { freshMessageId } = await import("../src/mock/message-id.ts");
    const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const counts = new Map<string, number>();
    for (let i = 0; i < 50_000; i++) for (const char of freshMessageId("Xaaaaaaaaaaaaaaaaaaa").slice(1)) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect([...counts.keys()].sort().join("")).toBe(alphabet);
    // A byte taken modulo 36 would favour the first four characters by 8 to 7; 950,000 draws put
    // chance far below the 3% allowed here.
    const mean = (chars: string) => [...chars].reduce((sum, char) => sum + counts.get(char)!, 0) / chars.length;
    expect(mean(alphabet.slice(0, 4)) / mean(alphabet.slice(4))).toBeGreaterThan(0.97);
    expect(mean(alphabet.slice(0, 4)) / mean(alphabet.slice(4))).toBeLessThan(1.03);
  });
});

describe("the fast path's answers", () => {
  it("answers a request that asks for nothing with the lowest success status, as Prism does", async () => {
    const { successStatuses } = await import("../src/mock/fast-path.ts");
    expect(successStatuses([500, 204, 400, 200, 299, 300, 199, 201])).toEqual([200, 201, 204, 299]);
    expect(successStatuses([400, 401])).toEqual([]);
  });

  it("serializes an answer without a message_id once: the same reply each time, its JSON the example's", async () => {
    const { exampleAnswer } = await import("../src/mock/fast-path.ts");
    for (const value of [{ code: "E1", data: {} }, { code: "E2", data: null }, { code: "E3" }]) {
      const answer = exampleAnswer({ status: 400, value });
      expect(answer()).toBe(answer());
      expect(answer()).toEqual({ status: 400, headers: { "content-type": "application/json" }, body: value, raw: JSON.stringify(value) });
    }
    const accepted = exampleAnswer({ status: 202, value: { code: "A", data: { message_id: "Mxxxxxxxxxxxxxxxxxxx", x: 1 } } });
    const [first, second] = [accepted(), accepted()];
    expect(first.raw).toMatch(/^\{"code":"A","data":\{"message_id":"M[0-9A-Z]{19}","x":1\}\}$/);
    expect(first.raw).not.toBe(second.raw);
    expect({ ...first, raw: undefined }).toEqual({ status: 202, headers: { "content-type": "application/json" }, body: undefined, raw: undefined });
  });
});
