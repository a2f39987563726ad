// The client with a real key against hostile servers: nothing goes to any origin but the
// configured one, nothing is read without a limit, the key is refused before use when a header
// cannot carry it and masked in every form a server can echo it, and every failure, whatever the
// input, is a KaleyraError.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { gzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createKaleyraClient,
  isKaleyraError,
  KaleyraTransportError,
  KaleyraValidationError,
  type KaleyraClientOptions,
  type SendVideoInput,
} from "../src/index.ts";
import { example } from "../src/contract/operation.ts";
import { secretForms } from "../src/http/secrets.ts";
import { failure } from "./support/failure.ts";
import { businessNumber, sid } from "./support/requests.ts";
import { waitMs, within } from "./support/wait.ts";

// A key with the characters that encodings treat differently: JSON escapes `"` and `\`, URLs `/`, `+`, `=`.
const apiKey = 'live-K3y/+="\\secret';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

interface Recorded {
  server: Server;
  url: string;
  requests: { method: string; url: string; headers: IncomingMessage["headers"] }[];
  handler: Handler;
}

async function recordingServer(): Promise<Recorded> {
  const recorded: Recorded = { server: undefined as unknown as Server, url: "", requests: [], handler: (_request, response) => response.end() };
  recorded.server = createServer((request, response) => {
    recorded.requests.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers });
    request.resume();
    request.on("end", () => recorded.handler(request, response));
  });
  await new Promise<void>((resolve) => recorded.server.listen(0, "127.0.0.1", resolve));
  recorded.url = `http://127.0.0.1:${(recorded.server.address() as AddressInfo).port}`;
  return recorded;
}

async function stop(recorded: Recorded) {
  recorded.server.closeAllConnections();
  await new Promise<void>((resolve) => recorded.server.close(() => resolve()));
}

let origin: Recorded;
let elsewhere: Recorded;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on("unhandledRejection", onUnhandled);
});
beforeEach(async () => {
  origin = await recordingServer();
  elsewhere = await recordingServer();
});
afterEach(async () => {
  await Promise.all([stop(origin), stop(elsewhere)]);
});
afterAll(async () => {
  await new Promise((resolve) => setTimeout(resolve, 50));
  process.off("unhandledRejection", onUnhandled);
  expect(unhandled).toEqual([]);
});

const send: SendVideoInput = { phoneNumber: businessNumber, to: "+919876543210", video: { id: "1166846181421424" } };
const client = (options: Partial<Omit<KaleyraClientOptions, "pod" | "baseUrl">> & { baseUrl?: string } = {}) =>
  createKaleyraClient({ baseUrl: origin.url, sid, apiKey, timeoutMs: waitMs, ...options });
const accepted = JSON.stringify(example("accepted").value);

/** Every form a caller or a logger could turn an error into. */
function renderings(error: unknown): string {
  return [String(error), (error as Error).message, (error as Error).stack ?? "", JSON.stringify(error), inspect(error, { depth: 10, showHidden: true })].join(
    "\n",
  );
}

function expectNoKey(error: unknown) {
  const text = renderings(error);
  for (const form of secretForms(apiKey)) expect(text).not.toContain(form);
}

describe("redirects are never followed", () => {
  for (const status of [301, 302, 303, 307, 308]) {
    it(`${status}: a transport error naming the Location, credentials stripped; nothing reaches it`, async () => {
      origin.handler = (_request, response) => {
        response.writeHead(status, { location: `${elsewhere.url.replace("//", "//admin:hunter2@")}/steal?k=1` }).end();
      };
      const error = await failure(client().sendVideo(send));
      expect(error).toBeInstanceOf(KaleyraTransportError);
      expect(error).toMatchObject({ kind: "transport", reason: "redirect", status });
      const location = (error as KaleyraTransportError).location!;
      expect(location).toContain(`${elsewhere.url.replace("//", "//***:***@")}/steal`);
      expect(renderings(error)).not.toContain("hunter2");
      expect(origin.requests).toHaveLength(1);
      expect(elsewhere.requests).toEqual([]);
      expectNoKey(error);
    });
  }

  it("a downgrade from https to http is a redirect like any other", async () => {
    origin.handler = (_request, response) => response.writeHead(308, { location: elsewhere.url.replace("127.0.0.1", "localhost") }).end();
    expect(await failure(client().sendVideo(send))).toMatchObject({ reason: "redirect", status: 308 });
    expect(elsewhere.requests).toEqual([]);
  });

  it("through an injected fetch too: it gets redirect manual, and a 3xx is refused", async () => {
    const modes: string[] = [];
    const fetch = (request: Request) => {
      modes.push(request.redirect);
      return globalThis.fetch(request);
    };
    origin.handler = (_request, response) => response.writeHead(307, { location: elsewhere.url }).end();
    expect(await failure(client({ fetch }).sendVideo(send))).toMatchObject({ reason: "redirect", status: 307 });
    expect(modes).toEqual(["manual"]);
    expect(elsewhere.requests).toEqual([]);
  });
});

