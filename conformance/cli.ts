// `npm run conform -- --target <url|pod> …` and `kaleyra-video conform …`.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { podUrls } from "../src/client/pods.ts";
import { jsonReport, junit, summary } from "./report.ts";
import { isLoopback, runConformance, type RunOptions } from "./runner.ts";

export const conformHelp = `Usage: kaleyra-video conform --target <url|pod> --sid SID --phone-number NUM
                             [--seed N] [--runs N] [--no-account] [--prefer-examples]
                             [--allow-send --to NUM [--max-sends N]]
                             [--report junit=FILE] [--report json=FILE]

Checks a target (the local mock, a vendor pod, or another implementation) against the contract:
every answer's status, media type, body and code; that auth is enforced; that every request the
contract accepts is accepted (examples, limits, generated requests) and every one it refuses is
refused with 400 WA400 (each constraint broken alone, malformed JSON, wrong media type).
The api-key comes from KALEYRA_API_KEY and is masked in every report.

A target off loopback is real money and real customers. By default only requests that cannot
deliver a message are sent to it: no key, a wrong key, invalid payloads, all addressed to a
fictional number. Requests that could be accepted are sent only with --allow-send, only to
--to, and at most --max-sends of them (default 1).

  --target        a base URL, or a pod: ${Object.keys(podUrls()).join(", ")}
  --no-account    the target is a mock started without an account: skip the wrong-key probe
  --prefer-examples  the target is a mock that honours Prism's Prefer header: ask it for every
                  named example, and check each comes back as documented
  --seed          repeat a run's generated requests (the seed is printed)
  --runs          generated valid requests to send (default 200; loopback only unless --allow-send)
  --report        junit=FILE or json=FILE; may be repeated

Exit codes: 0 conforms, 1 violations found, 2 usage.

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

export async function conform(argv: string[], io: Io): Promise<number> {
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        target: { type: "string" },
        sid: { type: "string" },
        "phone-number": { type: "string" },
        to: { type: "string" },
        "allow-send": { type: "boolean" },
        "max-sends": { type: "string" },
        "no-account": { type: "boolean" },
        "prefer-examples": { type: "boolean" },
        seed: { type: "string" },
        runs: { type: "string" },
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
    const whole = (value: string | undefined, flag: string) => {
      if (value === undefined) return undefined;
      const number = Number(value);
      if (!Number.isInteger(number) || number < 0) throw new UsageError(`--${flag} must be a whole number`);
      return number;
    };
    const targetFlag = need(values.target, "target");
    const target = podUrls()[targetFlag] ?? targetFlag;
    try {
      new URL(target);
    } catch {
      throw new UsageError(`--target must be a URL or one of the pods ${Object.keys(podUrls()).join(", ")}`);
    }
    const apiKey = io.env.KALEYRA_API_KEY?.trim();
    if (!apiKey) throw new UsageError("set KALEYRA_API_KEY (the key is never taken as a flag)");
    const reports = (values.report ?? []).map((spec) => {
      const [kind, file] = spec.split("=", 2);
      if ((kind !== "junit" && kind !== "json") || !file) throw new UsageError(`--report takes junit=FILE or json=FILE, not ${spec}`);
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
    if (values.to !== undefined) options.to = values.to;
    if (values["allow-send"]) options.allowSend = true;
    if (values["prefer-examples"]) options.preferExamples = true;
    if (values["treat-as-remote"]) options.treatAsRemote = true;
    const maxSends = whole(values["max-sends"], "max-sends");
    if (maxSends !== undefined) options.maxSends = maxSends;
    const seed = whole(values.seed, "seed");
    if (seed !== undefined) options.seed = seed;
    const runs = whole(values.runs, "runs");
    if (runs !== undefined) options.runs = runs;
    const remote = options.treatAsRemote === true || !isLoopback(target);
    if (remote && options.allowSend && !options.to) throw new UsageError("--allow-send needs --to, the recipient of requests that may be accepted");

    if (remote) {
      io.err(
        options.allowSend
          ? `${target} is not loopback: up to ${options.maxSends ?? 1} request(s) that may be accepted will be sent, to ${options.to}. Everything else cannot deliver a message.`
          : `${target} is not loopback: only requests that cannot deliver a message or cost money are sent (no key, a wrong key, invalid payloads, to a fictional number). --allow-send --to NUM adds acceptable ones.`,
      );
    }
    const result = await runConformance(options);
    io.out(summary(result));
    for (const { kind, file } of reports) {
      writeFileSync(file, kind === "junit" ? junit(result) : jsonReport(result));
      io.err(`${kind} report written to ${file}`);
    }
    return result.ok ? 0 : 1;
  } catch (error) {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") || /needs the recipient/.test((error as Error).message);
    if (!usage) throw error;
    io.err(`conform: ${(error as Error).message}\nRun kaleyra-video conform --help.`);
    return 2;
  }
}
