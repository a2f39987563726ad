// The shared HTTP edge (src/http) piece by piece: the masker and the forms it knows, excerpts at
// their limit, credentials, header values, causes, redirects, and one exchange's deadline,
// decompression and abort; the typed client's transport with an injected fetch.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKaleyraClient } from "../src/index.ts";
import { describeLocation, HttpEdgeError, isRedirect, readBounded, safeCause } from "../src/http/edge.ts";
import { exchange, urlAt } from "../src/http/exchange.ts";
import { deadline, guardedTransport } from "../src/http/fetch.ts";
import { createMasker, excerpt, headerValueProblem, maskDeep, maskedSecret, secretForms, withoutCredentials } from "../src/http/secrets.ts";
import { failure } from "./support/failure.ts";
import { businessNumber, sid } from "./support/requests.ts";
import { until, waitMs } from "./support/wait.ts";
import { connect } from "node:net";
import { EventEmitter } from "node:events";

const getEventListeners = (target: EventTarget, name: string) => EventEmitter.getEventListeners(target, name);

const key = "K3y/+=\"\\<&>é'!";

describe("secretForms and createMasker", () => {
  it("knows each form a web stack writes a secret in, and nothing shorter than four characters", () => {
    const utf8 = Buffer.from(key, "utf8");
    expect(new Set(secretForms(key))).toEqual(
      new Set([
        key,
        "K3y/+=\\\"\\\\<&>é'!",
        "K3y\\/+=\\\"\\\\<&>é'!",
        [...key].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join(""),
        encodeURIComponent(key),
        encodeURI(key),
        "K3y%2F%2B%3D%22%5C%3C%26%3E%C3%A9%27%21",
        escape(key),
        [...utf8].map((b) => `%${b.toString(16).padStart(2, "0")}`).join(""),
        "K3y/+=&quot;\\&lt;&amp;&gt;é&#39;!",
        utf8.toString("base64"),
        utf8.toString("base64").replace(/=+$/, ""),
        utf8.toString("base64url"),
        utf8.toString("hex"),
      ]),
    );
    // Forms under four characters are left out: masking them would shred ordinary text.
    expect(secretForms("ab")).toEqual(["\\u0061\\u0062", "%61%62", "YWI=", "6162"]);
    expect(secretForms("abcd")).toContain("abcd");
  });

  it("masks each form whole, percent- and hex-forms in either case, leaving the rest as it was", () => {
    const mask = createMasker([key]);
    for (const form of secretForms(key)) {
      expect(mask(`before ${form} after`), form).toBe(`before ${maskedSecret} after`);
      if (/%|^[0-9a-f]+$/i.test(form)) {
        expect(mask(`<${form.toLowerCase()}>`), form).toBe(`<${maskedSecret}>`);
        expect(mask(`<${form.toUpperCase()}>`), form).toBe(`<${maskedSecret}>`);
      }
    }
    // Exact forms are case-sensitive: another key that differs in case is not this one.
    expect(mask("k3Y/+=\"\\<&>É'!")).toBe("k3Y/+=\"\\<&>É'!");
    // Only forms made wholly of hex digits are matched in either case, not one that starts so.
    const leading = createMasker(["abcd-XYZ!"]);
    expect(leading("ABCD-xyz!")).toBe("ABCD-xyz!");
    // A padded base64 form is replaced whole, padding and all.
    expect(createMasker(["abcd"])("x YWJjZA== y")).toBe(`x ${maskedSecret} y`);
    expect(mask("")).toBe("");
    expect(mask("no secret here")).toBe("no secret here");
  });

  it("masks \\u-escapes in either case, as JSON writers differ", () => {
    const mask = createMasker([key]);
    const escaped = [...key].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
    for (const form of [escaped, escaped.replace(/[a-f]/g, (digit) => digit.toUpperCase()), escaped.replace(/\\u00e9/, "\\u00E9")]) {
      expect(mask(`"${form}"`), form).toBe(`"${maskedSecret}"`);
    }
    // Another key's escapes are not this one's.
    expect(mask("\\u006B\\u0033")).toBe("\\u006B\\u0033");
  });

  it("masks a secret trimmed as well as it came: a server that trims it may quote it so", () => {
    const mask = createMasker(["\u00a0abcd1234\t"]);
    expect(mask("[abcd1234] [\u00a0abcd1234\t] [YWJjZDEyMzQ=]")).toBe(`[${maskedSecret}] [${maskedSecret}] [${maskedSecret}]`);
    // The trimmed secret is held to the same four characters as any other.
    expect(createMasker([" ab "])("(ab) ( ab )")).toBe(`(ab) (${maskedSecret})`);
  });

  it("a key made of hex digits only is masked too, in either case", () => {
    const mask = createMasker(["deadbeef"]);
    expect(mask("x deadbeef DEADBEEF y")).toBe(`x ${maskedSecret} ${maskedSecret} y`);
    expect(mask("dead")).toBe("dead");
  });

  it("keys under four characters are not masked (they are refused where a key is taken)", () => {
    expect(createMasker(["abc"])("abc abcd")).toBe("abc abcd");
    expect(createMasker(["abcd"])("abc abcd")).toBe(`abc ${maskedSecret}`);
    expect(createMasker([undefined, "abcd"])("abcd")).toBe(maskedSecret);
    expect(createMasker([])("abcd")).toBe("abcd");
  });

  it("several secrets at once", () => {
    const mask = createMasker(["first-key", "second-key"]);
    expect(mask("first-key and second-key")).toBe(`${maskedSecret} and ${maskedSecret}`);
  });

  it("maskDeep masks every string of a parsed value, keys included", () => {
    const mask = createMasker(["abcd1234"]);
    expect(maskDeep({ abcd1234: ["x abcd1234", 1, null, { y: "abcd1234" }], n: 2 }, mask)).toEqual({
      [maskedSecret]: [`x ${maskedSecret}`, 1, null, { y: maskedSecret }],
      n: 2,
    });
    expect(maskDeep("abcd1234", mask)).toBe(maskedSecret);
    expect(maskDeep(7, mask)).toBe(7);
  });

  it("excerpt cuts at the limit after masking, and marks the cut", () => {
    const mask = createMasker(["abcd1234"]);
    expect(excerpt("x".repeat(10), mask, 10)).toBe("x".repeat(10));
    expect(excerpt("x".repeat(11), mask, 10)).toBe(`${"x".repeat(10)}…`);
    expect(excerpt(`${"x".repeat(8)}abcd1234`, mask, 10)).toBe(`${"x".repeat(8)}**…`);
    expect(excerpt("y".repeat(600), mask)).toHaveLength(501);
  });
});

