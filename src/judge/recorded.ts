// Recorded traffic: one NDJSON record per exchange the proxy saw (request, answer, timing,
// findings; every secret masked), judged by the same checks as a planned run. The proxy judges
// each exchange as it passes; `conform --replay` judges a recording again, offline, against the
// contract as it is now.
import { constants, type Stats } from "node:fs";
import { open, stat, type FileHandle } from "node:fs/promises";
import { exampleMatching, operation } from "../contract/operation.ts";
import { maskDeep, type Masker } from "../http/secrets.ts";
import { checkAnswer, checkNames, type CheckName, type CheckResult, type Severity } from "./checks.ts";
import { type Case, type CaseRequest, type Expectation, type Observed, unanswered } from "./model.ts";
import { judgeRequest, type RequestJudgement } from "../contract/request.ts";
import type { CaseOutcome, RunResult } from "./result.ts";
import { OutcomeTally, type TalliedResult } from "./tally.ts";
import { curlFor } from "./wire.ts";
import { parseJson } from "../json/read.ts";

export const recordVersion = 1;

export interface RecordedRequest {
  method: string;
  /** As on the wire, secrets masked. */
  path: string;
  headers: Record<string, string>;
  body: string;
  bodyTruncated?: boolean;
}

export interface RecordedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ExchangeRecord {
  kind: "exchange";
  version: number;
  seq: number;
  at: string;
  upstream: string;
  request: RecordedRequest;
  /** Null when no answer came: `error` says why. */
  response: RecordedResponse | null;
  error: string | null;
  milliseconds: number;
  /** Where the request falls in the contract: its operation, another method on its path, or outside it. */
  contract: RequestJudgement["kind"];
  findings: { check: CheckName; severity: Severity; detail: string; fields?: string[] }[];
}

export interface JudgeOptions {
  selected?: ReadonlySet<CheckName>;
  maxResponseTimeMs?: number;
}

function expectationOf(judged: RequestJudgement): Expectation | undefined {
  if (judged.kind === "outside") return undefined;
  if (judged.kind === "method") return "unsupported-method";
  if (!judged.hasKey) return "unauthorized";
  return judged.issues.length ? "refused" : "valid";
}

function observedOf(record: Pick<ExchangeRecord, "response" | "error" | "milliseconds">): Observed {
  if (!record.response) return unanswered(record.error ?? "no answer", record.milliseconds);
  const parsed = parseJson(record.response.body);
  const json = parsed.ok ? parsed.value : undefined;
  return {
    status: record.response.status,
    contentType: record.response.headers["content-type"],
    headers: record.response.headers,
    text: record.response.body,
    json,
    transportError: undefined,
    milliseconds: record.milliseconds,
  };
}

/** The recorded request as a case, so reports show it as they show a planned one. */
function caseOf(record: Pick<ExchangeRecord, "seq" | "request">, judged: RequestJudgement, expect: Expectation): Case {
  const params = operation().matchPath(record.request.path.split("?")[0]!) ?? {};
  const decode = (value: string | undefined) => {
    try {
      return decodeURIComponent(value ?? "");
    } catch {
      return value ?? "";
    }
  };
  const request: CaseRequest = {
    method: record.request.method,
    sid: decode(params.sid),
    phoneNumber: decode(params.phone_number),
    body: record.request.body,
    contentType: record.request.headers["content-type"],
    key: judged.kind === "operation" && !judged.hasKey ? "none" : "account",
  };
  return { category: "recorded", title: `#${record.seq} ${record.request.method} ${record.request.path}`, request, expect, mayBeAccepted: false };
}

/** Judges one recorded exchange; undefined for a request outside the contract (not checked). */
export function judgeExchange(
  record: Pick<ExchangeRecord, "seq" | "request" | "response" | "error" | "milliseconds">,
  target: string,
  options: JudgeOptions = {},
): { contract: RequestJudgement["kind"]; outcome: CaseOutcome | undefined } {
  const judged = judgeRequest({ method: record.request.method, path: record.request.path, headers: record.request.headers, body: record.request.body });
  const expect = expectationOf(judged);
  if (expect === undefined) return { contract: judged.kind, outcome: undefined };
  const observed = observedOf(record);
  const checks: CheckResult[] = checkAnswer(
    {
      expect,
      observed,
      requestIssues: judged.kind === "operation" ? judged.issues : [],
      ...(options.maxResponseTimeMs === undefined ? {} : { maxResponseTimeMs: options.maxResponseTimeMs }),
    },
    options.selected ?? new Set(checkNames),
  );
  const testCase = caseOf(record, judged, expect);
  const example = observed.status === undefined ? undefined : exampleMatching(observed.status, observed.json)?.name;
  return { contract: judged.kind, outcome: { testCase, observed, checks, example, curl: curlFor(target, testCase.request) } };
}

export function findingsOf(outcome: CaseOutcome | undefined): ExchangeRecord["findings"] {
  return (outcome?.checks ?? [])
    .filter((check) => !check.ok)
    .map((check) => ({
      check: check.name,
      severity: check.severity ?? "violation",
      detail: check.detail,
      ...(check.fields?.length ? { fields: check.fields } : {}),
    }));
}

interface RecordedRun {
  target: string;
  lenient: boolean;
  interrupted?: string | undefined;
  file?: string | undefined;
}

