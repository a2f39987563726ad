import type { CallbackSettings } from "../callbacks/sender.ts";
import { headerValueProblem } from "../http/secrets.ts";
import { callbackUrlProblem } from "../callbacks/url.ts";
import type { ValidationIssue } from "../contract/issues.ts";

// The mock's settings, read from the environment (npm start) or from startMock's options. Each
// account field left unset is not checked.
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

// Each setting has one check, of a value already read, in words ("must be …"). Both readers use
// it: the environment's names the variable and quotes its text; startMock's names the option.
type Problem = string | undefined;

const engineChoices: readonly EngineChoice[] = ["fast", "prism"];
const logLevels: readonly LogLevel[] = ["info", "silent"];
export const defaultRequestTimeoutMs = 30_000;
export const minRequestTimeoutMs = 100;
export const maxCallbackAttempts = 100;
const maxPort = 65535;

const quotedChoices = (choices: readonly string[]) => choices.map((choice) => JSON.stringify(choice)).join(" or ");
const isWhole = (value: unknown, min: number, max: number) => typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
const wholeNumberProblem = (value: unknown, min: number, max: number): Problem =>
  isWhole(value, min, max) ? undefined : `must be a whole number from ${min} to ${max}`;

export const settingProblems = {
  host: (value: unknown): Problem =>
    // biome-ignore lint/suspicious/noControlCharactersInRegex: a host name holds no control character
    typeof value === "string" && /^[^\s\u0000-\u001f\u007f]+$/.test(value) ? undefined : "must be a host name or an IP address, with no spaces",
  port: (value: unknown): Problem => wholeNumberProblem(value, 0, maxPort),
  /** The account's key, its SID and each business number: compared with what a request carries, so never blank or padded. */
  accountText: (value: unknown): Problem =>
    typeof value === "string" && value !== "" && value.trim() === value ? undefined : "must be a non-empty string with no space at either end",
  log: (value: unknown): Problem => (logLevels.includes(value as LogLevel) ? undefined : `must be ${quotedChoices(logLevels)}`),
  engine: (value: unknown): Problem => (engineChoices.includes(value as EngineChoice) ? undefined : `must be ${quotedChoices(engineChoices)}`),
  requestTimeoutMs: (value: unknown): Problem =>
    isWhole(value, minRequestTimeoutMs, Number.MAX_SAFE_INTEGER) ? undefined : `must be a whole number of at least ${minRequestTimeoutMs}`,
  /** Either end of the latency, or a fixed latency. */
  latencyBound: (value: unknown): Problem => wholeNumberProblem(value, 0, maxLatencyMs),
  latencyRange: ({ min, max }: Latency): Problem => (min > max ? "must be a range min-max with min ≤ max" : undefined),
  journalLimit: (value: unknown): Problem => wholeNumberProblem(value, 0, maxJournalLimit),
  /** Never quoted: it is a secret. */
  adminToken: (value: unknown): Problem => headerValueProblem(value),
  callbackUrl: (value: unknown): Problem => (typeof value === "string" ? callbackUrlProblem(value) : "must be a string"),
  callbackDelay: (value: unknown): Problem => wholeNumberProblem(value, 0, maxLatencyMs),
  callbackAttempts: (value: unknown): Problem => wholeNumberProblem(value, 1, maxCallbackAttempts),
};

/** A variable's value, or a ConfigError naming it and quoting its text (`quote: false` for what may hold a secret). */
function fromEnv<T>(name: string, text: string | undefined, value: T, problemOf: (value: T) => Problem, quote = true): T {
  const problem = problemOf(value);
  if (problem !== undefined) throw new ConfigError(quote ? `${name} ${problem}, not ${JSON.stringify(text)}` : `${name} ${problem}`);
  return value;
}

/** Digits only: "1.0", "1e3" and "+1" are not whole numbers as written. */
const digits = (text: string) => (/^\d+$/.test(text) ? Number(text) : Number.NaN);

function parsePort(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return 4010;
  return fromEnv("PORT", value, Number(value), settingProblems.port);
}

function parseEngine(value: string | undefined): EngineChoice {
  // The check has just said it is one of the choices.
  return fromEnv("KALEYRA_MOCK_ENGINE", value, nonEmpty(value) ?? "fast", settingProblems.engine) as EngineChoice;
}