describe("withoutCredentials and headerValueProblem", () => {
  it("masks a user name and a password, and nothing else", () => {
    expect(withoutCredentials("https://user:pass@a.example/p?q=1")).toBe("https://***:***@a.example/p?q=1");
    expect(withoutCredentials("https://user@a.example/")).toBe("https://***@a.example/");
    expect(withoutCredentials("https://:pass@a.example/")).toBe("https://:***@a.example/");
    expect(withoutCredentials("https://a.example/p")).toBe("https://a.example/p");
    expect(withoutCredentials("not a url")).toBe("(not a URL)");
  });

  it("names each reason a value cannot be a header carrying a secret", () => {
    expect(headerValueProblem(undefined)).toBe("must be a string");
    expect(headerValueProblem("")).toBe("must not be empty");
    expect(headerValueProblem("   ")).toBe("must not be blank");
    expect(headerValueProblem("abcd\nefgh")).toBe("must not contain a line break (CR or LF)");
    expect(headerValueProblem("abcd\refgh")).toBe("must not contain a line break (CR or LF)");
    expect(headerValueProblem("abcd\u0000efgh")).toBe("must not contain NUL");
    expect(headerValueProblem("abcd efgh")).toMatch(/^must be visible ASCII/);
    expect(headerValueProblem("abcd\u007f")).toMatch(/^must be visible ASCII/);
    expect(headerValueProblem("abc")).toBe("must be at least 4 characters");
    expect(headerValueProblem("!~09")).toBeUndefined();
  });
});

