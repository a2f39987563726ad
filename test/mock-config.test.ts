// The mock's settings from the environment, each at its limits and one past them; every refusal
// is a ConfigError naming the variable and the value (npm start prints it and exits 2).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { Agent, createServer as createHttpServer, get as httpGet } from "node:http";
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createMockAdmin } from "../src/client/mock-admin.ts";
import { isKaleyraError, KaleyraAdminError, KaleyraValidationError } from "../src/client/errors.ts";
import { listenOn } from "../src/http/listen.ts";
import {
  ConfigError,
  configFromEnv,
  configFromOptions,
  defaultBodyLimitBytes,
  defaultJournalLimit,
  maxJournalLimit,
  maxLatencyMs,
  parseLatency,
  startMockOptionNames,
  type EngineChoice,
} from "../src/mock/config.ts";
import { startMock, type RunningMock, type StartMockOptions } from "../src/mock/index.ts";
import { messagesPath } from "./support/mock.ts";
import { apiKey, businessNumber, sid, validBody } from "./support/requests.ts";
import { fetchWithin, until, within } from "./support/wait.ts";

function refused(env: NodeJS.ProcessEnv): string {
  try {
    configFromEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).name).toBe("ConfigError");
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe("the mock's settings", () => {
  it("defaults: 127.0.0.1:4010, fast engine, info log, 30 s request timeout, no latency, the journal's default, no callbacks", () => {
    for (const env of [
      {},
      {
        PORT: " ",
        HOST: " ",
        KALEYRA_MOCK_ENGINE: "",
        KALEYRA_MOCK_LOG: " ",
        KALEYRA_MOCK_REQUEST_TIMEOUT_MS: " ",
        KALEYRA_MOCK_LATENCY_MS: " ",
        KALEYRA_MOCK_JOURNAL_LIMIT: " ",
      },
    ]) {
      expect(configFromEnv(env)).toMatchObject({
        host: "127.0.0.1",
        port: 4010,
        engine: "fast",
        log: "info",
        requestTimeoutMs: 30_000,
        latency: { min: 0, max: 0 },
        journalLimit: defaultJournalLimit,
        callbacks: {},
        account: {},
      });
    }
  });

  it("PORT: 0 to 65535", () => {
    expect([configFromEnv({ PORT: "0" }).port, configFromEnv({ PORT: "65535" }).port]).toEqual([0, 65535]);
    for (const port of ["-1", "65536", "80.5", "http"])
      expect(refused({ PORT: port })).toBe(`PORT must be a whole number from 0 to 65535, not ${JSON.stringify(port)}`);
  });

  it("KALEYRA_MOCK_ENGINE: fast or prism; KALEYRA_MOCK_LOG: info or silent", () => {
    expect([configFromEnv({ KALEYRA_MOCK_ENGINE: "prism" }).engine, configFromEnv({ KALEYRA_MOCK_ENGINE: " fast " }).engine]).toEqual(["prism", "fast"]);
    expect(refused({ KALEYRA_MOCK_ENGINE: "Prism" })).toBe('KALEYRA_MOCK_ENGINE must be "fast" or "prism", not "Prism"');
    expect(configFromEnv({ KALEYRA_MOCK_LOG: "silent" }).log).toBe("silent");
    expect(refused({ KALEYRA_MOCK_LOG: "debug" })).toBe('KALEYRA_MOCK_LOG must be "info" or "silent", not "debug"');
  });

  it("KALEYRA_MOCK_REQUEST_TIMEOUT_MS: a whole number of at least 100", () => {
    expect(configFromEnv({ KALEYRA_MOCK_REQUEST_TIMEOUT_MS: "100" }).requestTimeoutMs).toBe(100);
    for (const ms of ["99", "100.5", "soon"])
      expect(refused({ KALEYRA_MOCK_REQUEST_TIMEOUT_MS: ms })).toBe(
        `KALEYRA_MOCK_REQUEST_TIMEOUT_MS must be a whole number of at least 100, not ${JSON.stringify(ms)}`,
      );
  });

  it(`KALEYRA_MOCK_LATENCY_MS: a fixed time or a range, up to ${maxLatencyMs}`, () => {
    expect(parseLatency("250")).toEqual({ min: 250, max: 250 });
    expect(parseLatency(" 100 - 900 ")).toEqual({ min: 100, max: 900 });
    expect(parseLatency(`${maxLatencyMs}`)).toEqual({ min: maxLatencyMs, max: maxLatencyMs });
    expect(parseLatency("5-5")).toEqual({ min: 5, max: 5 });
    expect(refused({ KALEYRA_MOCK_LATENCY_MS: `${maxLatencyMs + 1}` })).toBe(
      `KALEYRA_MOCK_LATENCY_MS must be a whole number from 0 to ${maxLatencyMs}, not "${maxLatencyMs + 1}"`,
    );
    expect(refused({ KALEYRA_MOCK_LATENCY_MS: "6-5" })).toBe('KALEYRA_MOCK_LATENCY_MS must be a range min-max with min ≤ max, not "6-5"');
    for (const text of ["x250", "250x", "2.5", "-5"])
      expect(refused({ KALEYRA_MOCK_LATENCY_MS: text })).toBe(
        `KALEYRA_MOCK_LATENCY_MS must be milliseconds (250) or a range (100-900), not ${JSON.stringify(text)}`,
      );
  });

  it(`KALEYRA_MOCK_JOURNAL_LIMIT: 0 to ${maxJournalLimit}`, () => {
    expect([
      configFromEnv({ KALEYRA_MOCK_JOURNAL_LIMIT: "0" }).journalLimit,
      configFromEnv({ KALEYRA_MOCK_JOURNAL_LIMIT: ` ${maxJournalLimit} ` }).journalLimit,
    ]).toEqual([0, maxJournalLimit]);
    for (const text of [`${maxJournalLimit + 1}`, "1x", "x1"])
      expect(refused({ KALEYRA_MOCK_JOURNAL_LIMIT: text })).toBe(
        `KALEYRA_MOCK_JOURNAL_LIMIT must be a whole number from 0 to ${maxJournalLimit}, not ${JSON.stringify(text)}`,
      );
  });

  it("the callbacks: delays each up to the latency limit, attempts 1 to 100", () => {
    expect(configFromEnv({ KALEYRA_MOCK_CALLBACK_DELAYS_MS: "0, 10,20", KALEYRA_MOCK_CALLBACK_ATTEMPTS: "1" }).callbacks).toEqual({
      delaysMs: [0, 10, 20],
      attempts: 1,
    });
    expect(configFromEnv({ KALEYRA_MOCK_CALLBACK_ATTEMPTS: " 100 " }).callbacks).toEqual({ attempts: 100 });
    for (const attempts of ["0", "101", "5x", "x5", "1.0"])
      expect(refused({ KALEYRA_MOCK_CALLBACK_ATTEMPTS: attempts })).toBe(
        `KALEYRA_MOCK_CALLBACK_ATTEMPTS must be a whole number from 1 to 100, not ${JSON.stringify(attempts)}`,
      );
    expect(refused({ KALEYRA_MOCK_CALLBACK_DELAYS_MS: "10,x" })).toBe(
      `KALEYRA_MOCK_CALLBACK_DELAYS_MS must be a whole number from 0 to ${maxLatencyMs}, not "x"`,
    );
  });

  it("the account: trimmed, blank parts dropped", () => {
    expect(
      configFromEnv({ KALEYRA_MOCK_API_KEY: " k-1 ", KALEYRA_MOCK_SID: " HX1 ", KALEYRA_MOCK_PHONE_NUMBERS: " +911, ,+912 ,", HOST: " 0.0.0.0 " }),
    ).toMatchObject({ host: "0.0.0.0", account: { apiKey: "k-1", sid: "HX1", phoneNumbers: ["+911", "+912"] } });
    expect(configFromEnv({ KALEYRA_MOCK_PHONE_NUMBERS: " , " }).account).toEqual({});
  });
});