describe("answers are read with a limit, counted after decompression", () => {
  /** A valid 202 envelope padded with spaces to exactly `size` bytes. */
  const acceptedOfSize = (size: number) => accepted + " ".repeat(size - Buffer.byteLength(accepted));

  for (const framing of ["content-length", "chunked"] as const) {
    it(`${framing}: an answer at the limit is read; one byte past it is a too-large transport error`, async () => {
      const limit = 4096;
      let size = limit;
      origin.handler = (_request, response) => {
        const body = acceptedOfSize(size);
        if (framing === "content-length") response.writeHead(202, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
        else {
          response.writeHead(202, { "content-type": "application/json" });
          response.write(body.slice(0, 100));
          response.end(body.slice(100));
        }
      };
      expect((await client({ maxResponseBytes: limit }).sendVideo(send)).messageId).toBe(
        (example("accepted").value as { data: { message_id: string } }).data.message_id,
      );
      size = limit + 1;
      const error = await failure(client({ maxResponseBytes: limit }).sendVideo(send));
      expect(error).toMatchObject({ kind: "transport", reason: "too-large" });
    });
  }

  it("a gzip bomb is cut at the limit after decompression, with memory flat", async () => {
    const bomb = gzipSync(Buffer.alloc(200 * 1024 * 1024, 0x20), { level: 9 }); // 200 MB of spaces, ~200 KB gzipped
    origin.handler = (_request, response) => {
      response.writeHead(202, { "content-type": "application/json", "content-encoding": "gzip", "content-length": bomb.length }).end(bomb);
    };
    const before = process.memoryUsage().rss;
    const error = await failure(client().sendVideo(send));
    expect(error).toMatchObject({ kind: "transport", reason: "too-large" });
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });

  it("an endless answer is cut at the default 1 MiB: the server sees the connection closed", async () => {
    let written = 0;
    let closed = false;
    origin.handler = (_request, response) => {
      response.writeHead(500, { "content-type": "application/json" });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (!closed && written < 1024 ** 3 && response.write(chunk)) written += chunk.length;
        if (!closed && written < 1024 ** 3) response.once("drain", pump);
      };
      response.on("close", () => (closed = true));
      pump();
    };
    const error = await failure(client().sendVideo(send));
    expect(error).toMatchObject({ kind: "transport", reason: "too-large" });
    await expect.poll(() => closed, { timeout: waitMs }).toBe(true);
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });

  it("an injected fetch's answer is bounded too, whatever its Content-Length claims", async () => {
    const huge = () =>
      new Response(new ReadableStream({ pull: (controller) => controller.enqueue(new Uint8Array(64 * 1024).fill(0x20)) }), {
        status: 202,
        headers: { "content-type": "application/json", "content-length": "10" },
      });
    const error = await failure(client({ fetch: async () => huge(), maxResponseBytes: 100_000 }).sendVideo(send));
    expect(error).toMatchObject({ kind: "transport", reason: "too-large" });
    const exact = () => new Response(acceptedOfSize(4096), { status: 202, headers: { "content-type": "application/json" } });
    expect((await client({ fetch: async () => exact(), maxResponseBytes: 4096 }).sendVideo(send)).messageId).toEqual(expect.any(String));
    expect(await failure(client({ fetch: async () => exact(), maxResponseBytes: 4095 }).sendVideo(send))).toMatchObject({ reason: "too-large" });
  });

  it("maxResponseBytes is validated", () => {
    for (const maxResponseBytes of [0, -1, 1.5, Number.NaN, 2 ** 30 + 1]) {
      expect(() => client({ maxResponseBytes })).toThrow(KaleyraValidationError);
    }
    expect(client({ maxResponseBytes: 1 }).baseUrl).toBe(origin.url);
    expect(client({ maxResponseBytes: 2 ** 30 }).baseUrl).toBe(origin.url);
  });
});

