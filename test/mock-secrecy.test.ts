// The api-key is a secret in the mock's log and journal, refused requests included: whatever a
// client sends and however the mock answers it (accepted; refused by the account, the contract or
// the admin API's token; a scenario, a fault, a test recipient, a Prefer header), no log line and
// no journal entry holds the request's key, the account's key or the admin token, in any form a
// web stack writes a secret in. The requests are generated (fast-check): the key goes where a
// client could put it (the api-key header, the path, the query, the body, other headers), written
// in the escapes each place takes. The forms looked for are derived here, not by the masker.
import fc from "fast-check";
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDocument } from "../src/contract/document.ts";
import { example, operation, type NamedExample, type TestRecipient } from "../src/contract/operation.ts";
import { faultNames, type Fault } from "../src/mock/admin/faults.ts";
import { messagesPath, startTestMock, type TestMock } from "./support/mock.ts";
import { rawRequest } from "./support/raw.ts";
import { businessNumber, sid, validBody } from "./support/requests.ts";
import { until, waitMs, within } from "./support/wait.ts";

const seed = Number(process.env.FC_SEED ?? 20261207);
const contract = operation();
const captionLimit = (loadDocument().components.schemas.Caption as { maxLength: number }).maxLength;
/** Small, so that a body past it costs little; the limit's own tests are elsewhere. */
const bodyLimitBytes = 4096;

// --- The forms of a secret, derived here ---------------------------------------------------------

/** `%2f`/`%2F`, `\u00e9`/`\u00E9`: the hex digits of escapes in one case, the rest as it is. */
const escapesIn = (text: string, upper: boolean) =>
  text.replace(/%[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}/g, (sequence) => {
    const prefix = sequence.startsWith("%") ? 1 : 2;
    const digits = sequence.slice(prefix);
    return sequence.slice(0, prefix) + (upper ? digits.toUpperCase() : digits.toLowerCase());
  });
const hexByte = (byte: number) => byte.toString(16).padStart(2, "0");