describe("the mock's defaults are its guide's", () => {
  it("each setting's default in the settings table of docs/mock.md is what the mock takes with the variable unset", async () => {
    const { readFileSync } = await import("node:fs");
    const { defaultCallbackSettings } = await import("../src/mock/config.ts");
    const guide = readFileSync("docs/mock.md", "utf8");
    const documented = (name: string) => new RegExp(`^\\| \`${name}\` \\| \`([^\`]+)\` \\|`, "m").exec(guide)?.[1];
    const config = configFromEnv({});
    expect({
      PORT: String(config.port),
      HOST: config.host,
      KALEYRA_MOCK_LOG: config.log,
      KALEYRA_MOCK_ENGINE: config.engine,
      KALEYRA_MOCK_REQUEST_TIMEOUT_MS: String(config.requestTimeoutMs),
      KALEYRA_MOCK_LATENCY_MS: String(config.latency?.max),
      KALEYRA_MOCK_JOURNAL_LIMIT: String(config.journalLimit),
      KALEYRA_MOCK_CALLBACK_DELAYS_MS: defaultCallbackSettings.delaysMs.join(","),
      KALEYRA_MOCK_CALLBACK_ATTEMPTS: String(defaultCallbackSettings.attempts),
    }).toEqual({
      PORT: documented("PORT"),
      HOST: documented("HOST"),
      KALEYRA_MOCK_LOG: documented("KALEYRA_MOCK_LOG"),
      KALEYRA_MOCK_ENGINE: documented("KALEYRA_MOCK_ENGINE"),
      KALEYRA_MOCK_REQUEST_TIMEOUT_MS: documented("KALEYRA_MOCK_REQUEST_TIMEOUT_MS"),
      KALEYRA_MOCK_LATENCY_MS: documented("KALEYRA_MOCK_LATENCY_MS"),
      KALEYRA_MOCK_JOURNAL_LIMIT: documented("KALEYRA_MOCK_JOURNAL_LIMIT"),
      KALEYRA_MOCK_CALLBACK_DELAYS_MS: documented("KALEYRA_MOCK_CALLBACK_DELAYS_MS"),
      KALEYRA_MOCK_CALLBACK_ATTEMPTS: documented("KALEYRA_MOCK_CALLBACK_ATTEMPTS"),
    });
    expect(config.latency?.min).toBe(0);
    expect(guide).toContain(`${defaultCallbackSettings.backoffMs} ms before the second, doubled after`);
    // "body over **1 MiB**": the limit is 1 MiB exactly.
    expect(guide).toContain("| body over **1 MiB** |");
    expect(config.bodyLimitBytes).toBe(1024 * 1024);
  });
});

