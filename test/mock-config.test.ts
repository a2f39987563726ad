// The mock's settings from the environment, each at its limits and one past them; every refusal
// is a ConfigError naming the variable and the value (npm start prints it and exits 2).
import { describe, expect, it } from "vitest";
import { ConfigError, configFromEnv, defaultJournalLimit, maxJournalLimit, maxLatencyMs, parseLatency } from "../src/mock/config.ts";

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
    for (const env of [{}, { PORT: " ", HOST: " ", KALEYRA_MOCK_ENGINE: "", KALEYRA_MOCK_LOG: " ", KALEYRA_MOCK_REQUEST_TIMEOUT_MS: " ", KALEYRA_MOCK_LATENCY_MS: " ", KALEYRA_MOCK_JOURNAL_LIMIT: " " }]) {
      expect(configFromEnv(env)).toMatchObject({ host: "127.0.0.1", port: 4010, engine: "fast", log: "info", requestTimeoutMs: 30_000, latency: { min: 0, max: 0 }, journalLimit: defaultJournalLimit, callbacks: {}, account: {} });
    }
  });

  it("PORT: 0 to 65535", () => {
    expect([configFromEnv({ PORT: "0" }).port, configFromEnv({ PORT: "65535" }).port]).toEqual([0, 65535]);
    for (const port of ["-1", "65536", "80.5", "http"]) expect(refused({ PORT: port })).toBe(`PORT must be a whole number from 0 to 65535, not ${JSON.stringify(port)}`);
  });

  it("KALEYRA_MOCK_ENGINE: fast or prism; KALEYRA_MOCK_LOG: info or silent", () => {
    expect([configFromEnv({ KALEYRA_MOCK_ENGINE: "prism" }).engine, configFromEnv({ KALEYRA_MOCK_ENGINE: " fast " }).engine]).toEqual(["prism", "fast"]);
    expect(refused({ KALEYRA_MOCK_ENGINE: "Prism" })).toBe('KALEYRA_MOCK_ENGINE must be "fast" or "prism", not "Prism"');
    expect(configFromEnv({ KALEYRA_MOCK_LOG: "silent" }).log).toBe("silent");
    expect(refused({ KALEYRA_MOCK_LOG: "debug" })).toBe('KALEYRA_MOCK_LOG must be "info" or "silent", not "debug"');
  });

  it("KALEYRA_MOCK_REQUEST_TIMEOUT_MS: a whole number of at least 100", () => {
    expect(configFromEnv({ KALEYRA_MOCK_REQUEST_TIMEOUT_MS: "100" }).requestTimeoutMs).toBe(100);
    for (const ms of ["99", "100.5", "soon"]) expect(refused({ KALEYRA_MOCK_REQUEST_TIMEOUT_MS: ms })).toBe(`KALEYRA_MOCK_REQUEST_TIMEOUT_MS must be a whole number of at least 100, not ${JSON.stringify(ms)}`);
  });

  it(`KALEYRA_MOCK_LATENCY_MS: a fixed time or a range, up to ${maxLatencyMs}`, () => {
    expect(parseLatency("250")).toEqual({ min: 250, max: 250 });
    expect(parseLatency(" 100 - 900 ")).toEqual({ min: 100, max: 900 });
    expect(parseLatency(`${maxLatencyMs}`)).toEqual({ min: maxLatencyMs, max: maxLatencyMs });
    expect(parseLatency("5-5")).toEqual({ min: 5, max: 5 });
    expect(refused({ KALEYRA_MOCK_LATENCY_MS: `${maxLatencyMs + 1}` })).toBe(`KALEYRA_MOCK_LATENCY_MS must be a whole number from 0 to ${maxLatencyMs}, not "${maxLatencyMs + 1}"`);
    expect(refused({ KALEYRA_MOCK_LATENCY_MS: "6-5" })).toBe('KALEYRA_MOCK_LATENCY_MS must be a range min-max with min ≤ max, not "6-5"');
    for (const text of ["x250", "250x", "2.5", "-5"]) expect(refused({ KALEYRA_MOCK_LATENCY_MS: text })).toBe(`KALEYRA_MOCK_LATENCY_MS must be milliseconds (250) or a range (100-900), not ${JSON.stringify(text)}`);
  });

  it(`KALEYRA_MOCK_JOURNAL_LIMIT: 0 to ${maxJournalLimit}`, () => {
    expect([configFromEnv({ KALEYRA_MOCK_JOURNAL_LIMIT: "0" }).journalLimit, configFromEnv({ KALEYRA_MOCK_JOURNAL_LIMIT: ` ${maxJournalLimit} ` }).journalLimit]).toEqual([0, maxJournalLimit]);
    for (const text of [`${maxJournalLimit + 1}`, "1x", "x1"]) expect(refused({ KALEYRA_MOCK_JOURNAL_LIMIT: text })).toBe(`KALEYRA_MOCK_JOURNAL_LIMIT must be a whole number from 0 to ${maxJournalLimit}, not ${JSON.stringify(text)}`);
  });

  it("the callbacks: delays each up to the latency limit, attempts 1 to 100", () => {
    expect(configFromEnv({ KALEYRA_MOCK_CALLBACK_DELAYS_MS: "0, 10,20", KALEYRA_MOCK_CALLBACK_ATTEMPTS: "1" }).callbacks).toEqual({ delaysMs: [0, 10, 20], attempts: 1 });
    expect(configFromEnv({ KALEYRA_MOCK_CALLBACK_ATTEMPTS: " 100 " }).callbacks).toEqual({ attempts: 100 });
    for (const attempts of ["0", "101", "5x", "x5", "1.0"]) expect(refused({ KALEYRA_MOCK_CALLBACK_ATTEMPTS: attempts })).toBe(`KALEYRA_MOCK_CALLBACK_ATTEMPTS must be a whole number from 1 to 100, not ${JSON.stringify(attempts)}`);
    expect(refused({ KALEYRA_MOCK_CALLBACK_DELAYS_MS: "10,x" })).toBe(`KALEYRA_MOCK_CALLBACK_DELAYS_MS must be a whole number from 0 to ${maxLatencyMs}, not "x"`);
  });

  it("the account: trimmed, blank parts dropped", () => {
    expect(configFromEnv({ KALEYRA_MOCK_API_KEY: " k-1 ", KALEYRA_MOCK_SID: " HX1 ", KALEYRA_MOCK_PHONE_NUMBERS: " +911, ,+912 ,", HOST: " 0.0.0.0 " })).toMatchObject({ host: "0.0.0.0", account: { apiKey: "k-1", sid: "HX1", phoneNumbers: ["+911", "+912"] } });
    expect(configFromEnv({ KALEYRA_MOCK_PHONE_NUMBERS: " , " }).account).toEqual({});
  });
});

describe("the mock's defaults are the README's", () => {
  it("each setting's default in the README's table is what the mock takes with the variable unset", async () => {
    const { readFileSync } = await import("node:fs");
    const { defaultCallbackSettings } = await import("../src/mock/config.ts");
    const readme = readFileSync("README.md", "utf8");
    const documented = (name: string) => new RegExp(`^\\| \`${name}\` \\| \`([^\`]+)\` \\|`, "m").exec(readme)?.[1];
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
    expect(readme).toContain(`${defaultCallbackSettings.backoffMs} ms before the second, doubled after`);
    // "body over **1 MiB**": the limit is 1 MiB exactly.
    expect(readme).toContain("| body over **1 MiB** |");
    expect(config.bodyLimitBytes).toBe(1024 * 1024);
  });
});
