// The typed client of the kit's mock admin API: openapi-fetch over the types generated from the
// admin contract, through the kit's HTTP edge (no redirect followed, answers bounded, the token
// masked). For integration tests: read what the code under test sent, choose what it gets next.
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "../../generated/kaleyra-mock-admin.ts";
import { maxTimerMs } from "../http/edge.ts";
import { isSuccess } from "../http/status.ts";
import { guardedTransport, type FetchLike } from "../http/fetch.ts";
import { createMasker, headerValueProblem } from "../http/secrets.ts";
import { checkBaseUrl } from "./base-url.ts";
import { KaleyraAdminError, KaleyraTransportError, KaleyraValidationError, type AdminProblem, type RequestSummary } from "./errors.ts";
import { transportError } from "./transport-error.ts";
import { loadAdminDocument } from "../contract/document.ts";

type Schemas = components["schemas"];
export type JournalEntry = Schemas["JournalEntry"];
export type Journal = Schemas["Journal"];
export type ScenarioInput = Schemas["ScenarioInput"];
export type Scenario = Schemas["Scenario"];
export type TestRecipient = Schemas["TestRecipient"];
export type MockIdentity = Schemas["Identity"];
export type Fault = Schemas["Fault"];
export type JournalFilter = Omit<NonNullable<paths["/__admin/requests"]["get"]["parameters"]["query"]>, "sid">;
export type CallbacksPage = Schemas["Callbacks"];
export type CallbackDelivery = Schemas["CallbackDelivery"];

/** A call's sandbox: the account SID it acts on, in place of the client's own. */
export interface SandboxOption {
  sid?: string;
}

export interface MockAdminOptions {
  /** The mock's URL, e.g. `http://127.0.0.1:4010`: the admin API shares its port. */
  baseUrl: string;
  /** `KALEYRA_MOCK_ADMIN_TOKEN`, when the mock asks for one. */
  token?: string;
  /** Plain http to a mock off loopback sends the token in clear; allow it only on a network you trust. */
  allowInsecureHttp?: boolean;
  /** Time limit of each call in milliseconds; 10 s by default. */
  timeoutMs?: number;
  /**
   * The sandbox every call acts on: the account SID the code under test sends as. The journal,
   * scenarios, reset and callbacks are then that SID's alone, so test files with SIDs of their
   * own share one mock without seeing each other. Without it, calls act on the whole mock.
   */
  sid?: string;
  fetch?: FetchLike;
}

export interface MockAdmin {
  readonly baseUrl: string;
  /** The sandbox the client acts on, when it has one. */
  readonly sid: string | undefined;
  /** The journal's entries, oldest first, narrowed by the filter. */
  requests(filter?: JournalFilter & SandboxOption): Promise<JournalEntry[]>;
  /** The journal with its count of dropped entries. */
  journal(filter?: JournalFilter & SandboxOption): Promise<Journal>;
  clearRequests(options?: SandboxOption): Promise<void>;
  /** Adds a scenario (to the sandbox, whose SID it then matches); resolves to its id. */
  addScenario(scenario: ScenarioInput, options?: SandboxOption): Promise<string>;
  scenarios(options?: SandboxOption): Promise<Scenario[]>;
  removeScenario(id: string, options?: SandboxOption): Promise<void>;
  clearScenarios(options?: SandboxOption): Promise<void>;
  /**
   * Back to the start: the journal and the scenarios empty, the callback URL the mock started
   * with, queued callbacks dropped; the sandbox's alone when the client or the call has a `sid`.
   */
  reset(options?: SandboxOption): Promise<void>;
  /** Where status callbacks go from now on (the sandbox's, with a `sid`); null stops them. */
  setCallbackUrl(url: string | null, options?: SandboxOption): Promise<void>;
  /** The callback URL, the pending count and the deliveries (the sandbox's, with a `sid`). */
  callbacks(options?: SandboxOption): Promise<CallbacksPage>;
  testRecipients(): Promise<TestRecipient[]>;
  /** Asks the mock to echo a nonce (fresh when none is given). */
  identity(nonce?: string): Promise<MockIdentity>;
  readonly raw: Client<paths>;
}

export const defaultAdminTimeoutMs = 10_000;
/** Admin answers are small; a journal of 1000 entries with 64 KiB bodies is the most there is. */
const maxAdminResponseBytes = 128 * 1024 * 1024;