describe("edge pieces", () => {
  it("isRedirect: 300 to 399 but 304", () => {
    expect([299, 300, 301, 304, 307, 399, 400].map(isRedirect)).toEqual([false, true, true, false, true, true, false]);
  });

  it("describeLocation resolves, strips credentials, masks and bounds", () => {
    const mask = createMasker(["abcd1234"]);
    expect(describeLocation("/next?k=abcd1234", "https://a.example/p", mask)).toBe(`https://a.example/next?k=${maskedSecret}`);
    expect(describeLocation("https://u:p@b.example/", "https://a.example/", mask)).toBe("https://***:***@b.example/");
    expect(describeLocation(null, "https://a.example/", mask)).toBe("(no Location)");
    expect(describeLocation(`https://b.example/${"x".repeat(400)}`, "https://a.example/", mask)).toHaveLength(300);
    expect(describeLocation("http://[bad", "not a base", mask)).toBe("http://[bad");
    expect(describeLocation(`http://[${"y".repeat(400)}`, "not a base", mask)).toHaveLength(300);
  });

  it("safeCause keeps name, code and a masked, bounded message, and three causes below", () => {
    const mask = createMasker(["abcd1234"]);
    const inner = Object.assign(new TypeError("inner abcd1234"), { code: "ECONNRESET" });
    let chain: Error = inner;
    for (let i = 0; i < 5; i++) chain = new Error(`level ${i}`, { cause: chain });
    const copy = safeCause(new Error(`top ${"z".repeat(600)} abcd1234`, { cause: chain }), mask)!;
    expect(copy.message).toHaveLength(500);
    expect(copy.stack).toBe(`Error: ${copy.message}`);
    const depths: string[] = [];
    for (let c: Error | undefined = copy; c; c = c.cause as Error | undefined) depths.push(c.message);
    expect(depths).toEqual([copy.message, "level 4", "level 3", "level 2"]);
    const typed = safeCause(inner, mask) as Error & { code?: string };
    expect([typed.name, typed.code, typed.message]).toEqual(["TypeError", "ECONNRESET", `inner ${maskedSecret}`]);
    expect(safeCause("plain text abcd1234", mask)?.message).toBe(`plain text ${maskedSecret}`);
    expect(safeCause({}, mask)?.name).toBe("Error");
    expect(safeCause(undefined, mask)).toBeUndefined();
    expect(safeCause(null, mask)).toBeUndefined();
  });

  it("readBounded reads to the limit and cancels one byte past it", async () => {
    async function* chunks(sizes: number[]) {
      for (const size of sizes) yield new Uint8Array(size);
    }
    let cancelled = 0;
    expect((await readBounded(chunks([3, 3, 4]), 10, () => cancelled++)).length).toBe(10);
    const error = await failure(readBounded(chunks([3, 3, 5]), 10, () => cancelled++));
    expect(error).toBeInstanceOf(HttpEdgeError);
    expect(error).toMatchObject({
      name: "HttpEdgeError",
      reason: "too-large",
      message: "The answer is larger than the limit of 10 bytes; the rest was discarded.",
    });
    expect(cancelled).toBe(1);
  });

  it("deadline fires after its time, follows an outer signal, and clears itself", async () => {
    const fired = deadline(20, undefined);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect([fired.timedOut(), fired.signal.aborted, (fired.signal.reason as DOMException).name]).toEqual([true, true, "TimeoutError"]);
    const outer = new AbortController();
    const following = deadline(10_000, outer.signal);
    outer.abort("why");
    expect([following.signal.aborted, following.signal.reason, following.timedOut()]).toEqual([true, "why", false]);
    following.done();
    const early = new AbortController();
    early.abort("before");
    expect(deadline(10_000, early.signal).signal.reason).toBe("before");
    const cleared = deadline(20, outer.signal);
    cleared.done();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(cleared.timedOut()).toBe(false);
  });
});

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;
let server: Server;
let url: string;
let handler: Handler = (_request, _body, response) => response.end();
beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => handler(request, Buffer.concat(chunks).toString("utf8"), response));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("exchange", () => {
  const mask = createMasker(["abcd1234"]);
  const options = { timeoutMs: 2_000, mask };

  for (const [encoding, encode] of [
    ["gzip", gzipSync],
    ["x-gzip", gzipSync],
    ["deflate", deflateSync],
    ["br", brotliCompressSync],
    [" GZIP ", gzipSync],
  ] as const) {
    it(`decodes ${JSON.stringify(encoding)} and counts after decoding`, async () => {
      const text = `{"k":"abcd1234","pad":"${"p".repeat(2_000)}"}`;
      handler = (_request, _body, response) => response.writeHead(200, { "content-encoding": encoding }).end(encode(Buffer.from(text)));
      const read = await exchange({ url, method: "GET", headers: {} }, options);
      expect(read.ok && read.answer.text).toBe(text.replace("abcd1234", maskedSecret));
      const cut = await exchange({ url, method: "GET", headers: {} }, { ...options, maxResponseBytes: text.length - 1 });
      expect(!cut.ok && cut.error.reason).toBe("too-large");
    });
  }

  it("sends the method, headers and body as given, and masks and joins what comes back", async () => {
    let seen: { method: string | undefined; header: string | undefined; body: string } | undefined;
    handler = (request, body, response) => {
      seen = { method: request.method, header: request.headers["x-test"] as string, body };
      response
        .writeHead(201, [
          ["set-cookie", "a=abcd1234"],
          ["set-cookie", "b=2"],
          ["x-one", "1"],
        ])
        .end("ok");
    };
    const result = await exchange({ url: `${url}/p`, method: "PUT", headers: { "x-test": "t" }, body: Buffer.from("hello") }, options);
    expect(seen).toEqual({ method: "PUT", header: "t", body: "hello" });
    expect(result.ok && [result.answer.status, result.answer.headers["set-cookie"], result.answer.headers["x-one"], result.answer.text]).toEqual([
      201,
      `a=${maskedSecret}, b=2`,
      "1",
      "ok",
    ]);
  });

  it("a broken compressed body is a network failure, masked", async () => {
    handler = (_request, _body, response) => response.writeHead(200, { "content-encoding": "gzip" }).end("not gzip at all");
    const result = await exchange({ url, method: "GET", headers: {} }, options);
    expect(!result.ok && [result.error.reason, result.error.message]).toEqual(["network", expect.stringMatching(/^the answer broke off: /)]);
  });

  it("nothing listening is a network failure with its code", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await exchange({ url: `http://127.0.0.1:${port}`, method: "GET", headers: {} }, options);
    expect(!result.ok && [result.error.reason, result.error.message]).toEqual(["network", "ECONNREFUSED"]);
  });

  it("an abort before or during the exchange stops it, and only once", async () => {
    handler = () => {};
    const early = new AbortController();
    early.abort();
    const before = await exchange({ url, method: "GET", headers: {} }, { ...options, signal: early.signal });
    expect(!before.ok && [before.error.reason, before.error.message]).toEqual(["aborted", "stopped before an answer came"]);
    const late = new AbortController();
    const pending = exchange({ url, method: "GET", headers: {} }, { ...options, signal: late.signal });
    setTimeout(() => late.abort(), 30);
    const during = await pending;
    expect(!during.ok && during.error.reason).toBe("aborted");
    expect(during.milliseconds).toBeLessThan(1_000);
  });

  it("one deadline for the whole exchange", async () => {
    handler = (_request, _body, response) => {
      response.writeHead(200);
      const timer = setInterval(() => response.write("."), 10);
      response.on("close", () => clearInterval(timer));
    };
    const result = await exchange({ url, method: "GET", headers: {} }, { ...options, timeoutMs: 100 });
    expect(!result.ok && [result.error.reason, result.error.message]).toEqual(["timeout", "no complete answer within 100 ms"]);
  });

  it("the deadline cuts an answer that keeps dripping at the deadline, not when the drip stops", async () => {
    const timeoutMs = 200;
    const dripMs = 20;
    // The drip goes on for ten deadlines, then the server goes quiet with the answer still open:
    // a timer reset by each chunk would fire only a deadline after that, near 11x.
    let drips = 0;
    let cutAt: number | undefined;
    handler = (_request, _body, response) => {
      response.writeHead(200);
      const started = performance.now();
      const timer = setInterval(() => {
        if (performance.now() - started < 10 * timeoutMs) {
          response.write(".");
          drips++;
        }
      }, dripMs);
      response.on("close", () => {
        cutAt = performance.now();
        clearInterval(timer);
      });
    };
    const started = performance.now();
    const result = await exchange({ url, method: "GET", headers: {} }, { ...options, timeoutMs });
    const elapsed = performance.now() - started;
    expect(!result.ok && [result.error.reason, result.error.message]).toEqual(["timeout", `no complete answer within ${timeoutMs} ms`]);
    // Node's timers count whole milliseconds of the loop's clock: by this finer clock the cut may
    // land up to a millisecond before timeoutMs. The upper bound leaves room for a busy machine
    // and is still half of what a timer reset by each chunk would take.
    expect(elapsed).toBeGreaterThanOrEqual(timeoutMs - 1);
    expect(elapsed).toBeLessThan(5 * timeoutMs);
    expect(result.milliseconds).toBeGreaterThanOrEqual(timeoutMs - 1);
    expect(result.milliseconds).toBeLessThan(5 * timeoutMs);
    // The body was really flowing when the deadline came, and the server's side was let go.
    expect(drips).toBeGreaterThan(0);
    await until("the server sees the answer's connection close", () => cutAt);
    expect(cutAt! - started).toBeLessThan(5 * timeoutMs);
  });
});