function parseTimeout(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return defaultRequestTimeoutMs;
  return fromEnv("KALEYRA_MOCK_REQUEST_TIMEOUT_MS", value, Number(value), settingProblems.requestTimeoutMs);
}

function parseLog(value: string | undefined): LogLevel {
  return fromEnv("KALEYRA_MOCK_LOG", value, nonEmpty(value) ?? "info", settingProblems.log) as LogLevel;
}

/** `250` or `100-900` (milliseconds). */
export function parseLatency(value: string | undefined): Latency {
  const text = value?.trim() ?? "";
  if (text === "") return { min: 0, max: 0 };
  const name = "KALEYRA_MOCK_LATENCY_MS";
  const bound = (part: string) => fromEnv(name, part, digits(part), settingProblems.latencyBound);
  const range = /^(\d+)\s*-\s*(\d+)$/.exec(text);
  if (range) return fromEnv(name, value, { min: bound(range[1]!), max: bound(range[2]!) }, settingProblems.latencyRange);
  if (!/^\d+$/.test(text)) throw new ConfigError(`${name} must be milliseconds (250) or a range (100-900), not ${JSON.stringify(value)}`);
  const fixed = bound(text);
  return { min: fixed, max: fixed };
}

function parseCallbacks(env: NodeJS.ProcessEnv): Partial<CallbackSettings> {
  const callbacks: Partial<CallbackSettings> = {};
  const url = nonEmpty(env.KALEYRA_MOCK_CALLBACK_URL);
  if (url !== undefined) callbacks.url = fromEnv("KALEYRA_MOCK_CALLBACK_URL", url, url, settingProblems.callbackUrl, false);
  const delays = nonEmpty(env.KALEYRA_MOCK_CALLBACK_DELAYS_MS);
  if (delays !== undefined)
    callbacks.delaysMs = delays
      .split(",")
      .map((delay) => fromEnv("KALEYRA_MOCK_CALLBACK_DELAYS_MS", delay.trim(), digits(delay.trim()), settingProblems.callbackDelay));
  const attempts = nonEmpty(env.KALEYRA_MOCK_CALLBACK_ATTEMPTS);
  if (attempts !== undefined) callbacks.attempts = fromEnv("KALEYRA_MOCK_CALLBACK_ATTEMPTS", attempts, digits(attempts), settingProblems.callbackAttempts);
  return callbacks;
}

