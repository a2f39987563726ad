// Stoplight Prism, embedded: it routes the request, checks the security scheme, validates the
// request against the contract and picks the documented response and example.
import type { IHttpConfig, IHttpRequest, IHttpResponse } from "@stoplight/prism-http";
import type { OpenApiDocument } from "../contract/document.ts";
import { httpMethods } from "./documented.ts";
import { notAnHttpMethod } from "./refusals.ts";
import type { Preference } from "./prefer.ts";

export interface EngineRequest {
  method: string;
  /** Raw path, before percent-decoding: Prism decodes parameters itself. */
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body: unknown;
  preference: Preference;
}

export type EngineResult =
  | { kind: "response"; response: IHttpResponse; diagnostics: string[] }
  /** Prism's own refusal (no such path or method): answered as problem+json, like Prism's server. */
  | { kind: "problem"; status: number; type: string; title: string; detail: string; headers: Record<string, string> };

export interface Engine {
  process(request: EngineRequest): Promise<EngineResult>;
}

function configFor(preference: Preference): IHttpConfig {
  // A fresh object each time: Prism writes negotiation state into the config it is given.
  const mock: Extract<IHttpConfig, { isProxy: false }>["mock"] = { dynamic: false };
  if (preference.code !== undefined) mock.code = preference.code;
  if (preference.example !== undefined) mock.exampleKey = preference.example;
  return {
    mock,
    checkSecurity: true,
    validateRequest: true,
    validateResponse: false,
    errors: false,
    upstreamProxy: undefined,
    isProxy: false,
  };
}

export async function createEngine(document: OpenApiDocument): Promise<Engine> {
  // Loaded here, and only for the "prism" engine: Prism takes about half a second and 100 MB to
  // load, and the default engine answers every documented response without it.
  const [{ createLogger }, { createInstance, getHttpOperationsFromSpec }] = await Promise.all([
    import("@stoplight/prism-core"),
    import("@stoplight/prism-http"),
  ]);
  // Prism resolves references in place, so it gets its own copy of the document.
  const operations = await getHttpOperationsFromSpec(structuredClone(document));
  const prism = createInstance(configFor({}), { logger: createLogger("PRISM", { level: "silent" }) });

  return {
    async process(request) {
      const method = request.method.toLowerCase();
      if (!httpMethods.has(method)) {
        return { kind: "problem", ...notAnHttpMethod(request.method), headers: {} };
      }
      const input: IHttpRequest = {
        method: method as IHttpRequest["method"],
        url: { path: request.path, query: request.query },
        headers: request.headers,
        body: request.body,
      };
      const result = await prism.request(input, operations, configFor(request.preference))();
      if (result._tag === "Right") {
        const diagnostics = result.right.validations.input.map((diagnostic) => diagnostic.message);
        return { kind: "response", response: result.right.output, diagnostics };
      }
      const error = result.left as Error & { status?: number; detail?: string; additional?: { headers?: Record<string, string> } };
      return {
        kind: "problem",
        status: error.status ?? 500,
        type: error.name,
        title: error.message,
        detail: error.detail ?? error.message,
        headers: error.additional?.headers ?? {},
      };
    },
  };
}