/** Every form in which a client, a server or a logger writes `secret`. */
function formsOf(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  const json = JSON.stringify(secret).slice(1, -1);
  const escaped = [
    json,
    json.replace(/\//g, "\\/"),
    secret
      .split("")
      .map((unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`)
      .join(""),
    encodeURIComponent(secret),
    encodeURI(secret),
    new URLSearchParams({ k: secret }).toString().slice(2),
    [...bytes].map((byte) => `%${hexByte(byte)}`).join(""),
    escape(secret),
  ];
  const html = (quote: string) => secret.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, quote).replace(/'/g, "&#39;");
  const base64 = bytes.toString("base64");
  const hex = bytes.toString("hex");
  return [
    ...new Set([
      secret,
      ...escaped.flatMap((form) => [escapesIn(form, true), escapesIn(form, false)]),
      html("&quot;"),
      html("&#34;"),
      base64,
      base64.replace(/=+$/, ""),
      bytes.toString("base64url"),
      hex,
      hex.toUpperCase(),
    ]),
  ];
}

/** Every string in a parsed JSON value, names included: what a reader of the journal sees. */
const stringsIn = (value: unknown): string[] =>
  typeof value === "string"
    ? [value]
    : Array.isArray(value)
      ? value.flatMap(stringsIn)
      : typeof value === "object" && value !== null
        ? Object.entries(value).flatMap(([name, item]) => [name, ...stringsIn(item)])
        : [];

/** Which of `secrets` show in `texts`, and in which form: empty when none does. */
function shown(texts: readonly string[], secrets: readonly string[]): string[] {
  const found: string[] = [];
  for (const secret of secrets) {
    for (const form of formsOf(secret)) {
      if (texts.some((text) => text.includes(form))) found.push(`${JSON.stringify(secret)} as ${JSON.stringify(form)}`);
    }
  }
  return found;
}

describe("formsOf, the test's own idea of a secret's forms", () => {
  it("writes each encoding the README's promise names, hex escapes in both cases", () => {
    const forms = formsOf('k/+=&%"<>é');
    for (const form of [
      'k/+=&%"<>é',
      'k/+=&%\\"<>é',
      'k\\/+=&%\\"<>é',
      "\\u006b\\u002f\\u002b\\u003d\\u0026\\u0025\\u0022\\u003c\\u003e\\u00e9",
      "\\u006B\\u002F\\u002B\\u003D\\u0026\\u0025\\u0022\\u003C\\u003E\\u00E9",
      "k%2F%2B%3D%26%25%22%3C%3E%C3%A9",
      "k%2f%2b%3d%26%25%22%3c%3e%c3%a9",
      "k/+=&%25%22%3C%3E%C3%A9",
      "k%2F%2B%3D%26%25%22%3C%3E%C3%A9",
      "%6b%2f%2b%3d%26%25%22%3c%3e%c3%a9",
      "%6B%2F%2B%3D%26%25%22%3C%3E%C3%A9",
      "k/+%3D%26%25%22%3C%3E%E9",
      "k/+=&amp;%&quot;&lt;&gt;é",
      "k/+=&amp;%&#34;&lt;&gt;é",
      "ay8rPSYlIjw+w6k=",
      "ay8rPSYlIjw+w6k",
      "ay8rPSYlIjw-w6k",
      "6b2f2b3d2625223c3ec3a9",
      "6B2F2B3D2625223C3EC3A9",
    ]) {
      expect(forms, form).toContain(form);
    }
    expect(shown(["a k%2f%2b%3d%26%25%22%3c%3e%c3%a9 b"], ['k/+=&%"<>é'])).toEqual(['"k/+=&%\\"<>é" as "k%2f%2b%3d%26%25%22%3c%3e%c3%a9"']);
    expect(shown(["a *** b"], ['k/+=&%"<>é'])).toEqual([]);
  });
});

// --- Keys, and where a client puts them ---------------------------------------------------------

const visible = fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code));
/**
 * A key's characters: visible ASCII, the ones each encoding escapes, Latin-1 letters (a header
 * carries them as one byte each) and inner spaces. A header cannot carry anything past Latin-1,
 * and a client refuses such a key before it is used.
 */
const keyUnit = fc.oneof(
  { weight: 4, arbitrary: visible },
  { weight: 3, arbitrary: fc.constantFrom(..."+/=&%\"<>'\\") },
  { weight: 1, arbitrary: fc.integer({ min: 0xa1, max: 0xff }).map((code) => String.fromCharCode(code)) },
  { weight: 1, arbitrary: fc.constant(" ") },
);
const keyArbitrary = fc.string({ unit: keyUnit, minLength: 8, maxLength: 32 }).filter((key) => key.trim() === key);
/** An admin token: visible ASCII, as the mock's settings require of it. */
const tokenArbitrary = fc.string({ unit: visible, minLength: 12, maxLength: 32 });

/**
 * Around the key in its header: spaces and tabs (HTTP drops them), or a no-break space, which
 * HTTP keeps and the mock's account check trims.
 */
const padArbitrary = fc.oneof(
  { weight: 2, arbitrary: fc.constant("") },
  { weight: 1, arbitrary: fc.constantFrom(" ", "\t") },
  { weight: 2, arbitrary: fc.constant("\u00a0") },
);

type PathStyle = "component" | "component-lower" | "every-byte" | "every-byte-lower";
const pathEncoded = (text: string, style: PathStyle): string => {
  const every = [...Buffer.from(text, "utf8")].map((byte) => `%${hexByte(byte).toUpperCase()}`).join("");
  const encoded = style.startsWith("every-byte") ? every : encodeURIComponent(text);
  return style.endsWith("-lower") ? escapesIn(encoded, false) : encoded;
};
type QueryStyle = "none" | "component" | "form" | "every-byte-lower";
const queryOf = (text: string, style: QueryStyle): string =>
  style === "none"
    ? ""
    : `?ref=${style === "form" ? new URLSearchParams({ k: text }).toString().slice(2) : pathEncoded(text, style === "component" ? "component" : "every-byte-lower")}`;
/** How a JSON body writes the key: as JSON.stringify does, or every character \u-escaped in either case. */
type JsonStyle = "plain" | "unicode-lower" | "unicode-upper";
const jsonString = (text: string, style: JsonStyle): string =>
  style === "plain"
    ? JSON.stringify(text)
    : `"${text
        .split("")
        .map((unit) => {
          const digits = unit.charCodeAt(0).toString(16).padStart(4, "0");
          return `\\u${style === "unicode-upper" ? digits.toUpperCase() : digits}`;
        })
        .join("")}"`;

interface Draw {
  key: string;
  pad: { before: string; after: string };
  path: PathStyle;
  query: QueryStyle;
  json: JsonStyle;
  /** The key in the body's caption and/or extra_info.ref. */
  inCaption: boolean;
  inRef: boolean;
  /** The key in other headers: a bearer token, a cookie, the user agent, one of the client's own. */
  otherHeaders: ("authorization" | "cookie" | "user-agent" | "x-client-ref")[];
}

const drawArbitrary: fc.Arbitrary<Draw> = fc.record({
  key: keyArbitrary,
  pad: fc.record({ before: padArbitrary, after: padArbitrary }),
  path: fc.constantFrom<PathStyle>("component", "component-lower", "every-byte", "every-byte-lower"),
  query: fc.constantFrom<QueryStyle>("none", "component", "form", "every-byte-lower"),
  json: fc.constantFrom<JsonStyle>("plain", "unicode-lower", "unicode-upper"),
  inCaption: fc.boolean(),
  inRef: fc.boolean(),
  otherHeaders: fc.subarray(["authorization", "cookie", "user-agent", "x-client-ref"] as const),
});

// --- The mocks --------------------------------------------------------------------------------

interface Target {
  name: string;
  mock: TestMock;
  /** The account's key and the admin token, when the mock has them. */
  accountKey: string | undefined;
  token: string | undefined;
}

const [accountKeys, tokens] = [fc.sample(keyArbitrary, { seed, numRuns: 2 }), fc.sample(tokenArbitrary, { seed, numRuns: 2 })];
const targets: Target[] = [];
beforeAll(async () => {
  const guarded = await Promise.all(
    [0, 1].map(async (index) => ({
      name: `the mock with account ${index + 1}`,
      mock: await startTestMock({ apiKey: accountKeys[index]!, sid, phoneNumbers: [businessNumber] }, "fast", { adminToken: tokens[index]!, bodyLimitBytes }),
      accountKey: accountKeys[index]!,
      token: tokens[index]!,
    })),
  );
  const open = { name: "the mock with no account", mock: await startTestMock({}, "fast", { bodyLimitBytes }), accountKey: undefined, token: undefined };
  targets.push(...guarded, open);
});
afterAll(async () => {
  await Promise.all(targets.map((target) => target.mock.close()));
});

const adminHeaders = (target: Target): Record<string, string> => (target.token === undefined ? {} : { authorization: `Bearer ${target.token}` });
const admin = (target: Target, method: string, path: string, body?: unknown) =>
  rawRequest(target.mock.url, {
    method,
    path,
    headers: { ...adminHeaders(target), ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

// --- What each kind of request is, and what the mock answers it ------------------------------

interface Outcome {
  status: number | null;
  code: string | null;
  fault: Fault | null;
}

interface Plan {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** A scenario added before the request. */
  scenario?: unknown;
  /** What the journal entry says of the answer; an admin request is not journaled, and its status is the answer's. */
  expected: { journal: Outcome } | { adminStatus: number };
}

/** What a kind is given to build its request from. */
interface Context {
  draw: Draw;
  target: Target;
  /** The key placed elsewhere in the request: the header's, or the account's when the header has none. */
  secret: string;
  /** A recipient no other run uses, for a scenario to match. */
  recipient: string;
}

/** How a kind's request carries an api-key: none, the account's (or, with no account, any), or one of its own the account does not know. */
type KeyMode = "none" | "passing" | "wrong";

interface Kind {
  name: string;
  keys: KeyMode;
  /** Mocks it runs on: with an account, without, or both. */
  on: "account" | "open" | "both";
  /** False where a query string would change the answer (the admin API checks its parameters). */
  query?: boolean;
  /** More runs for the account's refusals: the key is checked there, trimmed. */
  runs?: number;
  build(context: Context): Plan;
}

const plainJson = { "content-type": "application/json" };
const envelopeOf = (example: NamedExample): Outcome => ({ status: example.status, code: (example.value as { code: string }).code, fault: null });
const outcome = (status: number | null, code: string | null = null, fault: Fault | null = null): Outcome => ({ status, code, fault });
const incorrectPayload = envelopeOf(example("incorrect-payload"));
const respondOutcome = (respond: { example: string } | { fault: Fault }): Outcome =>
  "example" in respond ? envelopeOf(example(respond.example)) : outcome(respond.fault === "malformed-json" ? 202 : null, null, respond.fault);

const marker = "@@secret@@";
/** The contract's valid body with the key in the caption and/or ref, as JSON text in the draw's style. */
function bodyText(context: Context, change: (body: Record<string, any>) => void = () => {}): string {
  const body = validBody();
  body.extra_info ??= {};
  if (context.draw.inCaption) body.messaging_object.video.caption = marker;
  if (context.draw.inRef) body.extra_info.ref = marker;
  change(body);
  return JSON.stringify(body).split(JSON.stringify(marker)).join(jsonString(context.secret, context.draw.json));
}

/** The operation's path for this SID and business number, each written in the draw's style. */
const operationPath = (context: Context, pathSid = sid, phone = businessNumber) =>
  messagesPath(
    pathSid === sid ? sid : pathEncoded(pathSid, context.draw.path),
    phone === businessNumber ? `%2B${phone.slice(1)}` : pathEncoded(phone, context.draw.path),
  );

const vendor = (plan: Omit<Plan, "expected">, journal: Outcome): Plan => ({ ...plan, expected: { journal } });
const post = (context: Context, body: string | Buffer, journal: Outcome, extra: Partial<Plan> = {}): Plan =>
  vendor(
    { method: "POST", path: operationPath(context), headers: plainJson, body: Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8"), ...extra },
    journal,
  );

const faults = faultNames();
// Recipients whose answer is held back take their own test below, all at once.
const [heldRecipients, promptRecipients] = [
  contract.testRecipients.filter((recipient) => (recipient.delayMs ?? 0) > 0),
  contract.testRecipients.filter((recipient) => (recipient.delayMs ?? 0) === 0),
];

const kinds: Kind[] = [
  { name: "a valid send", keys: "passing", on: "both", build: (c) => post(c, bodyText(c), envelopeOf(example("accepted"))) },
  { name: "no api-key", keys: "none", on: "account", runs: 8, build: (c) => post(c, bodyText(c), envelopeOf(example("incorrect-sid-or-api-key"))) },
  {
    name: "an api-key the account does not have",
    keys: "wrong",
    on: "account",
    runs: 8,
    build: (c) => post(c, bodyText(c), envelopeOf(example("incorrect-sid-or-api-key"))),
  },
  {
    name: "the key written as the SID",
    keys: "passing",
    on: "account",
    runs: 8,
    build: (c) => post(c, bodyText(c), envelopeOf(example("incorrect-sid-or-api-key")), { path: operationPath(c, c.secret) }),
  },
  {
    name: "the key written as the business number (not the account's)",
    keys: "passing",
    on: "account",
    runs: 8,
    build: (c) => post(c, bodyText(c), envelopeOf(example("phone-number-not-in-account")), { path: operationPath(c, sid, c.secret) }),
  },
  {
    name: "the key written as the business number (the schema refuses it)",
    keys: "passing",
    on: "open",
    build: (c) => post(c, bodyText(c), incorrectPayload, { path: operationPath(c, sid, c.secret) }),
  },
  {
    name: "a caption past the contract's limit, starting with the key",
    keys: "passing",
    on: "both",
    build: (c) =>
      post(
        c,
        bodyText(c, (body) => (body.messaging_object.video.caption = marker + "x".repeat(captionLimit))),
        incorrectPayload,
      ),
  },
  {
    name: "a property of video named by the key (the log quotes the name)",
    keys: "passing",
    on: "both",
    build: (c) =>
      post(
        c,
        bodyText(c, (body) => (body.messaging_object.video[marker] = 1)),
        incorrectPayload,
      ),
  },
  // The journal keeps a body that is not JSON as its text: the key as the client escaped it.
  ...(["plain", "unicode-lower", "unicode-upper"] as const).map(
    (json): Kind => ({
      name: `JSON cut short after the key, written ${json}`,
      keys: "passing",
      on: "both",
      build: (c) => post(c, bodyText({ ...c, draw: { ...c.draw, json } }, (body) => (body.extra_info.ref2 = marker)).slice(0, -2), incorrectPayload),
    }),
  ),
  { name: "the key as the body, unquoted", keys: "passing", on: "both", build: (c) => post(c, c.secret, incorrectPayload) },
  { name: "an empty body", keys: "passing", on: "both", build: (c) => post(c, "", incorrectPayload) },
  {
    name: "a body that is not UTF-8",
    keys: "passing",
    on: "both",
    build: (c) => post(c, Buffer.from(JSON.stringify({ ...validBody(), extra_info: { ref: `${c.secret}\u00ff` } }), "latin1"), incorrectPayload),
  },
  {
    name: "a form-encoded body, its media type naming the key",
    keys: "passing",
    on: "both",
    build: (c) =>
      post(c, new URLSearchParams({ ref: c.secret }).toString(), incorrectPayload, {
        headers: { "content-type": `application/x-www-form-urlencoded; ref=${c.secret}` },
      }),
  },
  {
    name: "a JSON media type with the key as a parameter",
    keys: "passing",
    on: "both",
    build: (c) => post(c, bodyText(c), envelopeOf(example("accepted")), { headers: { "content-type": `application/json; charset=utf-8; ref=${c.secret}` } }),
  },
  {
    name: "a body past the mock's limit, holding the key",
    keys: "passing",
    on: "both",
    build: (c) =>
      post(
        c,
        bodyText(c, (body) => (body.extra_info.ref2 = marker + "p".repeat(bodyLimitBytes))),
        incorrectPayload,
      ),
  },
  {
    name: "a body past the mock's limit on another path",
    keys: "passing",
    on: "both",
    build: (c) =>
      vendor(
        { method: "POST", path: `/v2/${pathEncoded(c.secret, c.draw.path)}/elsewhere`, headers: plainJson, body: Buffer.from(marker.repeat(bodyLimitBytes)) },
        outcome(413),
      ),
  },
  ...["GET", "PUT", "DELETE", "PATCH"].map(
    (method): Kind => ({
      name: `${method} on the operation's path`,
      keys: "passing",
      on: "both",
      build: (c) => vendor({ method, path: operationPath(c, c.secret), headers: plainJson }, outcome(405)),
    }),
  ),
  {
    name: "a path of no operation, holding the key",
    keys: "passing",
    on: "both",
    build: (c) =>
      vendor(
        { method: "POST", path: `/v2/${sid}/whatsapp/${pathEncoded(c.secret, c.draw.path)}/media`, headers: plainJson, body: Buffer.from(bodyText(c)) },
        outcome(404),
      ),
  },
  {
    name: "the operation's path with a malformed percent-escape",
    keys: "passing",
    on: "both",
    build: (c) => post(c, bodyText(c), incorrectPayload, { path: messagesPath(sid, `%2B9186300%G0${pathEncoded(c.secret, c.draw.path)}`) }),
  },
  {
    name: "another path with a malformed percent-escape",
    keys: "passing",
    on: "both",
    build: (c) => vendor({ method: "GET", path: `/${pathEncoded(c.secret, c.draw.path)}/%E0%A4%A`, headers: plainJson }, outcome(400)),
  },
  ...contract.examples.map(
    (named): Kind => ({
      name: `a scenario answering ${named.name}`,
      keys: "passing",
      on: "both",
      build: (c) => ({
        ...post(
          c,
          bodyText(c, (body) => (body.messaging_object.to = c.recipient)),
          envelopeOf(named),
        ),
        scenario: { match: { to: c.recipient }, respond: { example: named.name }, times: 1 },
      }),
    }),
  ),
  ...faults.map(
    (fault): Kind => ({
      name: `a scenario playing ${fault}`,
      keys: "passing",
      on: "both",
      build: (c) => ({
        ...post(
          c,
          bodyText(c, (body) => (body.messaging_object.to = c.recipient)),
          respondOutcome({ fault }),
        ),
        scenario: { match: { to: c.recipient }, respond: { fault }, times: 1 },
      }),
    }),
  ),
  ...promptRecipients.map(
    (recipient: TestRecipient): Kind => ({
      name: `the test recipient ${recipient.to} (${recipient.summary})`,
      keys: "passing",
      on: "both",
      build: (c) =>
        post(
          c,
          bodyText(c, (body) => (body.messaging_object.to = recipient.to)),
          respondOutcome(recipient.respond),
        ),
    }),
  ),
  ...contract.examples.map(
    (named): Kind => ({
      name: `Prefer: code=${named.status}, example=${named.name}`,
      keys: "passing",
      on: "both",
      build: (c) => post(c, bodyText(c), envelopeOf(named), { headers: { ...plainJson, prefer: `code=${named.status}, example=${named.name}` } }),
    }),
  ),
  {
    name: "Prefer naming the key as its example",
    keys: "passing",
    on: "both",
    build: (c) => post(c, bodyText(c), incorrectPayload, { headers: { ...plainJson, prefer: `example=${c.secret}` } }),
  },
  {
    name: "the admin API without its token",
    keys: "passing",
    on: "account",
    build: (c) => ({ method: "GET", path: `/__admin/requests/${pathEncoded(c.secret, c.draw.path)}`, headers: {}, expected: { adminStatus: 401 } }),
  },
  {
    name: "the admin API with the key for its token",
    keys: "passing",
    on: "account",
    build: (c) => ({ method: "DELETE", path: "/__admin/scenarios", headers: { authorization: `Bearer ${c.secret}` }, expected: { adminStatus: 401 } }),
  },
  {
    name: "the admin API asked for a path it does not have",
    keys: "passing",
    on: "both",
    build: (c) => ({ method: "GET", path: `/__admin/${pathEncoded(c.secret, c.draw.path)}`, headers: adminHeaders(c.target), expected: { adminStatus: 404 } }),
  },
  {
    name: "the admin API sent a scenario its contract refuses",
    keys: "passing",
    on: "both",
    query: false,
    build: (c) => ({
      method: "POST",
      path: "/__admin/scenarios",
      headers: { ...adminHeaders(c.target), ...plainJson },
      body: Buffer.from(
        JSON.stringify({ match: { to: marker }, respond: { example: marker } })
          .split(JSON.stringify(marker))
          .join(jsonString(c.secret, c.draw.json)),
      ),
      expected: { adminStatus: 400 },
    }),
  },
];

// --- Sending, and reading what the mock kept ---------------------------------------------------

/** One request on its own connection; `settled` resolves however it ends (an answer, a reset, a close). */
function sendOnce(url: string, plan: Plan): { settled: Promise<number | undefined>; stop(): void } {
  const { hostname, port } = new URL(url);
  const call = httpRequest({ hostname, port, method: plan.method, path: plan.path, headers: plan.headers, agent: false });
  const settled = new Promise<number | undefined>((resolve) => {
    call.on("response", (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode));
      response.on("error", () => resolve(response.statusCode));
      response.on("close", () => resolve(response.statusCode));
    });
    call.on("error", () => resolve(undefined));
    call.on("close", () => resolve(undefined));
  });
  call.end(plan.body);
  return { settled, stop: () => call.destroy() };
}

interface JournalPage {
  requests: { response: { status: number | null; code: string | null; fault: Fault | null } }[];
}

let runs = 0;

/** The key's header, the key placed elsewhere, and the request the kind makes of them. */
function planFor(kind: Kind, target: Target, draw: Draw): { plan: Plan; secrets: string[] } {
  const run = ++runs;
  const headerKey = kind.keys === "none" ? undefined : kind.keys === "wrong" || target.accountKey === undefined ? draw.key : target.accountKey;
  const secret = headerKey ?? target.accountKey!;
  const recipient = `+1900${String(run).padStart(7, "0")}`;
  const plan = kind.build({ draw, target, secret, recipient });
  const headerValue = headerKey === undefined ? undefined : `${draw.pad.before}${headerKey}${draw.pad.after}`;
  const others: Record<string, string> = {
    authorization: `Bearer ${secret}`,
    cookie: `session=${secret}`,
    "user-agent": `app/1.0 (${secret})`,
    "x-client-ref": secret,
  };
  const headers: Record<string, string> = { ...plan.headers };
  for (const name of draw.otherHeaders) if (!(name in headers)) headers[name] = others[name]!;
  if (headerValue !== undefined) headers["api-key"] = headerValue;
  const path = kind.query === false ? plan.path : plan.path + queryOf(secret, draw.query);
  const secrets = [
    secret,
    ...(headerValue === undefined ? [] : [headerValue]),
    ...(target.accountKey === undefined ? [] : [target.accountKey]),
    ...(target.token === undefined ? [] : [target.token]),
  ];
  return { plan: { ...plan, path, headers }, secrets: [...new Set(secrets)] };
}

/** Sends the kind's request to a clean mock; returns what the mock logged and journaled, and the answer's status. */
async function exercise(target: Target, plan: Plan): Promise<{ lines: string[]; journal: string; status: number | undefined }> {
  const { mock } = target;
  const start = mock.lines.length;
  expect((await admin(target, "POST", "/__admin/reset")).status).toBe(204);
  if (plan.scenario !== undefined) expect((await admin(target, "POST", "/__admin/scenarios", plan.scenario)).status).toBe(201);
  const before = mock.lines.length;
  const sent = sendOnce(mock.url, plan);
  const expected = plan.expected;
  // A request that gets no answer is logged all the same; the others are logged before their answer leaves.
  const status = "journal" in expected && expected.journal.fault === "no-response" ? undefined : await within(`${plan.method} ${plan.path}`, sent.settled);
  await until(`the log line of ${plan.method} ${plan.path}`, () => (mock.lines.length > before ? true : undefined));
  sent.stop();
  const journal = await admin(target, "GET", "/__admin/requests");
  expect(journal.status).toBe(200);
  return { lines: mock.lines.slice(start), journal: journal.text, status };
}

const targetsFor = (kind: Kind) => (kind.on === "both" ? [0, 1, 2] : kind.on === "account" ? [0, 1] : [2]);

describe("no request puts a key in the mock's log or journal, in any form", () => {
  for (const kind of kinds) {
    it(kind.name, async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...targetsFor(kind)), drawArbitrary, async (index, draw) => {
          const target = targets[index]!;
          fc.pre(draw.key !== target.accountKey);
          const { plan, secrets } = planFor(kind, target, draw);
          const { lines, journal, status } = await exercise(target, plan);
          const page = JSON.parse(journal) as JournalPage;
          if ("journal" in plan.expected) {
            expect(page.requests.map((entry) => ({ status: entry.response.status, code: entry.response.code, fault: entry.response.fault }))).toEqual([
              plan.expected.journal,
            ]);
          } else {
            // Admin calls are answered, logged, and never journaled.
            expect([status, page.requests]).toEqual([plan.expected.adminStatus, []]);
          }
          // On a failure the message shows what the mock wrote, as JSON (escaped).
          expect(
            shown([...lines, journal, ...stringsIn(page)], secrets),
            JSON.stringify({ target: target.name, request: `${plan.method} ${plan.path}`, lines, journal }),
          ).toEqual([]);
        }),
        { seed, numRuns: kind.runs ?? 3 },
      );
    });
  }

  it(`the recipients whose answer is held back (${heldRecipients.map((recipient) => recipient.to).join(", ")}), all at once on each mock`, async () => {
    expect(heldRecipients.length).toBeGreaterThan(0);
    const draws = fc.sample(drawArbitrary, { seed, numRuns: 3 });
    const limit = Math.max(...heldRecipients.map((recipient) => recipient.delayMs!)) + waitMs;
    const journalOutcomes = (page: JournalPage) =>
      page.requests.map((entry) => ({ status: entry.response.status, code: entry.response.code, fault: entry.response.fault }));
    // Answers leave in any order: outcomes are compared as sorted lists.
    const sorted = (outcomes: unknown[]) => outcomes.map((one) => JSON.stringify(one)).sort();
    await Promise.all(
      [targets[0]!, targets[2]!].map(async (target) => {
        const { mock } = target;
        const start = mock.lines.length;
        expect((await admin(target, "POST", "/__admin/reset")).status).toBe(204);
        const sent = heldRecipients.flatMap((recipient) =>
          draws.map((draw) => {
            const kind: Kind = {
              name: recipient.to,
              keys: "passing",
              on: "both",
              build: (c) =>
                post(
                  c,
                  bodyText(c, (body) => (body.messaging_object.to = recipient.to)),
                  respondOutcome(recipient.respond),
                ),
            };
            const { plan, secrets } = planFor(kind, target, draw);
            return { secrets, settled: sendOnce(mock.url, plan).settled, expected: plan.expected };
          }),
        );
        await within(`the held answers of ${target.name}`, Promise.all(sent.map((one) => one.settled)), limit);
        await until(`a log line for each held request to ${target.name}`, () => (mock.lines.length - start >= sent.length + 1 ? true : undefined));
        const journal = (await admin(target, "GET", "/__admin/requests")).text;
        const page = JSON.parse(journal) as JournalPage;
        expect(sorted(journalOutcomes(page))).toEqual(sorted(sent.map((one) => ("journal" in one.expected ? one.expected.journal : undefined))));
        expect(
          shown(
            [...mock.lines.slice(start), journal, ...stringsIn(page)],
            sent.flatMap((one) => one.secrets),
          ),
        ).toEqual([]);
      }),
    );
  });
});