describe("the client's transport", () => {
  const accepted = JSON.stringify({ code: "WA202", message: "Request Accepted", data: { message_id: "A1234567890123456789" }, error: {} });
  const send = { phoneNumber: businessNumber, to: "+919876543210", video: { id: "1" } };

  it("an injected fetch that never answers is cut by timeoutMs; a cancel is `aborted`", async () => {
    const hanging = (request: Request) =>
      new Promise<Response>((_resolve, reject) => request.signal.addEventListener("abort", () => reject(request.signal.reason)));
    const client = createKaleyraClient({ baseUrl: url, sid, apiKey: "abcd1234", fetch: hanging, timeoutMs: 50 });
    expect(await failure(client.sendVideo(send))).toMatchObject({ kind: "transport", reason: "timeout" });
    const controller = new AbortController();
    const slow = createKaleyraClient({ baseUrl: url, sid, apiKey: "abcd1234", fetch: hanging, timeoutMs: 10_000 });
    const pending = failure(slow.sendVideo({ ...send, signal: controller.signal }));
    controller.abort();
    expect(await pending).toMatchObject({ kind: "transport", reason: "aborted" });
  });

  it("an injected fetch's opaque redirect is refused", async () => {
    const opaque = async () => Object.assign(new Response(null, { status: 200 }), {}) as Response;
    const fetchOpaque = async () => {
      const response = await opaque();
      Object.defineProperty(response, "type", { value: "opaqueredirect" });
      return response;
    };
    const client = createKaleyraClient({ baseUrl: url, sid, apiKey: "abcd1234", fetch: fetchOpaque });
    expect(await failure(client.sendVideo(send))).toMatchObject({ kind: "transport", reason: "redirect" });
  });

  it("the kit's own transport sends the body with its length and the headers as given, kept alive", async () => {
    const seen: { length: string | undefined; type: string | undefined; connection: string | undefined; method: string | undefined }[] = [];
    handler = (request, body, response) => {
      seen.push({
        length: request.headers["content-length"],
        type: request.headers["content-type"],
        connection: request.headers.connection,
        method: request.method,
      });
      expect(JSON.parse(body)).toMatchObject({ messaging_object: { to: "+919876543210" } });
      response.writeHead(202, { "content-type": "application/json" }).end(accepted);
    };
    const client = createKaleyraClient({ baseUrl: url, sid, apiKey: "abcd1234", timeoutMs: waitMs });
    const { prepared } = { prepared: client.prepareVideo(send) };
    await client.sendVideo(send);
    await client.sendVideo(send);
    expect(seen).toEqual(
      [0, 1].map(() => ({
        length: String(Buffer.byteLength(JSON.stringify(prepared.body))),
        type: "application/json",
        connection: "keep-alive",
        method: "POST",
      })),
    );
  });

  it("a raw call through openapi-fetch reads a Response-like answer: status, ok, headers, json", async () => {
    handler = (_request, _body, response) => response.writeHead(202, { "content-type": "application/json", "x-extra": "1" }).end(accepted);
    const client = createKaleyraClient({ baseUrl: url, sid, apiKey: "abcd1234", timeoutMs: waitMs });
    const { data, response } = await client.raw.POST("/v2/{sid}/whatsapp/{phone_number}/messages", {
      params: { path: { sid, phone_number: businessNumber } },
      body: { messaging_object: { messaging_product: "whatsapp", to: "+919876543210", video: { id: "1" } } },
    });
    expect([response.status, response.ok, response.headers.get("x-extra"), response.headers.get("x-extra"), data?.data.message_id]).toEqual([
      202,
      true,
      "1",
      "1",
      "A1234567890123456789",
    ]);
    // Outside 2xx, `ok` is false, so openapi-fetch hands the body over as `error`.
    for (const status of [400, 500]) {
      handler = (_request, _body, reply) => reply.writeHead(status, { "content-type": "application/json" }).end('{"code":"X"}');
      const failed = await client.raw.POST("/v2/{sid}/whatsapp/{phone_number}/messages", {
        params: { path: { sid, phone_number: businessNumber } },
        body: { messaging_object: { messaging_product: "whatsapp", to: "+919876543210", video: { id: "1" } } },
      });
      expect([failed.response.ok, failed.data, failed.error], String(status)).toEqual([false, undefined, { code: "X" }]);
    }
    for (const [status, ok] of [
      [199, false],
      [200, true],
      [299, true],
      [300, false],
    ] as const) {
      const transport = guardedTransport(async () => new Response(status === 300 ? "" : "{}", { status: Math.max(status, 200) === status ? status : 200 }));
      expect(transport.Request).toBeUndefined();
      if (status < 200 || status === 300) continue;
      const answer = await transport.fetch(new Request(url));
      expect([answer.status, answer.ok], String(status)).toEqual([status, ok]);
      expect(await answer.json()).toEqual({});
    }
  });
});