describe("the key is checked before use", () => {
  const refused: [string, string][] = [
    ["empty", ""],
    ["blank", "   "],
    ["CR LF", "abcd\r\nX-Injected: 1"],
    ["LF", "abcd\nefgh"],
    ["CR", "abcd\refgh"],
    ["NUL", "abcd\u0000efgh"],
    ["a space", "abcd efgh"],
    ["a tab", "abcd\tefgh"],
    ["ESC", "abcd\u001befgh"],
    ["DEL", "abcd\u007fefgh"],
    ["non-ASCII", "abcdé-fgh"],
    ["emoji", "abcd😀fgh"],
    ["three characters", "abc"],
  ];
  for (const [what, key] of refused) {
    it(`${what}: a validation error naming the api-key, never echoing it; nothing sent`, async () => {
      let error: unknown;
      try {
        createKaleyraClient({ baseUrl: origin.url, sid, apiKey: key });
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(KaleyraValidationError);
      expect((error as KaleyraValidationError).issues.map((issue) => issue.field)).toEqual(["apiKey"]);
      if (key.trim().length >= 3) expect(renderings(error)).not.toContain(key.trim().slice(0, 4));
      expect(origin.requests).toEqual([]);
    });
  }

  it("four visible ASCII characters are enough", async () => {
    origin.handler = (_request, response) => response.writeHead(202, { "content-type": "application/json" }).end(accepted);
    await createKaleyraClient({ baseUrl: origin.url, sid, apiKey: "a!~Z", timeoutMs: waitMs }).sendVideo(send);
    expect(origin.requests[0]!.headers["api-key"]).toBe("a!~Z");
  });

  it("a key that is not a string is refused the same way", () => {
    for (const key of [undefined, null, 42, {}, ["k"]]) {
      expect(() => createKaleyraClient({ baseUrl: origin.url, sid, apiKey: key as never })).toThrow(KaleyraValidationError);
    }
  });
});

describe("masking covers every form a server can echo the key in, before any cut", () => {
  const forms = secretForms(apiKey);

  it("knows the raw, JSON-escaped, URL-encoded and base64 forms", () => {
    expect(forms).toEqual(
      expect.arrayContaining([apiKey, JSON.stringify(apiKey).slice(1, -1), encodeURIComponent(apiKey), Buffer.from(apiKey).toString("base64")]),
    );
  });

  for (const [name, echo] of [
    ["raw", apiKey],
    ["JSON-escaped", JSON.stringify(apiKey).slice(1, -1)],
    ["URL-encoded", encodeURIComponent(apiKey)],
    ["URL-encoded, lower-case hex", encodeURIComponent(apiKey).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())],
    ["form-encoded", new URLSearchParams({ k: apiKey }).toString().slice(2)],
    ["base64", Buffer.from(apiKey).toString("base64")],
    ["HTML-escaped", apiKey.replace(/"/g, "&quot;")],
  ] as const) {
    it(`${name}: in an invalid answer's snippet, even where the excerpt would cut it`, async () => {
      for (const offset of [0, 480, 495, 499]) {
        origin.handler = (_request, response) => response.writeHead(502, { "content-type": "text/html" }).end(`${"x".repeat(offset)}${echo}${"y".repeat(600)}`);
        const error = await failure(client().sendVideo(send));
        expect(error).toMatchObject({ kind: "transport", reason: "invalid-response" });
        expectNoKey(error);
        expect((error as KaleyraTransportError).bodySnippet).not.toContain(echo.slice(0, 6));
      }
    });

    it(`${name}: in an API error's code, message and details`, async () => {
      origin.handler = (_request, response) =>
        response
          .writeHead(401, { "content-type": "application/json" })
          .end(JSON.stringify({ code: `X${echo}`, message: `bad key ${echo}`, data: {}, error: { [echo]: echo } }));
      const error = await failure(client().sendVideo(send));
      expect(error).toMatchObject({ kind: "api", status: 401 });
      expectNoKey(error);
    });
  }
});

describe("every failure is a KaleyraError, whatever the input", () => {
  const hostile: [string, unknown][] = [
    ["undefined", undefined],
    ["null", null],
    ["a number", 42],
    ["a string", "+919876543210"],
    ["an array", [send]],
    [
      "a getter that throws",
      Object.defineProperty({ ...send }, "to", {
        get: () => {
          throw new Error(`boom ${apiKey}`);
        },
        enumerable: true,
      }),
    ],
    [
      "a video whose getter throws",
      {
        ...send,
        video: Object.defineProperty({}, "id", {
          get: () => {
            throw new Error("boom");
          },
          enumerable: true,
        }),
      },
    ],
    [
      "a cycle",
      (() => {
        const video: Record<string, unknown> = { id: "1" };
        video.self = video;
        return { ...send, video };
      })(),
    ],
    ["a BigInt", { ...send, caption: 10n }],
    [
      "a proxy that throws on every read",
      new Proxy(
        {},
        {
          get: () => {
            throw new Error("trap");
          },
        },
      ),
    ],
    ["a signal that is not an AbortSignal", { ...send, signal: { aborted: false, addEventListener() {} } }],
    ["a function for video", { ...send, video: () => "x" }],
  ];
  for (const [what, input] of hostile) {
    it(`${what}: sendVideo rejects with a validation error, prepareVideo throws one; nothing sent`, async () => {
      const error = await failure(client().sendVideo(input as SendVideoInput));
      expect(isKaleyraError(error)).toBe(true);
      expect(error).toMatchObject({ kind: "validation" });
      expectNoKey(error);
      expect(() => client().prepareVideo(input as SendVideoInput)).toThrow(KaleyraValidationError);
      expect(origin.requests).toEqual([]);
    });
  }

  it("options that cannot work are refused by name, as validation errors", () => {
    const cases: [string, unknown][] = [
      ["(options)", undefined],
      ["(options)", null],
      [
        "(options)",
        new Proxy(
          {},
          {
            get: () => {
              throw new Error("trap");
            },
          },
        ),
      ],
      ["timeoutMs", { baseUrl: origin.url, sid, apiKey, timeoutMs: 2 ** 31 }],
      ["timeoutMs", { baseUrl: origin.url, sid, apiKey, timeoutMs: 0 }],
      ["timeoutMs", { baseUrl: origin.url, sid, apiKey, timeoutMs: 1.5 }],
      ["timeoutMs", { baseUrl: origin.url, sid, apiKey, timeoutMs: Number.POSITIVE_INFINITY }],
      ["timeoutMs", { baseUrl: origin.url, sid, apiKey, timeoutMs: "100" }],
      ["baseUrl", { baseUrl: origin.url.replace("//", "//user:pass@"), sid, apiKey }],
      ["baseUrl", { baseUrl: origin.url.replace("//", "//user@"), sid, apiKey }],
      ["baseUrl", { baseUrl: `${origin.url}/?x=1`, sid, apiKey }],
      ["baseUrl", { baseUrl: `${origin.url}?`, sid, apiKey }],
      ["baseUrl", { baseUrl: `${origin.url}#top`, sid, apiKey }],
      ["pod", { pod: "__proto__", sid, apiKey }],
      ["pod", { pod: "constructor", sid, apiKey }],
      ["pod", { pod: "toString", sid, apiKey }],
      ["userAgent", { baseUrl: origin.url, sid, apiKey, userAgent: "ua\r\nX: 1" }],
      ["fetch", { baseUrl: origin.url, sid, apiKey, fetch: "not a function" }],
    ];
    for (const [field, options] of cases) {
      let error: unknown;
      try {
        createKaleyraClient(options as KaleyraClientOptions);
      } catch (thrown) {
        error = thrown;
      }
      expect(error, JSON.stringify(field)).toBeInstanceOf(KaleyraValidationError);
      expect((error as KaleyraValidationError).issues.map((issue) => issue.field)).toEqual([field]);
      expect(renderings(error)).not.toContain("pass@");
    }
  });

  it("timeoutMs is honoured at the largest a timer holds, and a tiny one fires", async () => {
    origin.handler = () => {}; // never answers
    const started = performance.now();
    const error = await failure(client({ timeoutMs: 50 }).sendVideo(send));
    expect(error).toMatchObject({ kind: "transport", reason: "timeout" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    // 2^31 - 1 is accepted and does not fire at once (Node fires longer delays after 1 ms).
    const controller = new AbortController();
    const pending = failure(client({ timeoutMs: 2 ** 31 - 1 }).sendVideo({ ...send, signal: controller.signal }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    expect(await pending).toMatchObject({ kind: "transport", reason: "aborted" });
  });

  it("a server that drips its answer is cut by the one deadline of the whole send", async () => {
    origin.handler = (_request, response) => {
      response.writeHead(202, { "content-type": "application/json" });
      const timer = setInterval(() => response.write(" "), 20);
      response.on("close", () => clearInterval(timer));
    };
    // A deadline per chunk would never fire (a chunk every 20 ms): the drip goes on for good, and
    // the tests' wait, not a stopwatch a busy machine would blur, tells the two apart.
    expect(await within("a dripped send with a deadline of 300 ms", failure(client({ timeoutMs: 300 }).sendVideo(send)))).toMatchObject({
      kind: "transport",
      reason: "timeout",
    });
  });
});
