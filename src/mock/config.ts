import type { CallbackSettings } from "../callbacks/sender.ts";
import { headerValueProblem } from "../http/secrets.ts";
import { callbackUrlProblem } from "../callbacks/url.ts";

// The mock's settings, read from the environment. Each account field left unset is not checked.
export interface MockAccount {
  apiKey?: string;
  sid?: string;
  phoneNumbers?: readonly string[];
}

export type LogLevel = "info" | "silent";

/** "fast": the plain case without Prism (the default); "prism": every request through Prism. */
export type EngineChoice = "fast" | "prism";

export interface MockConfig {
  host: string;
  /** 0 picks a free port. */
  port: number;
  account: MockAccount;
  log: LogLevel;
  /** Bodies larger than this are answered with WA400 without being read to the end. */
  bodyLimitBytes: number;
  engine: EngineChoice;
  /** A request (headers and body) not complete within this is answered 408 and closed. */
  requestTimeoutMs: number;
  /** Every answer on the vendor's path is held back this long, drawn afresh for each (0–0 by default). */
  latency?: Latency;
  /** How many requests the journal keeps (oldest dropped first); 0 turns it off. 1000 by default. */
  journalLimit?: number;
  /** `Authorization: Bearer <token>` the admin API asks for; needed for it to be on off loopback. */
  adminToken?: string;
  /** Status callbacks after each 202; off while no URL is set (here or by the admin API). */
  callbacks?: Partial<CallbackSettings>;
}

export const defaultCallbackSettings: Omit<CallbackSettings, "url"> = {
  delaysMs: [100, 200, 300],
  attempts: 4,
  backoffMs: 200,
  timeoutMs: 5_000,
  queueLimit: 10_000,
  concurrency: 256,
  keep: 1_000,
  sandboxLimit: 1_000,
};

/** Milliseconds, drawn uniformly from min to max (equal for a fixed latency). */
export interface Latency {
  min: number;
  max: number;
}

export const defaultJournalLimit = 1000;
/** The largest latency and journal limit the settings take: a typo should not hang a test run for days. */
export const maxLatencyMs = 600_000;
export const maxJournalLimit = 100_000;

export const defaultBodyLimitBytes = 1024 * 1024;

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function parsePort(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return 4010;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be a whole number from 0 to 65535, not ${JSON.stringify(value)}`);
  }
  return port;
}

function parseEngine(value: string | undefined): EngineChoice {
  const engine = nonEmpty(value) ?? "fast";
  if (engine !== "fast" && engine !== "prism") {
    throw new ConfigError(`KALEYRA_MOCK_ENGINE must be "fast" or "prism", not ${JSON.stringify(value)}`);
  }
  return engine;
}

function parseTimeout(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return 30_000;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 100) throw new ConfigError(`KALEYRA_MOCK_REQUEST_TIMEOUT_MS must be a whole number of at least 100, not ${JSON.stringify(value)}`);
  return ms;
}

function parseLog(value: string | undefined): LogLevel {
  const level = nonEmpty(value) ?? "info";
  if (level !== "info" && level !== "silent") {
    throw new ConfigError(`KALEYRA_MOCK_LOG must be "info" or "silent", not ${JSON.stringify(value)}`);
  }
  return level;
}

function wholeNumber(name: string, text: string, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > max) throw new ConfigError(`${name} must be a whole number from 0 to ${max}, not ${JSON.stringify(text)}`);
  return value;
}

/** `250` or `100-900` (milliseconds). */
export function parseLatency(value: string | undefined): Latency {
  const text = value?.trim() ?? "";
  if (text === "") return { min: 0, max: 0 };
  const name = "KALEYRA_MOCK_LATENCY_MS";
  const range = /^(\d+)\s*-\s*(\d+)$/.exec(text);
  if (range) {
    const min = wholeNumber(name, range[1]!, maxLatencyMs);
    const max = wholeNumber(name, range[2]!, maxLatencyMs);
    if (min > max) throw new ConfigError(`${name} must be a range min-max with min ≤ max, not ${JSON.stringify(value)}`);
    return { min, max };
  }
  if (!/^\d+$/.test(text)) throw new ConfigError(`${name} must be milliseconds (250) or a range (100-900), not ${JSON.stringify(value)}`);
  const fixed = wholeNumber(name, text, maxLatencyMs);
  return { min: fixed, max: fixed };
}

function parseCallbacks(env: NodeJS.ProcessEnv): Partial<CallbackSettings> {
  const callbacks: Partial<CallbackSettings> = {};
  const url = nonEmpty(env.KALEYRA_MOCK_CALLBACK_URL);
  if (url !== undefined) {
    const problem = callbackUrlProblem(url);
    if (problem) throw new ConfigError(`KALEYRA_MOCK_CALLBACK_URL ${problem}`);
    callbacks.url = url;
  }
  const delays = nonEmpty(env.KALEYRA_MOCK_CALLBACK_DELAYS_MS);
  if (delays !== undefined) callbacks.delaysMs = delays.split(",").map((delay) => wholeNumber("KALEYRA_MOCK_CALLBACK_DELAYS_MS", delay.trim(), maxLatencyMs));
  const attempts = nonEmpty(env.KALEYRA_MOCK_CALLBACK_ATTEMPTS);
  if (attempts !== undefined) {
    const count = Number(attempts);
    if (!/^\d+$/.test(attempts) || count < 1 || count > 100) throw new ConfigError(`KALEYRA_MOCK_CALLBACK_ATTEMPTS must be a whole number from 1 to 100, not ${JSON.stringify(attempts)}`);
    callbacks.attempts = count;
  }
  return callbacks;
}

function parseJournalLimit(value: string | undefined): number {
  const text = value?.trim() ?? "";
  return text === "" ? defaultJournalLimit : wholeNumber("KALEYRA_MOCK_JOURNAL_LIMIT", text, maxJournalLimit);
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): MockConfig {
  const account: MockAccount = {};
  const apiKey = nonEmpty(env.KALEYRA_MOCK_API_KEY);
  const sid = nonEmpty(env.KALEYRA_MOCK_SID);
  const phoneNumbers = nonEmpty(env.KALEYRA_MOCK_PHONE_NUMBERS)
    ?.split(",")
    .map((number) => number.trim())
    .filter((number) => number !== "");
  if (apiKey) account.apiKey = apiKey;
  if (sid) account.sid = sid;
  if (phoneNumbers?.length) account.phoneNumbers = phoneNumbers;
  const adminToken = nonEmpty(env.KALEYRA_MOCK_ADMIN_TOKEN);
  if (adminToken !== undefined && headerValueProblem(adminToken) !== undefined) {
    throw new ConfigError(`KALEYRA_MOCK_ADMIN_TOKEN ${headerValueProblem(adminToken)}`);
  }
  return {
    host: nonEmpty(env.HOST) ?? "127.0.0.1",
    port: parsePort(env.PORT),
    account,
    log: parseLog(env.KALEYRA_MOCK_LOG),
    bodyLimitBytes: defaultBodyLimitBytes,
    engine: parseEngine(env.KALEYRA_MOCK_ENGINE),
    requestTimeoutMs: parseTimeout(env.KALEYRA_MOCK_REQUEST_TIMEOUT_MS),
    latency: parseLatency(env.KALEYRA_MOCK_LATENCY_MS),
    journalLimit: parseJournalLimit(env.KALEYRA_MOCK_JOURNAL_LIMIT),
    callbacks: parseCallbacks(env),
    ...(adminToken === undefined ? {} : { adminToken }),
  };
}