describe("readBody: a server's bounded read of a request body", () => {
  async function reading(limit: number) {
    const { readBody } = await import("../src/http/request-body.ts");
    const { createServer } = await import("node:http");
    const results: unknown[] = [];
    const server = createServer((request, response) => {
      void readBody(request, limit).then((read) => {
        results.push(read.kind === "read" ? { kind: "read", text: read.bytes.toString() } : read);
        response.writeHead(read.kind === "read" ? 200 : 413, { connection: "close" }).end(read.kind);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    return {
      port,
      results,
      close: () =>
        new Promise((resolve) => {
          server.closeAllConnections();
          server.close(resolve);
        }),
    };
  }
  const raw = (port: number, bytes: string, end: "end" | "hold" | "destroy") =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.write(bytes);
        if (end === "end") socket.end();
        if (end === "destroy")
          setTimeout(() => {
            socket.destroy();
            resolve("destroyed");
          }, 100);
      });
      let text = "";
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no answer within ${waitMs} ms`));
      }, waitMs);
      socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
      socket.on("close", () => {
        clearTimeout(timer);
        resolve(text);
      });
      socket.on("error", () => {});
    });

  it("reads a body at the limit whole; one byte past is too large", async () => {
    const server = await reading(5);
    await raw(server.port, "POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "end");
    await raw(server.port, "POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n6\r\nhello!\r\n0\r\n\r\n", "end");
    await server.close();
    expect(server.results).toEqual([
      { kind: "read", text: "hello" },
      { kind: "too-large", limit: 5 },
    ]);
  });

  it("refuses a declared length past the limit at once, before a byte of the body comes", async () => {
    const server = await reading(5);
    const answer = await raw(server.port, "POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 6\r\n\r\n", "hold");
    await server.close();
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(server.results).toEqual([{ kind: "too-large", limit: 5 }]);
  });

  it("tells a client that went away mid-body from a complete body", async () => {
    const server = await reading(100);
    await raw(server.port, "POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 50\r\n\r\nhalf", "destroy");
    await new Promise((resolve) => setTimeout(resolve, 100));
    await server.close();
    expect(server.results).toEqual([{ kind: "aborted" }]);
  });
});

describe("the kit's transport at the edges of 2xx", () => {
  it("any 3xx, with or without a Location, is refused as a redirect: no 3xx answer reaches openapi-fetch", async () => {
    handler = (_request, _body, reply) => reply.writeHead(300, { "content-type": "application/json" }).end('{"code":"X"}');
    const client = createKaleyraClient({ baseUrl: url, sid, apiKey: "abcd1234", timeoutMs: waitMs });
    await expect(
      client.raw.POST("/v2/{sid}/whatsapp/{phone_number}/messages", {
        params: { path: { sid, phone_number: businessNumber } },
        body: { messaging_object: { messaging_product: "whatsapp", to: "+919876543210", video: { id: "1" } } },
      }),
    ).rejects.toThrow("The server answered 300, redirecting to (no Location). Redirects are never followed: nothing was sent there.");
  });
});

describe("the HTTP edge, at the edges of each rule", () => {
  it("masks every byte's percent-escape, padded to two digits, and base64 without its padding though it holds + or /", () => {
    const tab = "ab\tcdef";
    expect(createMasker([tab])("%61%62%09%63%64%65%66 and %61%62%09%63%64%65%66".toUpperCase())).toBe("*** AND ***");
    // "??>>" is Pz8+Pg== in base64: unpadded, only the standard form has the +.
    expect(createMasker(["??>>"])("[Pz8+Pg] [Pz8+Pg==] [Pz8-Pg]")).toBe("[***] [***] [***]");
    // A form that contains another is replaced whole, never leaving its tail.
    expect(createMasker(["abcd"])("YWJjZA== YWJjZA")).toBe("*** ***");
  });

  it("masks no secret shorter than four characters in any form, and only hex forms regardless of case", () => {
    expect(createMasker(["ab", "", undefined])("ab 6162 YWI= YWI")).toBe("ab 6162 YWI= YWI");
    expect(createMasker(["Key-abc1"])("KEY-ABC1 key-abc1 Key-abc1")).toBe("KEY-ABC1 key-abc1 ***");
    expect(createMasker(["Key-abc1"])("4B65792D61626331 4b65792d61626331")).toBe("*** ***");
  });

  it("safeCause: a cause with no message of its own gets none; a cause without one below has none", () => {
    const copy = safeCause({ name: "Odd", message: 42 }, (text) => text)!;
    expect([copy.name, copy.message, "cause" in copy]).toEqual(["Odd", "", false]);
    expect("cause" in safeCause(new Error("top"), (text) => text)!).toBe(false);
  });

  it("a refused redirect says where it pointed and that nothing was sent there", async () => {
    const { redirectRefused } = await import("../src/http/edge.ts");
    const error = redirectRefused(307, "https://elsewhere.example/");
    expect([error.reason, error.status, error.location, error.message]).toEqual([
      "redirect",
      307,
      "https://elsewhere.example/",
      "The server answered 307, redirecting to https://elsewhere.example/. Redirects are never followed: nothing was sent there.",
    ]);
  });

  it("exchange: decodes a Content-Encoding in capitals, keeps raw bytes only when asked, and lets go of the caller's signal", async () => {
    const server = createServer((request, response) => {
      request.resume();
      response.writeHead(200, { "content-encoding": " GZIP ", "content-type": "text/plain" }).end(gzipSync("hello"));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const signal = new AbortController().signal;
      const result = await exchange({ url, method: "GET", headers: {} }, { timeoutMs: waitMs, mask: (text) => text, signal });
      expect(result.ok && [result.answer.text, "raw" in result.answer]).toEqual(["hello", false]);
      expect(getEventListeners(signal, "abort")).toEqual([]);
      const raw = await exchange({ url, method: "GET", headers: {} }, { timeoutMs: waitMs, mask: (text) => text, keepRaw: true });
      expect(raw.ok && raw.answer.raw?.body.toString()).toBe("hello");
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("exchange: an answer past the limit ends the connection at once, and sends the method and body it was given", async () => {
    let closed = false;
    const seen: string[] = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        seen.push(`${request.method} ${Buffer.concat(chunks).toString()}`);
        response.on("close", () => (closed = true));
        // An answer that never ends: only the client's cut can close it.
        response.writeHead(200, { "content-type": "text/plain" });
        response.write("x".repeat(2048));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const result = await exchange(
        { url, method: "POST", headers: { "content-length": "4" }, body: Buffer.from("ping") },
        { timeoutMs: waitMs, mask: (text) => text, maxResponseBytes: 1024 },
      );
      expect(result.ok ? "answered" : [result.error.reason, result.error.status]).toEqual(["too-large", 200]);
      expect(seen).toEqual(["POST ping"]);
      const { until } = await import("./support/wait.ts");
      await until("the server sees the connection end", () => (closed ? true : undefined));
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("the typed client's transport, piece by piece", () => {
  it("its Request upper-cases the method and takes GET by default", () => {
    const { Request: Plain } = guardedTransport(undefined);
    expect([new Plain!("http://127.0.0.1/").method, new Plain!("http://127.0.0.1/", { method: "post" }).method]).toEqual(["GET", "POST"]);
  });

  it("settle: ok only for 2xx, the request's URL when the answer has none, no status text invented, one Headers object, an empty body read as empty", async () => {
    const { settle } = await import("../src/http/fetch.ts");
    const id = (text: string) => text;
    const accepted = await settle(new Response("Stryker was here", { status: 299, headers: { "x-a": "1" } }), "http://127.0.0.1/x", 1024, id);
    expect([accepted.ok, accepted.url, accepted.statusText, await accepted.text(), accepted.headers.get("x-a")]).toEqual([
      true,
      "http://127.0.0.1/x",
      "",
      "Stryker was here",
      "1",
    ]);
    expect(accepted.headers).toBe(accepted.headers);
    const refused = await settle(new Response("no", { status: 400 }), "http://127.0.0.1/x", 1024, id);
    expect(refused.ok).toBe(false);
    const empty = await settle(new Response(null, { status: 204 }), "http://127.0.0.1/x", 1024, id);
    expect([empty.ok, await empty.text()]).toEqual([true, ""]);
  });

  it("an injected fetch's redirect is refused and its body cancelled, never read", async () => {
    let cancelled = false;
    const body = new ReadableStream({
      pull: () => undefined,
      cancel: () => {
        cancelled = true;
      },
    });
    const transport = guardedTransport(async () => new Response(body, { status: 302, headers: { location: "https://elsewhere.example/" } }));
    const error = await failure(transport.fetch(new Request("http://127.0.0.1/x") as never));
    expect([(error as HttpEdgeError).reason, cancelled]).toEqual(["redirect", true]);
  });

  it("keeps one connection alive for the calls of one transport", async () => {
    let connections = 0;
    const server = createServer((request, response) => {
      request.resume();
      response.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
    server.on("connection", () => connections++);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const { Request: Plain, fetch: send } = guardedTransport(undefined, { timeoutMs: waitMs });
      for (let n = 0; n < 3; n++) expect(await (await send(new Plain!(url) as never)).text()).toBe("ok");
      expect(connections).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("deadline: says how long it waited, and lets go of the outer signal when done", async () => {
    const outer = new AbortController();
    const limit = deadline(20, outer.signal);
    expect(getEventListeners(outer.signal, "abort").length).toBe(1);
    await new Promise((resolve) => limit.signal.addEventListener("abort", resolve));
    expect([limit.timedOut(), (limit.signal.reason as DOMException).name, (limit.signal.reason as DOMException).message]).toEqual([
      true,
      "TimeoutError",
      "no answer within 20 ms",
    ]);
    limit.done();
    expect(getEventListeners(outer.signal, "abort")).toEqual([]);
  });
});

describe("listening", () => {
  it("shows an IPv6 host in brackets, and an address it cannot bind in the user's words", async () => {
    const { listenOn, bindProblem } = await import("../src/http/listen.ts");
    const server = createServer();
    try {
      expect(await listenOn(server, 0, "::1")).toBe(`http://[::1]:${(server.address() as AddressInfo).port}`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const other = createServer();
    const error = await failure(listenOn(other, 0, "192.0.2.1"));
    expect(bindProblem(error, "192.0.2.1", 0, "pick another")).toBe("cannot listen on 192.0.2.1:0 (EADDRNOTAVAIL); pick another");
    expect(bindProblem(Object.assign(new Error(), { code: "EACCES" }), "h", 80, "r")).toBe("cannot listen on h:80 (EACCES); r");
    expect(bindProblem(Object.assign(new Error(), { code: "EADDRINUSE" }), "h", 80, "r")).toBe("port 80 on h is in use; r");
    expect(bindProblem(Object.assign(new Error(), { code: "ENOENT" }), "h", 80, "r")).toBeUndefined();
  });
});

