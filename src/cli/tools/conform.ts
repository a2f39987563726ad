// `npm run conform -- --target <url|pod> …` and `kaleyra-video conform …`.
import { parseArgs } from "node:util";
import { podUrl, podUrls } from "../../client/pods.ts";
import { baseUrlFlag, checkFlags, judgingFlags, rateFlag, reportFlags, wholeFlag, writeReports } from "./flags.ts";
import { isUsageError, UsageError, type CommandIo } from "../output.ts";
import { maxResponseBytesLimit, maxTimerMs } from "../../http/edge.ts";
import { createMasker, headerValueProblem } from "../../http/secrets.ts";
import { checkDescriptions, checkNames } from "../../judge/checks.ts";
import { RecordingError, replayRecording } from "../../judge/recorded.ts";
import { firstFinding, summary } from "../../judge/report.ts";
import { runConformance, RunRefusal, type RunOptions } from "../../../conformance/runner.ts";
import type { RunResult } from "../../judge/result.ts";

export const conformHelp = `Usage: kaleyra-video conform (--target <url|pod> | --pod POD) --sid SID --phone-number NUM
                             [--seed N] [--runs N] [--no-account] [--prefer-examples]
                             [--allow-send --to NUM [--max-sends N]] [--trusted-target]
                             [--treat-as-remote] [--no-callbacks]
                             [--timeout-ms N] [--max-response-bytes N] [--run-timeout-ms N]
                             [--checks A,B] [--exclude-checks A,B] [--rate-limit N]
                             [--max-response-time MS] [--lenient]
                             [--report junit=FILE] [--report json=FILE]
       kaleyra-video conform --replay FILE [--checks …] [--exclude-checks …] [--lenient]
                             [--max-response-time MS] [--report …]

Checks a target (the local mock, a vendor pod, or another implementation) against the contract:
every answer's status, media type, body and code; that auth is enforced; that every request the
contract accepts is accepted (examples, limits, generated requests) and every one it refuses is
refused with 400 WA400 (each constraint broken alone, malformed JSON, wrong media type).
The api-key comes from KALEYRA_API_KEY and is masked in every report.

A target that may be a real pod is real money and real customers. The full plan goes only to a
target that proves it is the kit's mock (it answers GET /__admin/identity with a fresh nonce;
with KALEYRA_MOCK_ADMIN_TOKEN set, the probe carries it for a mock that asks for it),
or that you vouch for with --trusted-target; its address proves nothing (a port-forward on
127.0.0.1 may lead to a pod). Any other target gets the safe plan: only requests that cannot
deliver a message, none of them a valid message with your key (no key, a wrong key, invalid
payloads, all addressed to a fictional number). Requests that could be accepted are sent only
with --allow-send, only to --to, and at most --max-sends of them (default 1).

  --target        a base URL (no user name, password, query or fragment), or a pod: ${Object.keys(podUrls()).join(", ")}
  --pod           a pod by name, as --target does
  --trusted-target  you know the target delivers nothing (your own stub): the full plan
                  without asking it who it is
  --treat-as-remote  the safe plan even for the kit's mock: see what a pod would be sent
  --timeout-ms    one limit for each whole exchange: connect, answer, body (default 10000)
  --max-response-bytes  the largest answer read (default 1048576); past it, the case fails
                  \`answered\` and the rest is discarded
  --run-timeout-ms  stop sending after this long and report what ran
  --no-account    the target is a mock started without an account: skip the wrong-key probe
  --no-callbacks  against the kit's mock, do not check the status callbacks of the accepted sends
                  (by default a receiver on loopback gets them, through the mock's admin API)
  --prefer-examples  the target is a mock that honours Prism's Prefer header: ask it for every
                  named example, and check each comes back as documented
  --seed          repeat a run's generated requests (the seed is printed)
  --runs          generated valid requests to send (default 200; loopback only unless --allow-send)
  --report        junit=FILE or json=FILE; may be repeated
  --checks        only these checks (comma-separated; see below)
  --exclude-checks  all checks but these
  --rate-limit    at most N requests a second (decimals allowed, e.g. 0.5), every request counted
  --max-response-time  adds the response_time check: an answer slower than MS fails it
  --lenient       leniency (the target accepts a request the contract refuses) is reported, and
                  does not fail the run: for a live pod whose leniency you know
  --replay        judge a recording of kaleyra-video proxy --record again, offline, against
                  the contract as it is now; nothing is sent

Checks (each finding is a violation, or leniency: the target accepted what the contract refuses):
${checkNames.map((name) => `  ${name.padEnd(24)}${checkDescriptions[name]}`).join("\n")}

Before a wall of violations, a diagnosis: nothing listening at the target, or every request
with your key answered with the same 401, stops the run with one line (exit 2). The summary's
first line names the most useful finding.

On SIGINT or SIGTERM the reports are written for what ran so far, marked partial.

Exit codes: 0 conforms, 1 violations or leniency found (or a run cut short by --run-timeout-ms
that found none: it did not finish), 2 usage, or the target cannot be judged (diagnosis),
130 stopped by SIGINT, 143 by SIGTERM.

Example (against npm start, run with KALEYRA_MOCK_API_KEY=test-key):
  KALEYRA_API_KEY=test-key npm run conform -- --target http://127.0.0.1:4010 \\
    --sid HXAP16XXXXXX97IN --phone-number +918630005920 --report junit=conformance.xml
`;

