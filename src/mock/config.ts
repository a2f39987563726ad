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
}

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
  return {
    host: nonEmpty(env.HOST) ?? "127.0.0.1",
    port: parsePort(env.PORT),
    account,
    log: parseLog(env.KALEYRA_MOCK_LOG),
    bodyLimitBytes: defaultBodyLimitBytes,
    engine: parseEngine(env.KALEYRA_MOCK_ENGINE),
    requestTimeoutMs: parseTimeout(env.KALEYRA_MOCK_REQUEST_TIMEOUT_MS),
  };
}