// startMock's options: the same settings, typed, each refused by its option's name with the same
// check as its variable (config.ts has one per setting), before anything listens.
describe("startMock's options", () => {
  const issuesOf = (options: unknown) => {
    const read = configFromOptions(options);
    return read.ok ? [] : read.issues.map(({ field, message }) => `${field} ${message}`);
  };
  const configOf = (options: unknown) => {
    const read = configFromOptions(options);
    if (!read.ok) throw new Error(`refused: ${JSON.stringify(read.issues)}`);
    return read.config;
  };

  it("defaults: a free port on 127.0.0.1, silent, fast, the environment's other defaults", () => {
    for (const options of [undefined, {}, { host: undefined, port: undefined, log: undefined }]) {
      expect(configOf(options)).toEqual({
        host: "127.0.0.1",
        port: 0,
        account: {},
        log: "silent",
        bodyLimitBytes: defaultBodyLimitBytes,
        engine: "fast",
        requestTimeoutMs: 30_000,
        latency: { min: 0, max: 0 },
        journalLimit: defaultJournalLimit,
        callbacks: {},
      });
    }
    const read = configFromOptions({});
    expect(read.ok && read.lines).toBe(undefined);
  });

  it("every option, as given; a function log gets the lines at info", () => {
    const lines = (line: string) => void line;
    const phoneNumbers = ["+918630005920", "+918630005921"];
    const delaysMs = [0, 10];
    const read = configFromOptions({
      host: "::1",
      port: 65535,
      account: { apiKey: "key-1", sid: "HX1", phoneNumbers },
      latencyMs: { min: 0, max: maxLatencyMs },
      journalLimit: maxJournalLimit,
      adminToken: "tok-1234",
      callbacks: { url: "http://127.0.0.1:9000/hook", delaysMs, attempts: 100 },
      engine: "prism",
      requestTimeoutMs: 100,
      log: lines,
    });
    expect(read).toEqual({
      ok: true,
      lines,
      config: {
        host: "::1",
        port: 65535,
        account: { apiKey: "key-1", sid: "HX1", phoneNumbers: ["+918630005920", "+918630005921"] },
        log: "info",
        bodyLimitBytes: defaultBodyLimitBytes,
        engine: "prism",
        requestTimeoutMs: 100,
        latency: { min: 0, max: maxLatencyMs },
        journalLimit: maxJournalLimit,
        adminToken: "tok-1234",
        callbacks: { url: "http://127.0.0.1:9000/hook", delaysMs: [0, 10], attempts: 100 },
      },
    });
    // Copies: the caller's lists changed afterwards do not reach the mock.
    phoneNumbers.push("+10000000000");
    delaysMs.push(5);
    expect(read.ok && [read.config.account.phoneNumbers, read.config.callbacks?.delaysMs]).toEqual([
      ["+918630005920", "+918630005921"],
      [0, 10],
    ]);
    expect(configOf({ latencyMs: 250, log: "info", engine: "fast" })).toMatchObject({ latency: { min: 250, max: 250 }, log: "info", engine: "fast" });
    expect(configOf({ latencyMs: { min: 7, max: 7 }, journalLimit: 0, port: 0, callbacks: { attempts: 1 } })).toMatchObject({
      latency: { min: 7, max: 7 },
      journalLimit: 0,
      port: 0,
      callbacks: { attempts: 1 },
    });
  });

  it("each option at its limit is taken, one past it is refused by name", () => {
    const limits: [object, object, string][] = [
      [{ port: 65535 }, { port: 65536 }, "port must be a whole number from 0 to 65535"],
      [{ port: 0 }, { port: -1 }, "port must be a whole number from 0 to 65535"],
      [{ latencyMs: maxLatencyMs }, { latencyMs: maxLatencyMs + 1 }, `latencyMs must be a whole number from 0 to ${maxLatencyMs}`],
      [
        { latencyMs: { min: 0, max: maxLatencyMs } },
        { latencyMs: { min: 0, max: maxLatencyMs + 1 } },
        `latencyMs.max must be a whole number from 0 to ${maxLatencyMs}`,
      ],
      [{ latencyMs: { min: 0, max: 1 } }, { latencyMs: { min: -1, max: 1 } }, `latencyMs.min must be a whole number from 0 to ${maxLatencyMs}`],
      [{ latencyMs: { min: 5, max: 5 } }, { latencyMs: { min: 6, max: 5 } }, "latencyMs must be a range min-max with min ≤ max"],
      [{ journalLimit: maxJournalLimit }, { journalLimit: maxJournalLimit + 1 }, `journalLimit must be a whole number from 0 to ${maxJournalLimit}`],
      [{ requestTimeoutMs: 100 }, { requestTimeoutMs: 99 }, "requestTimeoutMs must be a whole number of at least 100"],
      [{ callbacks: { attempts: 100 } }, { callbacks: { attempts: 101 } }, "callbacks.attempts must be a whole number from 1 to 100"],
      [{ callbacks: { attempts: 1 } }, { callbacks: { attempts: 0 } }, "callbacks.attempts must be a whole number from 1 to 100"],
      [
        { callbacks: { delaysMs: [maxLatencyMs] } },
        { callbacks: { delaysMs: [0, maxLatencyMs + 1] } },
        `callbacks.delaysMs[1] must be a whole number from 0 to ${maxLatencyMs}`,
      ],
      [{ callbacks: { delaysMs: [0] } }, { callbacks: { delaysMs: [] } }, "callbacks.delaysMs must be a list of at least one item"],
      [{ account: { phoneNumbers: ["+911"] } }, { account: { phoneNumbers: [] } }, "account.phoneNumbers must be a list of at least one item"],
      [{ adminToken: "abcd" }, { adminToken: "abc" }, "adminToken must be at least 4 characters"],
    ];
    for (const [atLimit, past, issue] of limits) {
      expect(issuesOf(atLimit), JSON.stringify(atLimit)).toEqual([]);
      expect(issuesOf(past), JSON.stringify(past)).toEqual([issue]);
    }
  });

  it("refuses each wrong value by the option's name, all at once, in the options' order, quoting none", () => {
    expect(
      issuesOf({
        log: "debug",
        requestTimeoutMs: 100.5,
        engine: "Prism",
        callbacks: { url: "ftp://x/", delaysMs: "100", attempts: "4" },
        adminToken: "to ken-secret",
        journalLimit: 1.5,
        latencyMs: "250",
        account: { apiKey: " key-secret", sid: "", phoneNumbers: ["+911", 912] },
        port: "4010",
        host: "local host",
      }),
    ).toEqual([
      "host must be a host name or an IP address, with no spaces",
      "port must be a whole number from 0 to 65535",
      "account.apiKey must be a non-empty string with no space at either end",
      "account.sid must be a non-empty string with no space at either end",
      "account.phoneNumbers[1] must be a non-empty string with no space at either end",
      "latencyMs must be milliseconds (a number) or a range ({ min, max })",
      `journalLimit must be a whole number from 0 to ${maxJournalLimit}`,
      "adminToken must be visible ASCII characters only (no spaces, control or non-ASCII characters)",
      "callbacks.url must be http(s), not ftp:",
      "callbacks.delaysMs must be a list of at least one item",
      "callbacks.attempts must be a whole number from 1 to 100",
      'engine must be "fast" or "prism"',
      "requestTimeoutMs must be a whole number of at least 100",
      'log must be "info" or "silent", or a function that takes each line',
    ]);
    expect(issuesOf({ latencyMs: { min: "1" } })).toEqual([
      `latencyMs.min must be a whole number from 0 to ${maxLatencyMs}`,
      `latencyMs.max must be a whole number from 0 to ${maxLatencyMs}`,
    ]);
    expect(issuesOf({ callbacks: { url: 9000 } })).toEqual(["callbacks.url must be a string"]);
  });

  it("refuses unknown options by name, nested ones with their path, an odd key escaped, and options that are not an object", () => {
    expect(
      issuesOf({
        latency: 250,
        account: { key: "k", sid: "HX1" },
        callbacks: { url: "http://127.0.0.1:1/", retries: 2 },
        latencyMs: { min: 1, max: 2, mean: 1 },
        "bad\nkey\u001b": 1,
      }),
    ).toEqual([
      "latency is not an option; the options are host, port, account, latencyMs, journalLimit, adminToken, callbacks, engine, requestTimeoutMs, log",
      '"bad\\nkey\\u001b" is not an option; the options are host, port, account, latencyMs, journalLimit, adminToken, callbacks, engine, requestTimeoutMs, log',
      "account.key is not an option; the options of account are apiKey, sid, phoneNumbers",
      "latencyMs.mean is not an option; the options of latencyMs are min, max",
      "callbacks.retries is not an option; the options of callbacks are url, delaysMs, attempts",
    ]);
    // As a schema would say it: an unknown key fails additionalProperties, the rest are the option's own checks.
    const read = configFromOptions({ latency: 250, port: -1 });
    expect(read.ok ? [] : read.issues.map((issue) => [issue.field, issue.rule])).toEqual([
      ["latency", "additionalProperties"],
      ["port", "option"],
    ]);
    for (const options of [null, 4010, "fast", [{ port: 0 }]]) expect(issuesOf(options), JSON.stringify(options)).toEqual(["(options) must be an object"]);
    expect(issuesOf({ account: "HX1", callbacks: null, latencyMs: [1, 2] })).toEqual([
      "account must be an object",
      "latencyMs must be milliseconds (a number) or a range ({ min, max })",
      "callbacks must be an object",
    ]);
    expect(issuesOf({ latencyMs: null })).toEqual(["latencyMs must be milliseconds (a number) or a range ({ min, max })"]);
  });

  it("an option and its variable are held to the same check: the same problem in words", () => {
    const problemOf = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return (error as Error).message;
      }
      return "accepted";
    };
    const pairs: [NodeJS.ProcessEnv, object][] = [
      [{ PORT: "65536" }, { port: 65536 }],
      [{ KALEYRA_MOCK_ENGINE: "turbo" }, { engine: "turbo" }],
      [{ KALEYRA_MOCK_REQUEST_TIMEOUT_MS: "99" }, { requestTimeoutMs: 99 }],
      [{ KALEYRA_MOCK_LATENCY_MS: `${maxLatencyMs + 1}` }, { latencyMs: maxLatencyMs + 1 }],
      [{ KALEYRA_MOCK_LATENCY_MS: "6-5" }, { latencyMs: { min: 6, max: 5 } }],
      [{ KALEYRA_MOCK_JOURNAL_LIMIT: `${maxJournalLimit + 1}` }, { journalLimit: maxJournalLimit + 1 }],
      [{ KALEYRA_MOCK_CALLBACK_ATTEMPTS: "101" }, { callbacks: { attempts: 101 } }],
      [{ KALEYRA_MOCK_CALLBACK_DELAYS_MS: `${maxLatencyMs + 1}` }, { callbacks: { delaysMs: [maxLatencyMs + 1] } }],
      [{ KALEYRA_MOCK_CALLBACK_URL: "http://user:pw@x/" }, { callbacks: { url: "http://user:pw@x/" } }],
      [{ KALEYRA_MOCK_ADMIN_TOKEN: "abc" }, { adminToken: "abc" }],
      [{ HOST: "local host" }, { host: "local host" }],
    ];
    for (const [env, options] of pairs) {
      const fromEnv = problemOf(() => configFromEnv(env));
      const [option] = issuesOf(options);
      // "PORT must …, not "65536"" and "port must …": the words between the name and the quote are one.
      const words = (message: string | undefined) => message?.replace(/^\S+ /, "").replace(/, not ".*"$/, "");
      expect(words(option), JSON.stringify(options)).toBe(words(fromEnv));
      expect(fromEnv.startsWith(Object.keys(env)[0]!), fromEnv).toBe(true);
    }
    expect(refused({ HOST: "local host" })).toBe('HOST must be a host name or an IP address, with no spaces, not "local host"');
  });
});