function optionsProblem(field: string, message: string): KaleyraValidationError {
  return new KaleyraValidationError(
    [{ field, rule: "option", message }],
    { method: "", url: "" },
    "The admin client's options cannot work, so nothing was sent",
  );
}

/** A call's input that cannot be sent: refused by name before anything goes out. */
function inputProblem(method: string, path: string, field: string, message: string): KaleyraValidationError {
  return new KaleyraValidationError([{ field, rule: "input", message }], { method, url: path }, "The admin call's input cannot work, so nothing was sent");
}

/** A field of a caller's object, read once: a throwing getter is the caller's error, not a network failure. */
function readField(method: string, path: string, from: unknown, field: string): unknown {
  if (from === undefined) return undefined;
  try {
    return (from as Record<string, unknown>)[field];
  } catch {
    throw inputProblem(method, path, field, "could not be read (its getter threw)");
  }
}

let sidRule: { pattern: RegExp; maxLength: number } | undefined;

/** A sandbox's SID, as the admin contract's `Sid` takes it. */
function checkSid(sid: unknown, problem: (message: string) => KaleyraValidationError): string {
  sidRule ??= (({ pattern, maxLength }) => ({ pattern: new RegExp(pattern), maxLength }))(
    loadAdminDocument().components.schemas.Sid as { pattern: string; maxLength: number },
  );
  if (typeof sid !== "string" || sid.length > sidRule.maxLength || !sidRule.pattern.test(sid))
    throw problem(`must be an account SID: 1 to ${sidRule.maxLength} letters and digits`);
  return sid;
}

/** A body as plain JSON data: a cycle, a BigInt or a throwing getter is refused before sending. */
function plainJson(method: string, path: string, value: unknown, field: string): unknown {
  try {
    return JSON.parse(JSON.stringify(value)) as unknown;
  } catch (error) {
    throw inputProblem(method, path, field, `is not plain JSON data (${error instanceof Error ? error.name : "it could not be serialized"})`);
  }
}

