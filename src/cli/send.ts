// `kaleyra-video send`: one video message, with the key from KALEYRA_API_KEY.
import { parseArgs } from "node:util";
import { createKaleyraClient, type KaleyraClientOptions, type KaleyraTarget, type SendVideoInput } from "../client/client.ts";
import { isKaleyraError } from "../client/errors.ts";
import { plainText } from "../contract/plain-text.ts";
import { podUrl, podUrls, type Pod } from "../client/pods.ts";
import { maxResponseBytesLimit, maxTimerMs } from "../http/edge.ts";
import { errorAsJson, errorAsText, exitCodeOf, exitCodes, UsageError, wholeFlag, type CommandIo } from "./output.ts";

export const sendHelp = `Usage: kaleyra-video send (--pod in|sg|eu|na | --base-url URL) --sid SID --phone-number NUM --to NUM
                          (--video-id ID | --video-link URL) [--caption TEXT]
                          [--ref TEXT] [--ref1 TEXT] [--ref2 TEXT] [--wa-source NAME]
                          [--dry-run] [--json] [--timeout-ms N] [--max-response-bytes N]
                          [--allow-insecure-http]

Sends one WhatsApp video message through Kaleyra's API v2 and prints its message id.
The api-key is read from the KALEYRA_API_KEY environment variable, never from a flag
(a flag would land in your shell history). A send to a pod is a real message: it costs
money and reaches a real customer. --dry-run checks and prints the request, key masked,
and sends nothing.

  --pod             a vendor pod: ${Object.entries(podUrls())
    .map(([pod, url]) => `${pod} (${new URL(url).host})`)
    .join(", ")}
  --base-url        any other base URL, e.g. the local mock http://127.0.0.1:4010
  --sid             the account SID
  --phone-number    the business's WhatsApp number that sends (E.164, with +)
  --to              the customer's WhatsApp number (E.164, with +)
  --video-id        the id of media uploaded to the account (recommended)
  --video-link      a public HTTP(S) link to the video
  --caption         at most 1024 characters
  --ref, --ref1, --ref2, --wa-source   extra_info, returned in reports and callbacks
  --json            machine-readable output
  --timeout-ms      one limit for the whole send: connect, answer, body (default 30000);
                    a time-out may still have sent
  --max-response-bytes  the largest answer read (default 1048576)

Safety: redirects are never followed (a 3xx is a transport error, exit 5, naming where it
pointed); answers are read up to --max-response-bytes; the key is masked in all output.

Exit codes: 0 sent, 2 usage, 3 invalid request (not sent), 4 API error, 5 transport error.

Example (against the local mock, npm start):
  KALEYRA_API_KEY=any-key kaleyra-video send --base-url http://127.0.0.1:4010 --sid HXAP16XXXXXX97IN \\
    --phone-number +918630005920 --to +919876543210 --video-id 1166846181421424 --caption "Hello"
`;

/** The flags, as parseArgs reads them: --help and the README are checked against these. */
export const sendFlags = {
  pod: { type: "string" },
  "base-url": { type: "string" },
  sid: { type: "string" },
  "phone-number": { type: "string" },
  to: { type: "string" },
  "video-id": { type: "string" },
  "video-link": { type: "string" },
  caption: { type: "string" },
  ref: { type: "string" },
  ref1: { type: "string" },
  ref2: { type: "string" },
  "wa-source": { type: "string" },
  "dry-run": { type: "boolean" },
  json: { type: "boolean" },
  "timeout-ms": { type: "string" },
  "max-response-bytes": { type: "string" },
  "allow-insecure-http": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

// The client's and the contract's names for what this command takes as flags: an error names the
// flag the user typed, not the field it became.
const flagNames: [RegExp, string][] = Object.entries({
  "messaging_object.video.caption": "--caption",
  "messaging_object.video.link": "--video-link",
  "messaging_object.video.id": "--video-id",
  "messaging_object.video": "--video-id or --video-link",
  "messaging_object.to": "--to",
  "extra_info.ref1": "--ref1",
  "extra_info.ref2": "--ref2",
  "extra_info.ref": "--ref",
  "extra_info.wa_source": "--wa-source",
  phoneNumber: "--phone-number",
  phone_number: "--phone-number",
  allowInsecureHttp: "--allow-insecure-http",
  baseUrl: "--base-url",
  maxResponseBytes: "--max-response-bytes",
  timeoutMs: "--timeout-ms",
  apiKey: "KALEYRA_API_KEY",
}).map(([name, flag]) => [new RegExp(`(?<![\\w.-])${name.replace(/\./g, "\\.")}(?![\\w])`, "g"), flag]);
const exactFields: Record<string, string> = { sid: "--sid", to: "--to", pod: "--pod" };

/** A field, option or message in this command's words. */
export function inFlags(text: string): string {
  if (Object.hasOwn(exactFields, text)) return exactFields[text]!;
  return flagNames.reduce((named, [pattern, flag]) => named.replace(pattern, flag), text);
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === "") throw new UsageError(`--${flag} is required`);
  return value;
}