describe("startMock's options are the README's", () => {
  it("the section on test suites names each option", () => {
    const section = /^## Use it in your test suite\n([\s\S]*?)^## /m.exec(readFileSync("README.md", "utf8"))?.[1] ?? "";
    expect(startMockOptionNames.length).toBe(10);
    expect(startMockOptionNames.filter((name) => !new RegExp(`\`${name}[\`:]`).test(section))).toEqual([]);
  });
});

describe("startMock in the test process", () => {
  const vendorPath = messagesPath(sid, businessNumber);
  const send = (mock: RunningMock, to = "+919876543210", init: RequestInit = {}) =>
    fetchWithin(`${mock.url}${vendorPath}`, {
      method: "POST",
      headers: { "api-key": apiKey, "content-type": "application/json" },
      body: JSON.stringify({ ...validBody(), messaging_object: { ...validBody().messaging_object, to } }),
      ...init,
    });
  const started: RunningMock[] = [];
  const start = async (options?: StartMockOptions) => {
    const mock = await startMock(options);
    started.push(mock);
    return mock;
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((mock) => mock.close()));
    vi.restoreAllMocks();
  });

  it("listens on a free loopback port, its admin client bound to it", async () => {
    const [one, two] = [await start(), await start()];
    expect(one.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(two.url).not.toBe(one.url);
    expect(one.admin.baseUrl).toBe(one.url);
    expect((await send(one)).status).toBe(202);
    expect((await one.admin.requests()).map((entry) => entry.response.status)).toEqual([202]);
  });

  it("a bad option is a KaleyraValidationError naming it, and nothing listens", async () => {
    const free = await new Promise<number>((resolve) => {
      const probe = createNetServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const failure = await startMock({ port: free, engine: "turbo" as EngineChoice, latencyMs: { min: 0, max: maxLatencyMs + 1 } }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(KaleyraValidationError);
    expect(isKaleyraError(failure) && failure.kind).toBe("validation");
    // No request was made: the error names none.
    expect((failure as KaleyraValidationError).request).toEqual({ method: "", url: "" });
    expect((failure as KaleyraValidationError).issues).toEqual([
      { field: "latencyMs.max", rule: "option", message: `must be a whole number from 0 to ${maxLatencyMs}` },
      { field: "engine", rule: "option", message: 'must be "fast" or "prism"' },
    ]);
    expect((failure as Error).message).toBe(
      `The mock's options cannot work, so it was not started: latencyMs.max must be a whole number from 0 to ${maxLatencyMs}; engine must be "fast" or "prism"`,
    );
    // The port is still free: nothing listened, even for a moment that a leak would keep.
    const refused = await new Promise<string>((resolve) =>
      connect(free, "127.0.0.1")
        .on("connect", () => resolve("connected"))
        .on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "")),
    );
    expect(refused).toBe("ECONNREFUSED");
  });

  it("off loopback, its admin client still reaches it over http with the token (the mock's own address)", async () => {
    const mock = await startMock({ host: "0.0.0.0", adminToken: "tok-0-0-0-0-1234" });
    try {
      expect(mock.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
      const nonce = "0123456789abcdef0123456789abcdef";
      expect((await mock.admin.identity(nonce)).nonce).toBe(nonce);
    } finally {
      await mock.close();
    }
  });

  it("a port taken is the listen's own error, EADDRINUSE", async () => {
    const holder = createNetServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    try {
      const failure = await startMock({ port: (holder.address() as AddressInfo).port }).catch((error: NodeJS.ErrnoException) => error);
      expect((failure as NodeJS.ErrnoException).code).toBe("EADDRINUSE");
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it("never quotes a refused secret", async () => {
    const failure = (await startMock({ adminToken: "tok en-very-secret", account: { apiKey: "key-very-secret " } }).catch((error: unknown) => error)) as Error;
    expect(failure.message).toBe(
      "The mock's options cannot work, so it was not started: account.apiKey must be a non-empty string with no space at either end; adminToken must be visible ASCII characters only (no spaces, control or non-ASCII characters)",
    );
  });

  it("two mocks side by side keep their own journal, scenarios, resets and callbacks", async () => {
    const receiver = await startReceiver();
    const other = await startReceiver();
    try {
      const a = await start({ callbacks: { url: receiver.url, delaysMs: [0] } });
      const b = await start();
      await a.admin.addScenario({ match: {}, respond: { example: "internal-error" } });
      expect([(await send(a)).status, (await send(b)).status]).toEqual([500, 202]);
      expect((await b.admin.scenarios()).length).toBe(0);
      expect([(await a.admin.requests()).map((entry) => entry.response.status), (await b.admin.requests()).map((entry) => entry.response.status)]).toEqual([
        [500],
        [202],
      ]);
      // B's accepted send has no callbacks: the callback URL is A's alone.
      expect(receiver.bodies).toEqual([]);
      await b.admin.reset();
      expect([(await a.admin.requests()).length, (await a.admin.scenarios()).length, (await b.admin.requests()).length]).toEqual([1, 1, 0]);
      await a.admin.reset();
      expect((await send(a)).status).toBe(202);
      await until("A's three callbacks", () => (receiver.bodies.length === 3 ? true : undefined));
      expect(receiver.bodies.map((body) => (body as { status: string }).status)).toEqual(["SENT", "DELIVERED", "READ"]);
      // A reset goes back to the URL startMock was given, whatever the admin API set since.
      const moved = await a.admin.raw.PUT("/__admin/callbacks", { body: { url: other.url } });
      expect(moved.response.status).toBe(204);
      expect((await a.admin.raw.GET("/__admin/callbacks")).data?.url).toBe(other.url);
      await a.admin.reset();
      expect([(await a.admin.raw.GET("/__admin/callbacks")).data?.url, (await b.admin.raw.GET("/__admin/callbacks")).data?.url]).toEqual([receiver.url, null]);
    } finally {
      await Promise.all([receiver.close(), other.close()]);
    }
  });

  it("with an admin token, its admin client sends it; one without is refused", async () => {
    const mock = await start({ adminToken: "tok-in-process" });
    expect((await send(mock)).status).toBe(202);
    expect((await mock.admin.requests()).length).toBe(1);
    const failure = await createMockAdmin({ baseUrl: mock.url })
      .requests()
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(KaleyraAdminError);
    expect((failure as KaleyraAdminError).status).toBe(401);
  });

  it("silent by default: nothing on stdout or stderr; info writes its lines to stdout; a function gets each line alone, the key masked", async () => {
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const quiet = await start({ callbacks: { url: "http://127.0.0.1:9/", delaysMs: [0], attempts: 1 } });
    expect((await send(quiet)).status).toBe(202);
    expect((await fetchWithin(`${quiet.url}/nowhere`)).status).toBe(404);
    // A callback given up is a line of the log too (port 9 takes none).
    await until("a callback given up", async () =>
      (await quiet.admin.raw.GET("/__admin/callbacks")).data?.deliveries.some((delivery) => delivery.state === "given-up") ? true : undefined,
    );
    await quiet.close();
    expect([out.mock.calls, err.mock.calls]).toEqual([[], []]);
    const loud = await start({ log: "info" });
    expect((await send(loud)).status).toBe(202);
    // Gathered, then written whole within the buffer's interval, with no further request.
    await until("the line on stdout", () => (out.mock.calls.length > 0 ? true : undefined));
    expect(out.mock.calls.map(([text]) => String(text).replace(/\(\d+\.\d ms\)/, "(…)"))).toEqual([`POST ${vendorPath} → 202 WA202 (…)\n`]);
    out.mockClear();
    const lines: string[] = [];
    const told = await start({ log: (line) => lines.push(line), account: { apiKey } });
    expect((await fetchWithin(`${told.url}/v2/${apiKey}/x`)).status).toBe(404);
    expect(lines.map((line) => line.replace(/\(\d+\.\d ms\)/, "(…)"))).toEqual(["GET /v2/***/x → 404 (…) — Route not resolved, no path matched"]);
    expect([out.mock.calls, err.mock.calls]).toEqual([[], []]);
  });

  it("info: close() writes every line still gathered, whole and in order, and a mock never closed has its lines written at exit", async () => {
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const loud = await start({ log: "info" });
    const recipients = ["+919876543210", "+919876543211", "+919876543212"];
    for (const to of recipients) expect((await send(loud, to)).status).toBe(202);
    expect((await fetchWithin(`${loud.url}/nowhere`)).status).toBe(404);
    await loud.close();
    const written = out.mock.calls.map(([text]) => String(text));
    // Each write is whole lines; together they are every line, in the order of the requests.
    for (const text of written) expect(text).toMatch(/\n$/);
    expect(written.join("").replace(/\(\d+\.\d ms\)/g, "(…)")).toBe(
      `${`POST ${vendorPath} → 202 WA202 (…)\n`.repeat(3)}GET /nowhere → 404 (…) — Route not resolved, no path matched\n`,
    );
    out.mockRestore();
    // A test process that exits with its mock still open.
    const script = [
      `import { startMock } from "./src/mock/index.ts";`,
      `const mock = await startMock({ log: "info" });`,
      `await (await fetch(mock.url + "/nowhere")).arrayBuffer();`,
      `process.exit(0);`,
    ].join("\n");
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const [code] = (await once(child, "close")) as [number];
    expect([code, stdout.replace(/\(\d+\.\d ms\)/g, "(…)")]).toEqual([0, "GET /nowhere → 404 (…) — Route not resolved, no path matched\n"]);
  });

  it("close() cuts in-flight and kept-alive connections, ends held answers at once, frees the port, and resolves again", async () => {
    const mock = await start({ latencyMs: maxLatencyMs });
    await mock.admin.addScenario({ match: { to: "+919800000001" }, respond: { fault: "no-response" } });
    const { port, hostname } = new URL(mock.url);
    // A kept-alive connection, idle after its answer (admin answers are not held back).
    const agent = new Agent({ keepAlive: true });
    const idle = await new Promise<Socket>((resolve, reject) =>
      httpGet(`${mock.url}/__admin/scenarios`, { agent }, (response) => {
        const socket = response.socket;
        response.resume();
        response.on("end", () => resolve(socket));
      }).on("error", reject),
    );
    // A request held by the latency, one by a fault, and one stalled mid-body.
    const heldByLatency = send(mock, "+919876543210").then(
      (response) => `answered ${response.status}`,
      (error: Error) => error.name,
    );
    const heldByFault = send(mock, "+919800000001").then(
      (response) => `answered ${response.status}`,
      (error: Error) => error.name,
    );
    const stalled = connect(Number(port), hostname);
    stalled.on("error", () => {});
    stalled.write(
      `POST ${vendorPath} HTTP/1.1\r\nhost: ${hostname}\r\napi-key: ${apiKey}\r\ncontent-type: application/json\r\ncontent-length: 100\r\nexpect: 100-continue\r\n\r\n`,
    );
    expect(String((await once(stalled, "data"))[0])).toMatch(/^HTTP\/1\.1 100 Continue/);
    stalled.write("{");
    await until("both held sends to arrive", async () => ((await mock.admin.scenarios())[0]!.matched === 1 ? true : undefined));
    const idleClosed = once(idle, "close");
    const stalledClosed = once(stalled, "close");
    await within("close()", mock.close());
    await within("the kept-alive connection's end", idleClosed);
    await within("the stalled request's end", stalledClosed);
    expect(await within("the held sends", Promise.all([heldByLatency, heldByFault]))).toEqual(["TypeError", "TypeError"]);
    await within("a second close()", mock.close());
    const refused = await new Promise<string>((resolve) =>
      connect(Number(port), hostname)
        .on("connect", () => resolve("connected"))
        .on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "")),
    );
    expect(refused).toBe("ECONNREFUSED");
    agent.destroy();
  });
});

/** A callback receiver that records each body and answers 204. */
async function startReceiver(): Promise<{ url: string; bodies: unknown[]; close(): Promise<void> }> {
  const bodies: unknown[] = [];
  const server = createHttpServer((request, response) => {
    let text = "";
    request.on("data", (chunk: Buffer) => (text += chunk.toString()));
    request.on("end", () => {
      bodies.push(JSON.parse(text));
      response.writeHead(204).end();
    });
  });
  const url = await listenOn(server, 0, "127.0.0.1");
  return {
    url,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
