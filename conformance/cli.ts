// `npm run conform -- --target <url|pod> …` and `kaleyra-video conform …`.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { podUrl, podUrls } from "../src/client/pods.ts";
import { maxResponseBytesLimit, maxTimerMs } from "../src/http/edge.ts";
import { headerValueProblem, withoutCredentials } from "../src/http/secrets.ts";
import { jsonReport, junit, summary } from "./report.ts";
import { runConformance, type RunOptions, type RunResult } from "./runner.ts";

export const conformHelp = `Usage: kaleyra-video conform (--target <url|pod> | --pod POD) --sid SID --phone-number NUM
                             [--seed N] [--runs N] [--no-account] [--prefer-examples]
                             [--allow-send --to NUM [--max-sends N]] [--trusted-target]
                             [--timeout-ms N] [--max-response-bytes N] [--run-timeout-ms N]
                             [--report junit=FILE] [--report json=FILE]

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

On SIGINT or SIGTERM the reports are written for what ran so far, marked partial.

Exit codes: 0 conforms, 1 violations found (or a run cut short by --run-timeout-ms that
found none: it did not finish), 2 usage, 130 stopped by SIGINT, 143 by SIGTERM.

Example (against npm start, run with KALEYRA_MOCK_API_KEY=test-key):
  KALEYRA_API_KEY=test-key npm run conform -- --target http://127.0.0.1:4010 \\
    --sid HXAP16XXXXXX97IN --phone-number +918630005920 --report junit=conformance.xml
`;

export interface Io {
  env: NodeJS.ProcessEnv;
  out: (text: string) => void;
  err: (text: string) => void;
}

class UsageError extends Error {}


const signalExitCodes = { SIGINT: 130, SIGTERM: 143 } as const;

export async function conform(argv: string[], io: Io): Promise<number> {
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
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
        report: { type: "string", multiple: true },
        "treat-as-remote": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      io.out(conformHelp);
      return 0;
    }
    const need = (value: string | undefined, flag: string) => {
      if (!value) throw new UsageError(`--${flag} is required`);
      return value;
    };
    const whole = (value: string | undefined, flag: string, min = 0, max = Number.MAX_SAFE_INTEGER) => {
      if (value === undefined) return undefined;
      const number = Number(value);
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < min || number > max) throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}`);
      return number;
    };
    if ((values.target === undefined) === (values.pod === undefined)) throw new UsageError("give exactly one of --target or --pod");
    const target = targetOf(values.target, values.pod);
    const apiKey = io.env.KALEYRA_API_KEY?.trim();
    if (!apiKey) throw new UsageError("set KALEYRA_API_KEY (the key is never taken as a flag)");
    const keyProblem = headerValueProblem(apiKey);
    if (keyProblem) throw new UsageError(`KALEYRA_API_KEY ${keyProblem}`);
    const reports = (values.report ?? []).map((spec) => {
      const [kind, file] = spec.split("=", 2);
      if ((kind !== "junit" && kind !== "json") || !file) throw new UsageError(`--report takes junit=FILE or json=FILE, not ${JSON.stringify(spec).slice(0, 80)}`);
      return { kind, file };
    });

    const options: RunOptions = {
      target,
      sid: need(values.sid, "sid"),
      phoneNumber: need(values["phone-number"], "phone-number"),
      apiKey,
      checksKeys: values["no-account"] !== true,
      log: (line) => io.err(line),
    };
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
    if (options.allowSend && !options.to && !options.trustedTarget) throw new UsageError("--allow-send needs --to, the recipient of requests that may be accepted");

    // Ctrl-C or a TERM: stop sending, and write the reports for what ran, at once and
    // synchronously (npm run conform goes through tsx, which kills the child soon after).
    const stop = new AbortController();
    let latest: RunResult | undefined;
    let stoppedBy: keyof typeof signalExitCodes | undefined;
    const write = (result: RunResult) => {
      for (const { kind, file } of reports) {
        writeFileSync(file, kind === "junit" ? junit(result) : jsonReport(result));
      }
    };
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
    io.out(summary(result));
    write(result);
    for (const { kind, file } of reports) io.err(`${kind} report written to ${file}`);
    if (stoppedBy) return signalExitCodes[stoppedBy];
    return result.ok ? 0 : 1;
  } catch (error) {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") || /needs the recipient/.test((error as Error).message);
    if (!usage) throw error;
    io.err(`conform: ${(error as Error).message}\nRun kaleyra-video conform --help.`);
    return 2;
  }
}

/** The base URL of --target or --pod; credentials, queries and fragments are refused, never echoed. */
function targetOf(target: string | undefined, pod: string | undefined): string {
  const pods = Object.keys(podUrls()).join(", ");
  if (pod !== undefined) {
    const url = podUrl(pod);
    if (!url) throw new UsageError(`--pod must be one of ${pods}`);
    return url;
  }
  const named = podUrl(target!);
  if (named) return named;
  let url: URL;
  try {
    url = new URL(target!);
  } catch {
    throw new UsageError(`--target must be an http(s) URL or one of the pods ${pods}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--target must be an http(s) URL or one of the pods ${pods}`);
  if (url.username || url.password) {
    throw new UsageError(`--target must not carry a user name or password (${withoutCredentials(url.href)}); the kit sends the api-key, and nothing else, as credentials`);
  }
  if (url.search || url.hash || /[?#]/.test(target!)) throw new UsageError("--target must not have a query or fragment");
  return url.href.replace(/\/+$/, "");
}