export async function send(argv: string[], io: CommandIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: sendFlags, strict: true, allowPositionals: false });
  if (values.help) {
    io.out(sendHelp);
    return exitCodes.ok;
  }
  if ((values.pod === undefined) === (values["base-url"] === undefined)) throw new UsageError("give exactly one of --pod or --base-url");
  if ((values["video-id"] === undefined) === (values["video-link"] === undefined)) throw new UsageError("give exactly one of --video-id or --video-link");
  const dryRun = values["dry-run"] === true;
  const apiKey = io.env.KALEYRA_API_KEY?.trim() || (dryRun ? "dry-run" : undefined);
  if (!apiKey) throw new UsageError("set KALEYRA_API_KEY to the account's API key (it is never taken as a flag)");
  // The key's form is the client's to check: its refusal names KALEYRA_API_KEY (inFlags).

  if (values.pod !== undefined && podUrl(values.pod) === undefined) throw new UsageError(`--pod must be one of ${Object.keys(podUrls()).join(", ")}`);
  const target: KaleyraTarget = values.pod !== undefined ? { pod: values.pod as Pod } : { baseUrl: values["base-url"]! };
  const clientOptions: KaleyraClientOptions = { ...target, sid: required(values.sid, "sid"), apiKey, userAgent: "kaleyra-video-cli" };
  if (values["allow-insecure-http"]) clientOptions.allowInsecureHttp = true;
  const timeoutMs = wholeFlag(values["timeout-ms"], "timeout-ms", 1, maxTimerMs);
  if (timeoutMs !== undefined) clientOptions.timeoutMs = timeoutMs;
  const maxResponseBytes = wholeFlag(values["max-response-bytes"], "max-response-bytes", 1, maxResponseBytesLimit);
  if (maxResponseBytes !== undefined) clientOptions.maxResponseBytes = maxResponseBytes;

  const input: SendVideoInput = {
    phoneNumber: required(values["phone-number"], "phone-number"),
    to: required(values.to, "to"),
    video: values["video-id"] !== undefined ? { id: values["video-id"] } : { link: values["video-link"]! },
  };
  if (values.caption !== undefined) input.caption = values.caption;
  const extraInfo = Object.fromEntries(
    (
      [
        ["ref", values.ref],
        ["ref1", values.ref1],
        ["ref2", values.ref2],
        ["wa_source", values["wa-source"]],
      ] as const
    ).filter(([, value]) => value !== undefined),
  );
  if (Object.keys(extraInfo).length > 0) input.extraInfo = extraInfo;

  let client: ReturnType<typeof createKaleyraClient>;
  try {
    client = createKaleyraClient(clientOptions);
  } catch (error) {
    if (!isKaleyraError(error) || error.kind !== "validation" || !error.issues[0]) throw error;
    const [issue] = error.issues;
    throw new UsageError(`${inFlags(issue.field)} ${inFlags(plainText(issue.message))}`);
  }
  try {
    if (dryRun) {
      const prepared = client.prepareVideo(input);
      io.out(
        values.json
          ? JSON.stringify({ ok: true, dryRun: true, request: prepared })
          : `Dry run: nothing sent.\n${prepared.method} ${prepared.url}\n${Object.entries(prepared.headers)
              .map(([name, value]) => `${name}: ${value}`)
              .join("\n")}\n\n${JSON.stringify(prepared.body, null, 2)}`,
      );
      return exitCodes.ok;
    }
    const result = await client.sendVideo(input);
    io.out(values.json ? JSON.stringify({ ok: true, messageId: result.messageId, envelope: result.envelope }) : `Sent: message id ${result.messageId}`);
    return exitCodes.ok;
  } catch (error) {
    if (!isKaleyraError(error)) throw error;
    if (values.json) io.out(JSON.stringify(errorAsJson(error)));
    else io.err(errorAsText(error, inFlags));
    return exitCodeOf(error);
  }
}