export function createMockAdmin(options: MockAdminOptions): MockAdmin {
  if (typeof options !== "object" || options === null) throw optionsProblem("(options)", "must be an object with baseUrl");
  const checked = checkBaseUrl(options.baseUrl, options.allowInsecureHttp === true, "admin token");
  if (!checked.ok) throw optionsProblem("baseUrl", checked.problem);
  const baseUrl = checked.url;
  const { token } = options;
  if (token !== undefined) {
    const problem = headerValueProblem(token);
    if (problem) throw optionsProblem("token", problem);
  }
  const timeoutMs = options.timeoutMs ?? defaultAdminTimeoutMs;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > maxTimerMs)
    throw optionsProblem("timeoutMs", `must be a whole number from 1 to ${maxTimerMs}`);
  if (options.fetch !== undefined && typeof options.fetch !== "function") throw optionsProblem("fetch", "must be a function");
  const defaultSid = options.sid === undefined ? undefined : checkSid(options.sid, (message) => optionsProblem("sid", message));
  const secrets = token === undefined ? [] : [token];
  const mask = createMasker(secrets);
  const headers: Record<string, string> = { accept: "application/json" };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const raw = createClient<paths>({ baseUrl, headers, ...guardedTransport(options.fetch, { maxResponseBytes: maxAdminResponseBytes, secrets, timeoutMs }) });

  /** One call: its answer's body on a 2xx, else a KaleyraAdminError; never anything but a KaleyraError. */
  const call = async <T>(
    method: string,
    path: string,
    run: (init: { timeoutMs: number }) => Promise<{ data?: unknown; error?: unknown; response: Response }>,
  ): Promise<T> => {
    const summary: RequestSummary = { method, url: baseUrl + path };
    let result: { data?: unknown; error?: unknown; response: Response };
    try {
      result = await run({ timeoutMs });
    } catch (thrown) {
      throw transportError(thrown, { summary, mask, timeoutMs, timedOut: false, aborted: false, action: "admin call", unknownOutcome: "" });
    }
    const { status } = result.response;
    if (isSuccess(status)) return result.data as T;
    const problem = result.error as Partial<AdminProblem> | undefined;
    if (typeof problem !== "object" || problem === null || typeof problem.detail !== "string") {
      throw new KaleyraTransportError({ reason: "invalid-response", message: `Answer ${status} is not the admin API's problem`, request: summary, status });
    }
    throw new KaleyraAdminError({ status, problem: { type: "about:blank", title: "", errors: [], ...problem } as AdminProblem, request: summary });
  };

  // `timeoutMs` is not a fetch option: openapi-fetch hands unknown keys on to the transport.
  type Init = { timeoutMs: number };
  const extra = (init: Init) => init as unknown as Record<string, never>;
  /** The sandbox of one call: its own `sid`, else the client's; checked before anything is sent. */
  const sandbox = (method: string, path: string, options: unknown): { sid?: string } => {
    if (options !== undefined && (typeof options !== "object" || options === null))
      throw inputProblem(method, path, "(options)", "must be an object, e.g. { sid }");
    const own = readField(method, path, options, "sid");
    const sid = own === undefined ? defaultSid : checkSid(own, (message) => inputProblem(method, path, "sid", message));
    return sid === undefined ? {} : { sid };
  };
  const at = (path: string, query: { sid?: string }) => (query.sid === undefined ? path : `${path}?sid=${encodeURIComponent(query.sid)}`);
  const journal = async (filter: JournalFilter & SandboxOption = {}) => {
    const query = { ...filter, ...sandbox("GET", "/__admin/requests", filter) };
    return call<Journal>("GET", "/__admin/requests", (init) => raw.GET("/__admin/requests", { params: { query }, ...extra(init) }));
  };
  const scoped = async <T>(
    method: "GET" | "DELETE" | "POST",
    path: "/__admin/requests" | "/__admin/reset" | "/__admin/scenarios" | "/__admin/callbacks",
    options: SandboxOption | undefined,
  ) => {
    const query = sandbox(method, path, options);
    return call<T>(method, at(path, query), (init) =>
      (raw[method] as (path: string, init: object) => Promise<{ data?: unknown; error?: unknown; response: Response }>)(path, {
        params: { query },
        ...extra(init),
      }),
    );
  };

  return {
    baseUrl,
    sid: defaultSid,
    raw,
    journal,
    requests: async (filter) => (await journal(filter)).requests,
    clearRequests: (options) => scoped("DELETE", "/__admin/requests", options),
    addScenario: async (scenario, options) => {
      const query = sandbox("POST", "/__admin/scenarios", options);
      const body = plainJson("POST", "/__admin/scenarios", scenario, "scenario");
      return (
        await call<{ id: string }>("POST", at("/__admin/scenarios", query), (init) =>
          raw.POST("/__admin/scenarios", { params: { query }, body: body as ScenarioInput, ...extra(init) }),
        )
      ).id;
    },
    scenarios: async (options) => (await scoped<{ scenarios: Scenario[] }>("GET", "/__admin/scenarios", options)).scenarios,
    removeScenario: async (id, options) => {
      const path = "/__admin/scenarios/{id}";
      if (typeof id !== "string" || id === "") throw inputProblem("DELETE", path, "id", "must be the id addScenario gave (a non-empty string)");
      const query = sandbox("DELETE", path, options);
      return call("DELETE", at(`/__admin/scenarios/${encodeURIComponent(id)}`, query), (init) =>
        raw.DELETE(path, { params: { path: { id }, query }, ...extra(init) }),
      );
    },
    clearScenarios: (options) => scoped("DELETE", "/__admin/scenarios", options),
    reset: (options) => scoped("POST", "/__admin/reset", options),
    setCallbackUrl: async (url, options) => {
      const path = "/__admin/callbacks";
      if (url !== null && typeof url !== "string") throw inputProblem("PUT", path, "url", "must be an http(s) URL, or null to stop callbacks");
      const query = sandbox("PUT", path, options);
      return call("PUT", at(path, query), (init) => raw.PUT(path, { params: { query }, body: { url }, ...extra(init) }));
    },
    callbacks: (options) => scoped<CallbacksPage>("GET", "/__admin/callbacks", options),
    testRecipients: async () =>
      (await call<{ recipients: TestRecipient[] }>("GET", "/__admin/test-recipients", (init) => raw.GET("/__admin/test-recipients", extra(init)))).recipients,
    identity: (nonce = crypto.randomUUID().replaceAll("-", "")) =>
      call<MockIdentity>("GET", "/__admin/identity", (init) => raw.GET("/__admin/identity", { params: { query: { nonce } }, ...extra(init) })),
  };
}