describe("listening, when the address is taken", () => {
  it("rejects with the bind's own error within the test's wait, and keeps no listener on a server that listens", async () => {
    const { listenOn } = await import("../src/http/listen.ts");
    const { within } = await import("./support/wait.ts");
    const holder = createServer();
    const url = await within("listen on a free port", listenOn(holder, 0, "127.0.0.1"));
    expect(holder.listenerCount("error")).toBe(0);
    const port = Number(new URL(url).port);
    const second = createServer();
    try {
      await expect(within("listen on a taken port", listenOn(second, port, "127.0.0.1"))).rejects.toMatchObject({ code: "EADDRINUSE" });
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});

describe("urlAt: a path on a base URL a user typed", () => {
  it("drops every trailing slash of the base, and nothing else", () => {
    for (const base of ["http://h", "http://h/", "http://h///"]) expect(urlAt(base, "/v2/x?y=/z"), base).toBe("http://h/v2/x?y=/z");
    expect(urlAt("http://h/base//", "/p")).toBe("http://h/base/p");
    expect(urlAt("http://h/a/b", "/p")).toBe("http://h/a/b/p");
  });
});

describe("exchange: answers that cannot have content (HEAD, 204, 304) are not decoded", () => {
  it("names the codings it decodes, as it reads them", async () => {
    const { contentCoding, decodedCodings, hasContent } = await import("../src/http/exchange.ts");
    expect(decodedCodings).toEqual(["gzip", "x-gzip", "deflate", "br"]);
    expect([contentCoding({ "content-encoding": " GZip " }), contentCoding({})]).toEqual(["gzip", ""]);
    expect(
      [
        ["HEAD", 200],
        ["head", 200],
        ["GET", 204],
        ["GET", 304],
        ["GET", 199],
        ["GET", 200],
        ["GET", 205],
        ["POST", 303],
      ].map(([method, status]) => hasContent(method as string, status as number)),
    ).toEqual([false, false, false, false, false, true, true, true]);
  });

  it("a coding named on an answer without content is no error; one named on an empty answer that should have content is", async () => {
    const server = createServer((request, response) => {
      request.resume();
      response.writeHead(Number(request.headers["x-status"]), { "content-encoding": String(request.headers["x-coding"]), "content-length": "31" }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const seen: unknown[] = [];
      for (const [method, status, coding] of [
        ["HEAD", 200, "gzip"],
        ["HEAD", 404, "br"],
        ["GET", 204, "deflate"],
        ["GET", 304, "x-gzip"],
        ["DELETE", 204, "gzip"],
      ] as const) {
        const result = await exchange(
          { url, method, headers: { "x-status": String(status), "x-coding": coding } },
          { timeoutMs: waitMs, mask: (text) => text, keepRaw: true },
        );
        seen.push(
          result.ok
            ? [result.answer.status, result.answer.text, result.answer.raw!.body.length, result.answer.headers["content-encoding"]]
            : result.error.message,
        );
      }
      expect(seen).toEqual([
        [200, "", 0, "gzip"],
        [404, "", 0, "br"],
        [204, "", 0, "deflate"],
        [304, "", 0, "x-gzip"],
        [204, "", 0, "gzip"],
      ]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    // A 200 to GET has content: an empty one that says gzip is a broken answer, reported as such.
    const empty = createServer((request, response) => {
      request.resume();
      response.writeHead(200, { "content-encoding": "gzip", "content-length": "0" }).end();
    });
    await new Promise<void>((resolve) => empty.listen(0, "127.0.0.1", resolve));
    try {
      const result = await exchange(
        { url: `http://127.0.0.1:${(empty.address() as AddressInfo).port}/`, method: "GET", headers: {} },
        { timeoutMs: waitMs, mask: (text) => text },
      );
      expect(result.ok ? "answered" : [result.error.reason, result.error.status, result.error.message]).toEqual([
        "network",
        200,
        "the answer broke off: unexpected end of file",
      ]);
    } finally {
      empty.closeAllConnections();
      await new Promise((resolve) => empty.close(resolve));
    }
  });
});