/** The flags, as parseArgs reads them: --help and the README are checked against these. */
export const conformFlags = {
  target: { type: "string" },
  pod: { type: "string" },
  sid: { type: "string" },
  "phone-number": { type: "string" },
  to: { type: "string" },
  "allow-send": { type: "boolean" },
  "max-sends": { type: "string" },
  "no-account": { type: "boolean" },
  "no-callbacks": { type: "boolean" },
  "prefer-examples": { type: "boolean" },
  "trusted-target": { type: "boolean" },
  seed: { type: "string" },
  runs: { type: "string" },
  "timeout-ms": { type: "string" },
  "max-response-bytes": { type: "string" },
  "run-timeout-ms": { type: "string" },
  ...judgingFlags,
  "rate-limit": { type: "string" },
  replay: { type: "string" },
  "treat-as-remote": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Flags of a run against a target, which a replay (offline) does not take. */
const liveFlags = (Object.keys(conformFlags) as (keyof typeof conformFlags)[]).filter(
  (flag) => !(flag in judgingFlags) && flag !== "replay" && flag !== "help",
);

const signalExitCodes = { SIGINT: 130, SIGTERM: 143 } as const;

export async function conform(argv: string[], io: CommandIo): Promise<number> {
  try {
    const { values } = parseArgs({ args: argv, strict: true, options: conformFlags });
    if (values.help) {
      io.out(conformHelp);
      return 0;
    }
    const need = (value: string | undefined, flag: string) => {
      if (!value) throw new UsageError(`--${flag} is required`);
      return value;
    };
    const whole = wholeFlag;
    const checks = checkFlags(values.checks, values["exclude-checks"]);
    const maxResponseTimeMs = whole(values["max-response-time"], "max-response-time", 1, maxTimerMs);
    const lenient = values.lenient === true;
    const reports = reportFlags(values.report);
    if (values.replay !== undefined) {
      const given = liveFlags.filter((flag) => values[flag] !== undefined);
      if (given.length)
        throw new UsageError(
          `--replay judges a recording offline; ${given.map((flag) => `--${flag}`).join(", ")} ${given.length === 1 ? "does" : "do"} not apply`,
        );
      const result = await replayRecording(values.replay, {
        lenient,
        mask: createMasker([io.env.KALEYRA_API_KEY?.trim(), io.env.KALEYRA_MOCK_ADMIN_TOKEN?.trim()]),
        ...(checks ? { selected: new Set(checks) } : {}),
        ...(maxResponseTimeMs === undefined ? {} : { maxResponseTimeMs }),
      });
      io.out(summary(result));
      writeReports(result, reports, io);
      return result.ok ? 0 : 1;
    }
    if ((values.target === undefined) === (values.pod === undefined)) throw new UsageError("give exactly one of --target or --pod");
    const target = targetOf(values.target, values.pod);
    const apiKey = io.env.KALEYRA_API_KEY?.trim();
    if (!apiKey) throw new UsageError("set KALEYRA_API_KEY (the key is never taken as a flag)");
    const keyProblem = headerValueProblem(apiKey);
    if (keyProblem) throw new UsageError(`KALEYRA_API_KEY ${keyProblem}`);

    const options: RunOptions = {
      target,
      sid: need(values.sid, "sid"),
      phoneNumber: need(values["phone-number"], "phone-number"),
      apiKey,
      checksKeys: values["no-account"] !== true,
      lenient,
      log: (line) => io.err(line),
    };
    if (checks) options.checks = checks;
    if (maxResponseTimeMs !== undefined) options.maxResponseTimeMs = maxResponseTimeMs;
    const rateLimit = rateFlag(values["rate-limit"], "rate-limit");
    if (rateLimit !== undefined) options.rateLimit = rateLimit;
    const adminToken = io.env.KALEYRA_MOCK_ADMIN_TOKEN?.trim();
    if (adminToken) {
      const tokenProblem = headerValueProblem(adminToken);
      if (tokenProblem) throw new UsageError(`KALEYRA_MOCK_ADMIN_TOKEN ${tokenProblem}`);
      options.adminToken = adminToken;
    }
    if (values.to !== undefined) options.to = values.to;
    if (values["allow-send"]) options.allowSend = true;
    if (values["no-callbacks"]) options.checkCallbacks = false;
    if (values["prefer-examples"]) options.preferExamples = true;
    if (values["treat-as-remote"]) options.treatAsRemote = true;
    if (values["trusted-target"]) options.trustedTarget = true;
    const numeric = [
      ["max-sends", "maxSends", 0, Number.MAX_SAFE_INTEGER],
      ["seed", "seed", 0, 2 ** 31 - 1],
      ["runs", "runs", 0, 1_000_000],
      ["timeout-ms", "timeoutMs", 1, maxTimerMs],
      ["max-response-bytes", "maxResponseBytes", 1, maxResponseBytesLimit],
      ["run-timeout-ms", "runTimeoutMs", 1, maxTimerMs],
    ] as const;
    for (const [flag, key, min, max] of numeric) {
      const number = whole(values[flag], flag, min, max);
      if (number !== undefined) options[key] = number;
    }
    if (options.allowSend && !options.to && !options.trustedTarget)
      throw new UsageError("--allow-send needs --to, the recipient of requests that may be accepted");

    // Ctrl-C or a TERM: stop sending, and write the reports for what ran, at once and
    // synchronously (npm run conform goes through tsx, which kills the child soon after).
    const stop = new AbortController();
    let latest: RunResult | undefined;
    let stoppedBy: keyof typeof signalExitCodes | undefined;
    const write = (result: RunResult) => writeReports(result, reports);
    const onSignal = (signal: keyof typeof signalExitCodes) => () => {
      if (stoppedBy) return;
      stoppedBy = signal;
      if (latest) write({ ...latest, interrupted: `stopped by ${signal}`, ok: false });
      stop.abort();
    };
    const handlers = { SIGINT: onSignal("SIGINT"), SIGTERM: onSignal("SIGTERM") };
    process.on("SIGINT", handlers.SIGINT);
    process.on("SIGTERM", handlers.SIGTERM);
    let result: RunResult;
    try {
      result = await runConformance({ ...options, signal: stop.signal, onProgress: (partial) => (latest = partial) });
    } finally {
      process.off("SIGINT", handlers.SIGINT);
      process.off("SIGTERM", handlers.SIGTERM);
    }
    if (stoppedBy) result = { ...result, interrupted: `stopped by ${stoppedBy}`, ok: false };
    if (result.diagnosis && !stoppedBy) {
      // One line, not a wall: the target cannot be judged as it is.
      io.err(`conform: ${firstFinding(result)}`);
      writeReports(result, reports, io);
      return 2;
    }
    io.out(summary(result));
    writeReports(result, reports, io);
    if (stoppedBy) return signalExitCodes[stoppedBy];
    return result.ok ? 0 : 1;
  } catch (error) {
    // A run's refusal is the user's to fix, as a usage error is.
    if (!(isUsageError(error) || error instanceof RecordingError || error instanceof RunRefusal)) throw error;
    io.err(`conform: ${(error as Error).message}\nRun kaleyra-video conform --help.`);
    return 2;
  }
}

/** The base URL of --target or --pod. */
function targetOf(target: string | undefined, pod: string | undefined): string {
  if (pod !== undefined) {
    const url = podUrl(pod);
    if (!url) throw new UsageError(`--pod must be one of ${Object.keys(podUrls()).join(", ")}`);
    return url;
  }
  return baseUrlFlag(target!, "target");
}
