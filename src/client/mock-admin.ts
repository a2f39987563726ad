// The typed client of the kit's mock admin API: openapi-fetch over the types generated from the
// admin contract, through the kit's HTTP edge (no redirect followed, answers bounded, the token
// masked). For integration tests: read what the code under test sent, choose what it gets next.
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "../../generated/kaleyra-mock-admin.ts";
import { maxTimerMs } from "../http/edge.ts";
import { guardedTransport, type FetchLike } from "../http/fetch.ts";
import { createMasker, headerValueProblem } from "../http/secrets.ts";
import { checkBaseUrl } from "./base-url.ts";
import { KaleyraAdminError, KaleyraTransportError, KaleyraValidationError, type AdminProblem, type RequestSummary } from "./errors.ts";
import { transportError } from "./transport-error.ts";

type Schemas = components["schemas"];
export type JournalEntry = Schemas["JournalEntry"];
export type Journal = Schemas["Journal"];
export type ScenarioInput = Schemas["ScenarioInput"];
export type Scenario = Schemas["Scenario"];
export type TestRecipient = Schemas["TestRecipient"];
export type MockIdentity = Schemas["Identity"];
export type Fault = Schemas["Fault"];
export type JournalFilter = NonNullable<paths["/__admin/requests"]["get"]["parameters"]["query"]>;

export interface MockAdminOptions {
  /** The mock's URL, e.g. `http://127.0.0.1:4010`: the admin API shares its port. */
  baseUrl: string;
  /** `KALEYRA_MOCK_ADMIN_TOKEN`, when the mock asks for one. */
  token?: string;
  /** Plain http to a mock off loopback sends the token in clear; allow it only on a network you trust. */
  allowInsecureHttp?: boolean;
  /** Time limit of each call in milliseconds; 10 s by default. */
  timeoutMs?: number;
  fetch?: FetchLike;
}

export interface MockAdmin {
  readonly baseUrl: string;
  /** The journal's entries, oldest first, narrowed by the filter. */
  requests(filter?: JournalFilter): Promise<JournalEntry[]>;
  /** The journal with its count of dropped entries. */
  journal(filter?: JournalFilter): Promise<Journal>;
  clearRequests(): Promise<void>;
  /** Adds a scenario; resolves to its id. */
  addScenario(scenario: ScenarioInput): Promise<string>;
  scenarios(): Promise<Scenario[]>;
  removeScenario(id: string): Promise<void>;
  clearScenarios(): Promise<void>;
  /** Clears the journal and the scenarios. */
  reset(): Promise<void>;
  testRecipients(): Promise<TestRecipient[]>;
  /** Asks the mock to echo a nonce (fresh when none is given). */
  identity(nonce?: string): Promise<MockIdentity>;
  readonly raw: Client<paths>;
}

export const defaultAdminTimeoutMs = 10_000;
/** Admin answers are small; a journal of 1000 entries with 64 KiB bodies is the most there is. */
const maxAdminResponseBytes = 128 * 1024 * 1024;

function optionsProblem(field: string, message: string): KaleyraValidationError {
  return new KaleyraValidationError([{ field, rule: "option", message }], { method: "", url: "" }, "The admin client's options cannot work, so nothing was sent");
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
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > maxTimerMs) throw optionsProblem("timeoutMs", `must be a whole number from 1 to ${maxTimerMs}`);
  if (options.fetch !== undefined && typeof options.fetch !== "function") throw optionsProblem("fetch", "must be a function");
  const secrets = token === undefined ? [] : [token];
  const mask = createMasker(secrets);
  const headers: Record<string, string> = { accept: "application/json" };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const raw = createClient<paths>({ baseUrl, headers, ...guardedTransport(options.fetch, { maxResponseBytes: maxAdminResponseBytes, secrets, timeoutMs }) });

  /** One call: its answer's body on a 2xx, else a KaleyraAdminError; never anything but a KaleyraError. */
  const call = async <T>(method: string, path: string, run: (init: { timeoutMs: number }) => Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<T> => {
    const summary: RequestSummary = { method, url: baseUrl + path };
    let result: { data?: unknown; error?: unknown; response: Response };
    try {
      result = await run({ timeoutMs });
    } catch (thrown) {
      throw transportError(thrown, { summary, mask, timeoutMs, timedOut: false, aborted: false, action: "admin call", unknownOutcome: "" });
    }
    const { status } = result.response;
    if (status >= 200 && status < 300) return result.data as T;
    const problem = result.error as Partial<AdminProblem> | undefined;
    if (typeof problem !== "object" || problem === null || typeof problem.detail !== "string") {
      throw new KaleyraTransportError({ reason: "invalid-response", message: `Answer ${status} is not the admin API's problem`, request: summary, status });
    }
    throw new KaleyraAdminError({ status, problem: { type: "about:blank", title: "", errors: [], ...problem } as AdminProblem, request: summary });
  };

  // `timeoutMs` is not a fetch option: openapi-fetch hands unknown keys on to the transport.
  type Init = { timeoutMs: number };
  const extra = (init: Init) => init as unknown as Record<string, never>;
  const journal = (filter: JournalFilter = {}) => call<Journal>("GET", "/__admin/requests", (init) => raw.GET("/__admin/requests", { params: { query: filter }, ...extra(init) }));

  return {
    baseUrl,
    raw,
    journal,
    requests: async (filter) => (await journal(filter)).requests,
    clearRequests: () => call("DELETE", "/__admin/requests", (init) => raw.DELETE("/__admin/requests", extra(init))),
    addScenario: async (scenario) => (await call<{ id: string }>("POST", "/__admin/scenarios", (init) => raw.POST("/__admin/scenarios", { body: scenario, ...extra(init) }))).id,
    scenarios: async () => (await call<{ scenarios: Scenario[] }>("GET", "/__admin/scenarios", (init) => raw.GET("/__admin/scenarios", extra(init)))).scenarios,
    removeScenario: (id) =>
      call("DELETE", `/__admin/scenarios/${encodeURIComponent(id)}`, (init) => raw.DELETE("/__admin/scenarios/{id}", { params: { path: { id } }, ...extra(init) })),
    clearScenarios: () => call("DELETE", "/__admin/scenarios", (init) => raw.DELETE("/__admin/scenarios", extra(init))),
    reset: () => call("POST", "/__admin/reset", (init) => raw.POST("/__admin/reset", extra(init))),
    testRecipients: async () => (await call<{ recipients: TestRecipient[] }>("GET", "/__admin/test-recipients", (init) => raw.GET("/__admin/test-recipients", extra(init)))).recipients,
    identity: (nonce = crypto.randomUUID().replaceAll("-", "")) =>
      call<MockIdentity>("GET", "/__admin/identity", (init) => raw.GET("/__admin/identity", { params: { query: { nonce } }, ...extra(init) })),
  };
}