function parseJournalLimit(value: string | undefined): number {
  const text = value?.trim() ?? "";
  return text === "" ? defaultJournalLimit : fromEnv("KALEYRA_MOCK_JOURNAL_LIMIT", text, digits(text), settingProblems.journalLimit);
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): MockConfig {
  const account: MockAccount = {};
  const apiKey = nonEmpty(env.KALEYRA_MOCK_API_KEY);
  const sid = nonEmpty(env.KALEYRA_MOCK_SID);
  const phoneNumbers = nonEmpty(env.KALEYRA_MOCK_PHONE_NUMBERS)
    ?.split(",")
    .map((number) => number.trim())
    .filter((number) => number !== "");
  if (apiKey) account.apiKey = fromEnv("KALEYRA_MOCK_API_KEY", undefined, apiKey, settingProblems.accountText, false);
  if (sid) account.sid = fromEnv("KALEYRA_MOCK_SID", sid, sid, settingProblems.accountText);
  if (phoneNumbers?.length)
    account.phoneNumbers = phoneNumbers.map((number) => fromEnv("KALEYRA_MOCK_PHONE_NUMBERS", number, number, settingProblems.accountText));
  const adminToken = nonEmpty(env.KALEYRA_MOCK_ADMIN_TOKEN);
  if (adminToken !== undefined) fromEnv("KALEYRA_MOCK_ADMIN_TOKEN", undefined, adminToken, settingProblems.adminToken, false);
  const host = nonEmpty(env.HOST);
  return {
    host: host === undefined ? "127.0.0.1" : fromEnv("HOST", env.HOST, host, settingProblems.host),
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

/** startMock's options: the settings the environment gives (the README's Settings table), typed. */
export interface StartMockOptions {
  /** The interface to listen on; 127.0.0.1 by default. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The account requests must belong to; a field left out is not checked. */
  account?: MockAccount;
  /** Every answer on the vendor's path is held back this long: fixed, or drawn afresh for each from min to max. None by default. */
  latencyMs?: number | Latency;
  /** How many requests the journal keeps (oldest dropped first); 0 turns it off. 1000 by default. */
  journalLimit?: number;
  /** The admin API then needs `Authorization: Bearer <token>`; the mock's `admin` client sends it. */
  adminToken?: string;
  /** Status callbacks after each 202, to `url` (none without one); reset goes back to this URL. */
  callbacks?: { url?: string; delaysMs?: readonly number[]; attempts?: number };
  /** "fast" (the default) or "prism": every request through Prism. */
  engine?: EngineChoice;
  /** A request not complete by then gets 408; 30000 by default. */
  requestTimeoutMs?: number;
  /** "silent" (the default), "info" (one line per request on stdout), or a function given each line. */
  log?: LogLevel | ((line: string) => void);
}

export type OptionsRead = { ok: true; config: MockConfig; lines: ((line: string) => void) | undefined } | { ok: false; issues: ValidationIssue[] };

// The names each options object takes, checked against its type: a new option is a compile error here until it is read.
const optionNames: Record<keyof StartMockOptions, true> = {
  host: true,
  port: true,
  account: true,
  latencyMs: true,
  journalLimit: true,
  adminToken: true,
  callbacks: true,
  engine: true,
  requestTimeoutMs: true,
  log: true,
};
export const startMockOptionNames = Object.keys(optionNames) as (keyof StartMockOptions)[];
const accountNames: Record<keyof MockAccount, true> = { apiKey: true, sid: true, phoneNumbers: true };
const callbackNames: Record<keyof NonNullable<StartMockOptions["callbacks"]>, true> = { url: true, delaysMs: true, attempts: true };
const latencyNames: Record<keyof Latency, true> = { min: true, max: true };

/** A key as an option's name: as written when it is an identifier, else quoted and escaped (it came from outside). */
const shownKey = (key: string) =>
  /^[A-Za-z_$][\w$]*$/.test(key)
    ? key
    : JSON.stringify(key).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** startMock's options as the mock's settings, or every option at fault, by name (its value never quoted: it may be a secret). */
export function configFromOptions(options: unknown): OptionsRead {
  const issues: ValidationIssue[] = [];
  const refuse = (field: string, message: string, rule = "option") => {
    issues.push({ field, rule, message });
  };
  /** The value when its check passes; undefined, with the option refused, when not. */
  const checked = <T>(field: string, value: unknown, problemOf: (value: unknown) => Problem): T | undefined => {
    const problem = problemOf(value);
    if (problem === undefined) return value as T;
    refuse(field, problem);
    return undefined;
  };
  /** The fields of the object named `at` that are set; its unknown keys refused by name. */
  const fieldsOf = (value: unknown, at: string | undefined, known: Record<string, true>): Record<string, unknown> => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      refuse(at ?? "(options)", "must be an object");
      return {};
    }
    const fields: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      if (!Object.hasOwn(known, key))
        refuse(
          at === undefined ? shownKey(key) : `${at}.${shownKey(key)}`,
          `is not an option; the options${at === undefined ? "" : ` of ${at}`} are ${Object.keys(known).join(", ")}`,
          "additionalProperties",
        );
      else if (field !== undefined) fields[key] = field;
    }
    return fields;
  };
  /** A list of at least one item, each checked by name (`at[0]`, `at[1]`…); a copy, so later changes by the caller do not reach the mock. */
  const listOf = <T>(at: string, value: unknown, problemOf: (value: unknown) => Problem): T[] | undefined => {
    if (!Array.isArray(value) || value.length === 0) {
      refuse(at, "must be a list of at least one item");
      return undefined;
    }
    const items = value.map((item, index) => checked<T>(`${at}[${index}]`, item, problemOf));
    return items.every((item) => item !== undefined) ? (items as T[]) : undefined;
  };

  // In the order of StartMockOptions, so that the issues are too.
  const given = fieldsOf(options === undefined ? {} : options, undefined, optionNames);
  const host = checked<string>("host", given.host ?? "127.0.0.1", settingProblems.host);
  const port = checked<number>("port", given.port ?? 0, settingProblems.port);
  const account: MockAccount = {};
  if (given.account !== undefined) {
    const fields = fieldsOf(given.account, "account", accountNames);
    const apiKey = fields.apiKey === undefined ? undefined : checked<string>("account.apiKey", fields.apiKey, settingProblems.accountText);
    const sid = fields.sid === undefined ? undefined : checked<string>("account.sid", fields.sid, settingProblems.accountText);
    const phoneNumbers =
      fields.phoneNumbers === undefined ? undefined : listOf<string>("account.phoneNumbers", fields.phoneNumbers, settingProblems.accountText);
    if (apiKey !== undefined) account.apiKey = apiKey;
    if (sid !== undefined) account.sid = sid;
    if (phoneNumbers !== undefined) account.phoneNumbers = phoneNumbers;
  }
  let latency: Latency | undefined = { min: 0, max: 0 };
  if (typeof given.latencyMs === "number") {
    const fixed = checked<number>("latencyMs", given.latencyMs, settingProblems.latencyBound);
    latency = fixed === undefined ? undefined : { min: fixed, max: fixed };
  } else if (typeof given.latencyMs === "object" && given.latencyMs !== null && !Array.isArray(given.latencyMs)) {
    const fields = fieldsOf(given.latencyMs, "latencyMs", latencyNames);
    const min = checked<number>("latencyMs.min", fields.min, settingProblems.latencyBound);
    const max = checked<number>("latencyMs.max", fields.max, settingProblems.latencyBound);
    latency =
      min === undefined || max === undefined
        ? undefined
        : checked<Latency>("latencyMs", { min, max }, (range) => settingProblems.latencyRange(range as Latency));
  } else if (given.latencyMs !== undefined) {
    refuse("latencyMs", "must be milliseconds (a number) or a range ({ min, max })");
  }
  const journalLimit = checked<number>("journalLimit", given.journalLimit ?? defaultJournalLimit, settingProblems.journalLimit);
  const adminToken = given.adminToken === undefined ? undefined : checked<string>("adminToken", given.adminToken, settingProblems.adminToken);
  const callbacks: Partial<CallbackSettings> = {};
  if (given.callbacks !== undefined) {
    const fields = fieldsOf(given.callbacks, "callbacks", callbackNames);
    const url = fields.url === undefined ? undefined : checked<string>("callbacks.url", fields.url, settingProblems.callbackUrl);
    const delaysMs = fields.delaysMs === undefined ? undefined : listOf<number>("callbacks.delaysMs", fields.delaysMs, settingProblems.callbackDelay);
    const attempts = fields.attempts === undefined ? undefined : checked<number>("callbacks.attempts", fields.attempts, settingProblems.callbackAttempts);
    if (url !== undefined) callbacks.url = url;
    if (delaysMs !== undefined) callbacks.delaysMs = delaysMs;
    if (attempts !== undefined) callbacks.attempts = attempts;
  }
  const engine = checked<EngineChoice>("engine", given.engine ?? "fast", settingProblems.engine);
  const requestTimeoutMs = checked<number>("requestTimeoutMs", given.requestTimeoutMs ?? defaultRequestTimeoutMs, settingProblems.requestTimeoutMs);
  const lines = typeof given.log === "function" ? (given.log as (line: string) => void) : undefined;
  const logProblem = (value: unknown) => {
    const problem = settingProblems.log(value);
    return problem === undefined ? undefined : `${problem}, or a function that takes each line`;
  };
  // A function is given the lines "info" writes.
  const log = lines ? "info" : checked<LogLevel>("log", given.log ?? "silent", logProblem);
  if (issues.length > 0) return { ok: false, issues };
  // Each value below passed its check: an undefined one would have added an issue.
  const config: MockConfig = {
    host: host!,
    port: port!,
    account,
    log: log!,
    bodyLimitBytes: defaultBodyLimitBytes,
    engine: engine!,
    requestTimeoutMs: requestTimeoutMs!,
    latency: latency!,
    journalLimit: journalLimit!,
    callbacks,
    ...(adminToken === undefined ? {} : { adminToken }),
  };
  return { ok: true, config, lines };
}
