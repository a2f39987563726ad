// What replay reads: only a regular file, line by line, each line refused as soon as it passes
// the limit, never read whole: a FIFO with no writer, a device that never ends, a line with no end.
// What it keeps: counts of every record, and a bounded sample of outcomes, however long the file.
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { example, operation } from "../src/contract/operation.ts";
import { maxRecordLine, RecordingError, replayRecording } from "../src/judge/recorded.ts";
import { checkTotals, coverage, drift, findings, firstFinding, jsonReport, junit, lenientFields, summary, undocumentedAnswers } from "../src/judge/report.ts";
import type { RunResult } from "../src/judge/result.ts";
import { maxKeptOutcomes, maxNamedKinds, maxSampleLength } from "../src/judge/tally.ts";

const options = { lenient: false, mask: (text: string) => text };
/** A record as the proxy writes it: an accepted send. */
const goodRecord = {
  kind: "exchange",
  version: 1,
  seq: 1,
  at: "",
  upstream: "http://pod",
  request: {
    method: "POST",
    path: operation().path.replace("{sid}", "HXAP16XXXXXX97IN").replace("{phone_number}", "+918630005920"),
    headers: { "content-type": "application/json" },
    body: JSON.stringify(operation().requestExamples["by-media-id"]),
  },
  response: { status: 202, headers: { "content-type": "application/json" }, body: JSON.stringify(example("accepted").value) },
  error: null,
  milliseconds: 5,
  contract: "operation",
  findings: [],
};
/** The record as one line of exactly `length` characters. */
const padded = (length: number) => {
  const base = JSON.stringify(goodRecord);
  return JSON.stringify({ ...goodRecord, at: "x".repeat(length - base.length) });
};
const failureOf = (file: string) =>
  replayRecording(file, options).then(
    () => undefined,
    (error: unknown) => error,
  );

describe("the files replay reads", () => {
  it("refuses a FIFO, a device and a folder without opening them for long", async () => {
    const folder = mkdtempSync(join(tmpdir(), "replay-files-"));
    const fifo = join(folder, "pipe");
    execFileSync("mkfifo", [fifo]);
    for (const file of [fifo, "/dev/zero", folder]) {
      const error = await failureOf(file);
      expect(error).toBeInstanceOf(RecordingError);
      expect((error as Error).message).toBe(`cannot read ${file}: it is not a regular file (a recording is a file kaleyra-video proxy --record wrote)`);
    }
    const missing = join(folder, "missing.ndjson");
    expect(((await failureOf(missing)) as Error).message).toBe(`cannot read ${missing}: ENOENT`);
  });

  it("refuses a line with no end once it passes the limit, naming its number", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "replay-long-")), "long.ndjson");
    writeFileSync(file, `\n\n${"x".repeat(maxRecordLine * 3)}`);
    expect(((await failureOf(file)) as Error).message).toBe(`line 3 of ${file} is longer than ${maxRecordLine} characters`);
  });

  it("refuses a line with no end in a file of any size without reading on: a 64 GiB sparse file of NULs", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "replay-sparse-")), "sparse.ndjson");
    closeSync(openSync(file, "w"));
    truncateSync(file, 64 * 1024 ** 3);
    expect(((await failureOf(file)) as Error).message).toBe(`line 1 of ${file} is longer than ${maxRecordLine} characters`);
  });

  it("reads a last line without a newline at the limit, and refuses it one past", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "replay-last-")), "last.ndjson");
    writeFileSync(file, `\n${padded(maxRecordLine)}`);
    expect((await replayRecording(file, options)).recording!.exchanges).toBe(1);
    // A CR before the end of the file is the line's ending, not part of it.
    writeFileSync(file, `\n${padded(maxRecordLine)}\r`);
    expect((await replayRecording(file, options)).recording!.exchanges).toBe(1);
    writeFileSync(file, `\n${padded(maxRecordLine + 1)}`);
    expect(((await failureOf(file)) as Error).message).toBe(`line 2 of ${file} is longer than ${maxRecordLine} characters`);
  });

  it("reads a record without an error field, and refuses headers with one value that is not a string", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "replay-fields-")), "fields.ndjson");
    const { error: _, ...withoutError } = goodRecord;
    writeFileSync(file, `${JSON.stringify(withoutError)}\n`);
    expect((await replayRecording(file, options)).recording!.exchanges).toBe(1);
    for (const [side, headers] of [
      ["request", { "content-type": "application/json", "x-count": 5 }],
      ["response", { "x-count": 5, "content-type": "application/json" }],
    ] as const) {
      writeFileSync(file, `${JSON.stringify({ ...goodRecord, [side]: { ...goodRecord[side], headers } })}\n`);
      expect(((await failureOf(file)) as Error).message, side).toBe(`line 1 of ${file} is not an exchange record`);
    }
  });

  it("reads CRLF lines and a last line without a newline", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "replay-crlf-")), "crlf.ndjson");
    writeFileSync(file, "\r\n  \r\n\r\n");
    expect(await replayRecording(file, options)).toMatchObject({ recording: { exchanges: 0 } });
    writeFileSync(file, "\r\nnot json");
    expect(((await failureOf(file)) as Error).message).toBe(
      `line 2 of ${file} is not JSON; a recording is one JSON record a line (kaleyra-video proxy --record)`,
    );
  });
});