function runOf(input: RecordedRun, outcomes: CaseOutcome[], exchanges: number, outside: number, ok: boolean): RunResult {
  return {
    target: input.target,
    mode: "live",
    remote: true,
    seed: 0,
    outcomes,
    shrunk: undefined,
    acceptableSent: 0,
    requestsSent: 0,
    interrupted: input.interrupted,
    callbacks: undefined,
    diagnosis: undefined,
    hints: [],
    lenient: input.lenient,
    recording: { exchanges, outside, ...(input.file === undefined ? {} : { file: input.file }) },
    ok,
  };
}

/** A run's result from recorded outcomes, every one of them in memory. */
export function recordedResult(input: RecordedRun & { outcomes: CaseOutcome[]; exchanges: number; outside: number }): RunResult {
  return runOf(input, input.outcomes, input.exchanges, input.outside, OutcomeTally.of(input.outcomes).passes(input.lenient));
}

/**
 * A run's result from a tally of recorded exchanges: what the proxy reports on stop, and the
 * replay. The counts are the tally's, exact; `outcomes` holds the outcomes it kept, as reports show them.
 */
export function talliedResult(input: RecordedRun & { tally: OutcomeTally }): TalliedResult {
  const tally = input.tally.copy();
  return { ...runOf(input, tally.kept(), tally.exchanges, tally.outside, tally.passes(input.lenient)), tally };
}

export class RecordingError extends Error {}

/** An object (not null, not an array) whose every value is a string: headers as the proxy records them. */
const isStringMap = (value: unknown): value is Record<string, string> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && Object.values(value).every((item) => typeof item === "string");

/** Every field replay reads, of the type the proxy writes: a record from elsewhere may hold anything. */
const isRecord = (value: unknown): value is ExchangeRecord => {
  const record = value as Partial<ExchangeRecord> | null;
  return (
    typeof record === "object" &&
    record !== null &&
    record.kind === "exchange" &&
    typeof record.seq === "number" &&
    typeof record.request === "object" &&
    record.request !== null &&
    typeof record.request.method === "string" &&
    typeof record.request.path === "string" &&
    typeof record.request.body === "string" &&
    isStringMap(record.request.headers) &&
    (record.response === null ||
      (typeof record.response === "object" &&
        typeof record.response.status === "number" &&
        typeof record.response.body === "string" &&
        isStringMap(record.response.headers))) &&
    (record.error === undefined || record.error === null || typeof record.error === "string") &&
    typeof record.milliseconds === "number"
  );
};

/** Longest line read from a recording: a record is a request and an answer, each bounded by the proxy. */
export const maxRecordLine = 8 * 1024 * 1024;

/** Judges a recording again, offline, against the contract as it is now. */
/**
 * The lines of a recording, each cut off when it passes `maxRecordLine` (refused then, not read
 * whole). Only a regular file is opened: a FIFO would block the open until a writer came, and a
 * device such as /dev/zero never ends.
 */
async function* recordLines(file: string): AsyncGenerator<{ number: number; line: string }> {
  let kind: Stats;
  try {
    kind = await stat(file);
  } catch (error) {
    throw new RecordingError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!kind.isFile()) throw new RecordingError(`cannot read ${file}: it is not a regular file (a recording is a file kaleyra-video proxy --record wrote)`);
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new RecordingError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const input = handle.createReadStream({ encoding: "utf8" });
  let pending = "";
  let number = 0;
  try {
    for await (const chunk of input as AsyncIterable<string>) {
      let start = 0;
      for (let end = chunk.indexOf("\n"); end >= 0; end = chunk.indexOf("\n", start)) {
        const line = (pending + chunk.slice(start, end)).replace(/\r$/, "");
        pending = "";
        start = end + 1;
        number++;
        if (line.length > maxRecordLine) throw new RecordingError(`line ${number} of ${file} is longer than ${maxRecordLine} characters`);
        yield { number, line };
      }
      pending += chunk.slice(start);
      // Refused as soon as it is too long: a line with no end is never held whole.
      if (pending.length > maxRecordLine + 1) throw new RecordingError(`line ${number + 1} of ${file} is longer than ${maxRecordLine} characters`);
    }
  } catch (error) {
    throw error instanceof RecordingError
      ? error
      : new RecordingError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  } finally {
    input.destroy();
    await handle.close().catch(() => {});
  }
  if (pending !== "") {
    const line = pending.replace(/\r$/, "");
    if (line.length > maxRecordLine) throw new RecordingError(`line ${number + 1} of ${file} is longer than ${maxRecordLine} characters`);
    yield { number: number + 1, line };
  }
}

export async function replayRecording(file: string, options: JudgeOptions & { lenient: boolean; mask: Masker }): Promise<TalliedResult> {
  // Each record is judged, tallied and let go: a recording of any length takes the same memory.
  const tally = new OutcomeTally();
  let upstream: string | undefined;
  for await (const { number, line } of recordLines(file)) {
    if (line.trim() === "") continue;
    const parsed = parseJson(line);
    if (!parsed.ok) {
      const why = parsed.kind === "malformed" ? "is not JSON" : `is JSON that ${parsed.problem}`;
      throw new RecordingError(`line ${number} of ${file} ${why}; a recording is one JSON record a line (kaleyra-video proxy --record)`);
    }
    const value = parsed.value;
    if (!isRecord(value)) throw new RecordingError(`line ${number} of ${file} is not an exchange record`);
    // A recording may come from elsewhere: its secrets are masked again before anything shows them.
    const record = maskDeep(value, options.mask) as ExchangeRecord;
    upstream ??= typeof record.upstream === "string" ? record.upstream : "the recorded target";
    tally.record(judgeExchange(record, upstream, options).outcome);
  }
  return talliedResult({ target: upstream ?? "the recorded target", tally, lenient: options.lenient, file });
}