describe("a replay of any length, in bounded memory", () => {
  const path = operation().path.replace("{sid}", "HXAP16XXXXXX97IN").replace("{phone_number}", "+918630005920");
  const valid = operation().requestExamples["by-media-id"] as { messaging_object: { video: Record<string, unknown> } };
  const longCaption = JSON.stringify({
    messaging_object: { ...valid.messaging_object, video: { ...valid.messaging_object.video, caption: "x".repeat(1025) } },
  });
  interface Kind {
    method: string;
    path: string;
    /** The request's body. */
    body: string;
    status: number;
    answer: unknown;
  }
  const accepted = { status: 202, answer: example("accepted").value };
  /** One recorded exchange: a passing send, a violation (an undocumented 429), leniency (a long caption taken), or a request outside the contract. */
  const kinds = {
    pass: { method: "POST", path, body: JSON.stringify(valid), ...accepted },
    violation: { method: "POST", path, body: JSON.stringify(valid), status: 429, answer: { code: "WA429", message: "Slow down" } },
    leniency: { method: "POST", path, body: longCaption, ...accepted },
    outside: { method: "POST", path: "/v1/other", body: "{}", ...accepted },
  } satisfies Record<string, Kind>;
  const line = (seq: number, kind: Kind, answer: unknown = kind.answer) =>
    JSON.stringify({
      kind: "exchange",
      version: 1,
      seq,
      at: "",
      upstream: "http://pod",
      request: { method: kind.method, path: kind.path, headers: { "content-type": "application/json", "api-key": "***" }, body: kind.body },
      response: { status: kind.status, headers: { "content-type": "application/json" }, body: JSON.stringify(answer) },
      error: null,
      milliseconds: 5,
      contract: "operation",
      findings: [],
    });
  const recording = (lines: string[]) => {
    const file = join(mkdtempSync(join(tmpdir(), "replay-tally-")), "r.ndjson");
    writeFileSync(file, `${lines.join("\n")}\n`);
    return file;
  };
  const titles = (result: RunResult) => result.outcomes.map((outcome) => outcome.testCase.title.replace(/ .*/, ""));
  const sampleOf = (result: RunResult) =>
    (JSON.parse(jsonReport(result)) as { sample: { notKept: unknown; kept: number; otherUndocumentedAnswers: number; otherLenientFields: number } }).sample;
  /** The kinds counted together, past the ones named: [undocumented answers, lenient fields]. */
  const others = (result: RunResult) => [sampleOf(result).otherUndocumentedAnswers, sampleOf(result).otherLenientFields];

  it("thousands of records: the outcomes kept stay at the bound, the violations first; every count is exact", async () => {
    const pattern = ["violation", "violation", "violation", "leniency", "leniency", "leniency", "leniency", "pass", "pass", "outside"] as const;
    const lines = Array.from({ length: 3000 }, (_, index) => line(index + 1, kinds[pattern[index % 10]!]));
    const file = recording(lines);
    const result = await replayRecording(file, options);
    expect(result.outcomes).toHaveLength(maxKeptOutcomes);
    const firstViolations = Array.from({ length: 3000 }, (_, index) => index + 1)
      .filter((seq) => pattern[(seq - 1) % 10] === "violation")
      .slice(0, maxKeptOutcomes);
    expect(titles(result)).toEqual(firstViolations.map((seq) => `#${seq}`));
    expect(result.recording).toEqual({ exchanges: 3000, outside: 300, file });
    expect(checkTotals(result).filter((row) => ["status_documented", "rejects_invalid", "accepts_valid"].includes(row.name))).toEqual([
      { name: "status_documented", passed: 1800, failed: 900, leniency: 0 },
      { name: "accepts_valid", passed: 1500, failed: 0, leniency: 0 },
      { name: "rejects_invalid", passed: 0, failed: 1200, leniency: 1200 },
    ]);
    expect(undocumentedAnswers(result)).toEqual([
      { status: 429, code: "WA429", count: 900, sample: '{"code":"WA429","message":"Slow down"}', request: `#1 POST ${path}` },
    ]);
    expect(lenientFields(result)).toEqual([{ field: "messaging_object.video.caption", count: 1200 }]);
    expect(coverage(result).find((row) => row.example === "accepted")!.observed).toBe(1800);
    const text = summary(result).split("\n");
    expect(text[0]).toBe(
      `Recorded traffic with http://pod (${file}) judged against the contract: 3000 exchanges, 2700 on the contract's path, 300 outside it (not checked).`,
    );
    expect(text).toContain("Violations (900, first 20 shown):");
    expect(text.filter((row) => /^Leniency \(|^ {2}\(\d+ of \d+ shown\)$/.test(row))).toEqual([
      expect.stringMatching(/^Leniency \(1200\): /),
      "  (0 of 1200 shown)",
    ]);
    expect(text.at(-1)).toBe("600 passed, 2100 failed");
    expect(sampleOf(result)).toEqual({
      note: expect.stringMatching(/^cases and findings are a sample/),
      judged: 2700,
      passed: 600,
      withViolation: 900,
      withLeniency: 1200,
      kept: maxKeptOutcomes,
      notKept: { violation: 900 - maxKeptOutcomes, leniency: 1200, passed: 600 },
      otherUndocumentedAnswers: 0,
      otherLenientFields: 0,
    });
    const xml = junit(result);
    expect(xml).toContain(
      `name="${2700 - maxKeptOutcomes} more exchanges judged: counted, not listed (at most ${maxKeptOutcomes} are kept whole, violations first)"`,
    );
    expect(xml).toContain(
      `<testcase classname="conformance.leniency.recorded" name="1200 more exchanges with leniency, counted but not kept" time="0">\n      <failure type="not-kept" message="1200 of them with leniency, counted in the checks' totals"/>`,
    );
    expect(result.ok).toBe(false);
  });

  it(`at the bound every outcome is kept; one past it is counted, not kept; a more telling one takes the place of the latest less telling one`, async () => {
    const passes = (count: number, from = 1) => Array.from({ length: count }, (_, index) => line(from + index, kinds.pass));
    const atBound = await replayRecording(recording(passes(maxKeptOutcomes)), options);
    expect([atBound.outcomes.length, sampleOf(atBound).notKept]).toEqual([maxKeptOutcomes, { violation: 0, leniency: 0, passed: 0 }]);
    expect(junit(atBound)).not.toContain("more exchanges");
    const past = await replayRecording(recording(passes(maxKeptOutcomes + 1)), options);
    expect([titles(past).at(-1), past.outcomes.length, sampleOf(past).notKept]).toEqual([
      `#${maxKeptOutcomes}`,
      maxKeptOutcomes,
      { violation: 0, leniency: 0, passed: 1 },
    ]);
    expect(junit(past)).toContain(
      `<testcase classname="conformance.recorded" name="1 more exchanges judged: counted, not listed (at most ${maxKeptOutcomes} are kept whole, violations first)" time="0"/>`,
    );
    const mixed = await replayRecording(
      recording([
        ...passes(maxKeptOutcomes),
        line(maxKeptOutcomes + 1, kinds.leniency),
        line(maxKeptOutcomes + 2, kinds.violation),
        line(maxKeptOutcomes + 3, kinds.pass),
      ]),
      options,
    );
    expect(titles(mixed)).toEqual([
      ...Array.from({ length: maxKeptOutcomes - 2 }, (_, index) => `#${index + 1}`),
      `#${maxKeptOutcomes + 1}`,
      `#${maxKeptOutcomes + 2}`,
    ]);
    expect(sampleOf(mixed).notKept).toEqual({ violation: 0, leniency: 0, passed: 3 });
    const violations = Array.from({ length: maxKeptOutcomes }, (_, index) => line(index + 1, kinds.violation));
    const crowded = await replayRecording(
      recording([...violations, line(maxKeptOutcomes + 1, kinds.leniency), line(maxKeptOutcomes + 2, kinds.violation)]),
      options,
    );
    expect([titles(crowded).at(-1), sampleOf(crowded).notKept]).toEqual([`#${maxKeptOutcomes}`, { violation: 1, leniency: 1, passed: 0 }]);
    // The first finding is the most useful of all, kept or not: no answer at all outranks an undocumented status.
    const silent = JSON.stringify({
      ...(JSON.parse(line(maxKeptOutcomes + 1, kinds.pass)) as object),
      response: null,
      error: "timeout: no complete answer within 300 ms",
    });
    const late = await replayRecording(recording([...violations, silent]), options);
    expect(titles(late)).not.toContain(`#${maxKeptOutcomes + 1}`);
    expect(firstFinding(late)).toBe(
      `answered (violation) on [recorded] #${maxKeptOutcomes + 1} POST ${path}: no answer: timeout: no complete answer within 300 ms`,
    );
    const undocumented = crowded.outcomes[0]!.checks.find((check) => check.name === "status_documented")!;
    expect(firstFinding(crowded)).toBe(`status_documented (violation) on [recorded] #1 POST ${path}: ${undocumented.detail}`);
  });

  it("the verdict and the headings follow the counts: every violation shown, no empty leniency, FAIL and PASS", async () => {
    const lines = (result: RunResult) => summary(result).split("\n");
    const failing = lines(await replayRecording(recording([line(1, kinds.violation), line(2, kinds.violation), line(3, kinds.pass)]), options));
    expect(failing.filter((row) => /^(Violations|Leniency|FAIL|PASS|INCOMPLETE)\b/.test(row))).toEqual([
      "Violations (2):",
      "FAIL: the target departs from the contract (see above).",
    ]);
    const passing = lines(await replayRecording(recording([line(1, kinds.pass), line(2, kinds.pass)]), options));
    expect(passing.filter((row) => /^(Violations|Leniency|FAIL|PASS|INCOMPLETE)\b/.test(row))).toEqual(["PASS: every answer is what the contract says."]);
  });

  it("a violation is read first even when its check is less useful than leniency's: --max-response-time in a replay", async () => {
    const slow = JSON.stringify({ ...(JSON.parse(line(2, kinds.pass)) as object), milliseconds: 101 });
    const file = recording([line(1, kinds.leniency), slow]);
    const result = await replayRecording(file, { ...options, maxResponseTimeMs: 100 });
    expect(findings(result).map(({ check, severity, title }) => `${check}/${severity} ${title.replace(/ .*/, "")}`)).toEqual([
      "response_time/violation #2",
      "rejects_invalid/leniency #1",
    ]);
    expect(firstFinding(result)).toMatch(new RegExp(`^response_time \\(violation\\) on \\[recorded\\] #2 POST `));
    // Without the limit the slow answer passes: the leniency is all there is.
    expect(firstFinding(await replayRecording(file, options))).toMatch(/^rejects_invalid \(leniency\) on \[recorded\] #1 POST /);
  });

  it(`names ${maxNamedKinds} kinds of undocumented answer and of leniency at most, counting the rest; a long code is cut`, async () => {
    const undocumented = (count: number) => Array.from({ length: count }, (_, index) => line(index + 1, kinds.violation, { code: `C${index}`, message: "m" }));
    const named = await replayRecording(recording(undocumented(maxNamedKinds)), options);
    expect([undocumentedAnswers(named).length, others(named)]).toEqual([maxNamedKinds, [0, 0]]);
    const past = await replayRecording(recording(undocumented(maxNamedKinds + 1)), options);
    expect(undocumentedAnswers(past).map((row) => row.code)).toEqual(Array.from({ length: maxNamedKinds }, (_, index) => `C${index}`));
    expect(others(past)).toEqual([1, 0]);
    expect(drift(past)).toContain(`\n    and 1 more of other statuses and codes (counted; the first ${maxNamedKinds} kinds are named)`);
    // Leniency with no field named counts under each request's title: a kind per exchange.
    const methods = (count: number) => Array.from({ length: count }, (_, index) => line(index + 1, { method: "PUT", path, body: "", status: 200, answer: {} }));
    const atBound = await replayRecording(recording(methods(maxNamedKinds)), options);
    expect([lenientFields(atBound).length, others(atBound)]).toEqual([maxNamedKinds, [0, 0]]);
    const pastFields = await replayRecording(recording(methods(maxNamedKinds + 1)), options);
    expect([lenientFields(pastFields).length, others(pastFields)]).toEqual([maxNamedKinds, [0, 1]]);
    expect(drift(pastFields)).toMatch(new RegExp(`, and 1 more in other fields \\(counted; the first ${maxNamedKinds} are named\\)$`));
    const long = await replayRecording(
      recording([
        line(1, kinds.violation, { code: "K".repeat(maxSampleLength + 1), message: "m" }),
        line(2, kinds.violation, { code: "K".repeat(maxSampleLength), message: "m" }),
      ]),
      options,
    );
    expect(undocumentedAnswers(long).map((row) => [row.code, row.count])).toEqual([
      [`${"K".repeat(maxSampleLength - 1)}…`, 1],
      ["K".repeat(maxSampleLength), 1],
    ]);
  });
});
