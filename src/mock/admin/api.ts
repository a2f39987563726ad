// The admin API, routed and validated by its own contract (openapi/kaleyra-mock-admin.yaml): the
// paths, methods, query parameters and bodies it takes are read from there, the handlers are
// keyed by operationId, and every refusal is an RFC 9457 problem naming the field at fault.
import type { IncomingMessage } from "node:http";
import type { operations } from "../../../generated/kaleyra-mock-admin.ts";
import { loadAdminDocument } from "../../contract/document.ts";
import { operation } from "../../contract/operation.ts";
import { compileContractSchemas } from "../../contract/schemas.ts";
import { headerValue, readBody } from "../intake.ts";
import { parseJson } from "../../json/read.ts";
import type { Reply } from "../model.ts";
import type { CallbackSender } from "../../callbacks/sender.ts";
import { callbackUrlProblem } from "../../callbacks/url.ts";
import { authorized, browserRefusal, type AdminAccess } from "./access.ts";
import { identityAnswer } from "../../contract/identity.ts";
import type { Journal, JournalFilter } from "./journal.ts";
import type { ScenarioInput, Scenarios } from "./scenarios.ts";

type OperationId = keyof operations;

export interface FieldError {
  field: string;
  message: string;
}

/** The largest admin body read; a scenario is a few hundred bytes. */
export const adminBodyLimitBytes = 64 * 1024;

const titles: Record<number, string> = {
  400: "Bad request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not found",
  405: "Method not allowed",
  409: "Conflict",
  413: "Payload too large",
};

export function adminProblem(status: number, detail: string, errors: FieldError[] = [], headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { ...headers, "content-type": "application/problem+json", "cache-control": "no-store" },
    body: { type: "about:blank", title: titles[status] ?? "Error", status, detail, errors },
  };
}

function fieldProblem(errors: FieldError[]): Reply {
  return adminProblem(400, errors.map((error) => `${error.field}: ${error.message}`).join("; "), errors);
}

const ok = (status: number, body?: unknown): Reply => ({ status, headers: { "content-type": "application/json", "cache-control": "no-store" }, body });

interface QueryParameter {
  pointer: string;
  integer: boolean;
  required: boolean;
}

interface Route {
  pattern: RegExp;
  parameterNames: string[];
  methods: Map<string, { operationId: OperationId; query: Map<string, QueryParameter>; bodyPointer: string | undefined }>;
}

const pointerEscape = (segment: string) => segment.replace(/~/g, "~0").replace(/\//g, "~1");

interface Parameter {
  in: string;
  name: string;
  required?: boolean;
  schema: { type?: string };
}

/** A parameter the operation refers to, `#/components/parameters/<name>`. */
function resolveParameter(doc: ReturnType<typeof loadAdminDocument>, ref: string): Parameter {
  const name = /^#\/components\/parameters\/([^/]+)$/.exec(ref)?.[1];
  const parameter = name === undefined ? undefined : (doc.components as { parameters?: Record<string, Parameter> }).parameters?.[name];
  if (!parameter) throw new Error(`the admin contract refers to ${ref}, which it does not define`);
  return parameter;
}

function routesOf(): { prefix: string; routes: Route[] } {
  const doc = loadAdminDocument();
  const routes: Route[] = [];
  const prefixes = new Set<string>();
  for (const [template, item] of Object.entries(doc.paths)) {
    prefixes.add(`/${template.split("/")[1]}/`);
    const parameterNames = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, "([^/]+)")}$`);
    const methods: Route["methods"] = new Map();
    for (const [method, value] of Object.entries(item)) {
      const op = value as { operationId: OperationId; parameters?: (Parameter | { $ref: string })[]; requestBody?: unknown };
      const at = `#/paths/${pointerEscape(template)}/${method}`;
      const query = new Map<string, QueryParameter>();
      (op.parameters ?? []).forEach((written, index) => {
        // A shared parameter (the sandbox's `sid`) is a reference into components/parameters.
        const pointer = "$ref" in written ? written.$ref : `${at}/parameters/${index}`;
        const parameter = "$ref" in written ? resolveParameter(doc, written.$ref) : written;
        if (parameter.in === "query")
          query.set(parameter.name, { pointer: `${pointer}/schema`, integer: parameter.schema.type === "integer", required: parameter.required === true });
      });
      methods.set(method.toUpperCase(), {
        operationId: op.operationId,
        query,
        bodyPointer: op.requestBody ? `${at}/requestBody/content/application~1json/schema` : undefined,
      });
    }
    routes.push({ pattern, parameterNames, methods });
  }
  if (prefixes.size !== 1) throw new Error(`the admin contract's paths must share one prefix, not ${[...prefixes].join(", ")}`);
  return { prefix: [...prefixes][0]!, routes };
}

export interface AdminState {
  access: AdminAccess;
  journal: Journal;
  scenarios: Scenarios;
  callbacks: CallbackSender;
}

/** The sandbox a call acts on: the account SID of its `sid` query parameter, or the whole mock. */
const sandboxOf = (query: Record<string, string | number>): string | undefined => (typeof query.sid === "string" ? query.sid : undefined);

export interface AdminApi {
  /** The reserved prefix, `/__admin/`. */
  prefix: string;
  /** The answer to a request under the prefix, or undefined when the admin API is off (the path is then the vendor's to 404). */
  handle(request: IncomingMessage, path: string, query: Record<string, string | string[]>): Promise<Reply | undefined>;
}

export function createAdminApi(state: AdminState): AdminApi {
  const { prefix, routes } = routesOf();
  // The admin contract's schemas are compiled on the first call that needs them: no vendor
  // request does, so the mock's start-up does not wait for them.
  let schemas: ReturnType<typeof compileContractSchemas> | undefined;
  const exampleNames = operation().examples.map((example) => example.name);

  const issuesOf = (pointer: string, value: unknown, prefixField = ""): FieldError[] => {
    schemas ??= compileContractSchemas(loadAdminDocument());
    return schemas.issues(pointer, value).map((issue) => ({
      field: issue.field === "(body)" ? prefixField || "body" : prefixField ? `${prefixField}.${issue.field}` : issue.field,
      message: issue.message,
    }));
  };

  const readQuery = (
    declared: Map<string, QueryParameter>,
    query: Record<string, string | string[]>,
  ): { errors: FieldError[]; values: Record<string, string | number> } => {
    const errors: FieldError[] = [];
    const values: Record<string, string | number> = {};
    for (const [name, parameter] of declared) {
      if (parameter.required && !(name in query)) errors.push({ field: name, message: "is required" });
    }
    for (const [name, raw] of Object.entries(query)) {
      const parameter = declared.get(name);
      if (!parameter) {
        errors.push({ field: name, message: `is not a query parameter of this path${declared.size ? `; use ${[...declared.keys()].join(", ")}` : ""}` });
        continue;
      }
      if (Array.isArray(raw)) {
        errors.push({ field: name, message: "is given more than once" });
        continue;
      }
      const value = parameter.integer && /^-?\d+$/.test(raw) ? Number(raw) : raw;
      const found = issuesOf(parameter.pointer, value, name);
      if (found.length) errors.push(...found);
      else values[name] = value;
    }
    return { errors, values };
  };

  const readJson = async (request: IncomingMessage): Promise<{ ok: true; value: unknown } | { ok: false; reply: Reply } | undefined> => {
    const read = await readBody(request, adminBodyLimitBytes);
    if (read.kind === "aborted") return undefined;
    if (read.kind === "too-large") return { ok: false, reply: { ...adminProblem(413, `The body is larger than ${read.limit} bytes.`), closeConnection: true } };
    const mediaType = request.headers["content-type"]?.split(";")[0]?.trim().toLowerCase();
    // A page can send a body without a preflight only as a form or text: a JSON type it cannot.
    if (mediaType === undefined) return { ok: false, reply: fieldProblem([{ field: "content-type", message: "is required: application/json" }]) };
    if (mediaType !== "application/json") {
      return { ok: false, reply: fieldProblem([{ field: "content-type", message: `must be application/json, not ${JSON.stringify(mediaType)}` }]) };
    }
    if (read.bytes.length === 0) return { ok: false, reply: fieldProblem([{ field: "body", message: "is required: a JSON object" }]) };
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(read.bytes);
    } catch {
      return { ok: false, reply: fieldProblem([{ field: "body", message: "is not JSON: it is not valid UTF-8" }]) };
    }
    const parsed = parseJson(text);
    return parsed.ok ? parsed : { ok: false, reply: fieldProblem([{ field: "body", message: `is not JSON: ${parsed.problem}` }]) };
  };

  const handlers: Record<
    OperationId,
    (context: {
      request: IncomingMessage;
      query: Record<string, string | number>;
      parameters: Record<string, string>;
      bodyPointer: string | undefined;
    }) => Promise<Reply | undefined> | Reply
  > = {
    getIdentity: ({ query }) => ok(200, identityAnswer(query.nonce as string)),
    listRequests: ({ query }) => ok(200, state.journal.read(query as JournalFilter)),
    clearRequests: ({ query }) => {
      state.journal.clear(sandboxOf(query));
      return ok(204);
    },
    reset: ({ query }) => {
      const sid = sandboxOf(query);
      state.journal.clear(sid);
      state.scenarios.clear(sid);
      state.callbacks.reset(sid);
      return ok(204);
    },
    listCallbacks: ({ query }) => ok(200, state.callbacks.page(sandboxOf(query))),
    setCallbackUrl: async ({ request, query, bodyPointer }) => {
      const body = await readJson(request);
      if (!body?.ok) return body?.reply;
      const errors = issuesOf(bodyPointer!, body.value);
      if (errors.length) return fieldProblem(errors);
      const { url } = body.value as { url: string | null };
      const problem = url === null ? undefined : callbackUrlProblem(url);
      if (problem) return fieldProblem([{ field: "url", message: problem }]);
      const set = state.callbacks.setUrl(url ?? undefined, sandboxOf(query));
      if (!set.ok) return adminProblem(409, `The mock keeps callback URLs for at most ${set.limit} sandboxes; reset some first.`);
      return ok(204);
    },
    listScenarios: ({ query }) => ok(200, { scenarios: state.scenarios.list(sandboxOf(query)) }),
    addScenario: async ({ request, query, bodyPointer }) => {
      const body = await readJson(request);
      if (!body?.ok) return body?.reply;
      const errors = issuesOf(bodyPointer!, body.value);
      if (errors.length) return fieldProblem(errors);
      const input = body.value as ScenarioInput;
      if ("example" in input.respond && !exampleNames.includes(input.respond.example)) {
        return fieldProblem([
          {
            field: "respond.example",
            message: `${JSON.stringify(input.respond.example)} is not a named example of the contract; use one of ${exampleNames.join(", ")}`,
          },
        ]);
      }
      const sid = sandboxOf(query);
      if (sid !== undefined && input.match.sid !== undefined && input.match.sid !== sid) {
        return fieldProblem([
          {
            field: "match.sid",
            message: `is ${JSON.stringify(input.match.sid)}, but the scenario is added to the sandbox ${JSON.stringify(sid)}; leave it out or make it the same`,
          },
        ]);
      }
      const added = state.scenarios.add(sid === undefined ? input : { ...input, match: { ...input.match, sid } });
      if (!added.ok) return adminProblem(409, `The mock keeps at most ${added.limit} scenarios; remove some first.`);
      return ok(201, { id: added.id });
    },
    clearScenarios: ({ query }) => {
      state.scenarios.clear(sandboxOf(query));
      return ok(204);
    },
    removeScenario: ({ parameters, query }) => {
      const sid = sandboxOf(query);
      if (state.scenarios.remove(parameters.id!, sid)) return ok(204);
      return adminProblem(
        404,
        `No active scenario${sid === undefined ? "" : ` of the sandbox ${JSON.stringify(sid)}`} has the id ${JSON.stringify(parameters.id)}.`,
      );
    },
    listTestRecipients: () => ok(200, { recipients: operation().testRecipients }),
  };

  return {
    prefix,
    async handle(request, path, rawQuery) {
      if (state.access.mode === "off") return undefined;
      // Before routing: a caller without the token learns nothing, not even which paths exist.
      if (!authorized(state.access, request.headers.authorization)) {
        return adminProblem(401, "This admin API needs its token.", [], { "www-authenticate": 'Bearer realm="kaleyra-mock-admin"' });
      }
      const fromPage = browserRefusal(state.access, {
        host: request.headers.host,
        origin: request.headers.origin,
        fetchSite: headerValue(request, "sec-fetch-site"),
      });
      if (fromPage) return adminProblem(403, `The admin API does not answer web pages: ${fromPage}.`);
      for (const route of routes) {
        const match = route.pattern.exec(path);
        if (!match) continue;
        const method = route.methods.get(request.method as string);
        if (!method) return adminProblem(405, `${path} takes ${[...route.methods.keys()].join(", ")}.`, [], { allow: [...route.methods.keys()].join(", ") });
        const parameters: Record<string, string> = {};
        let malformed = false;
        route.parameterNames.forEach((name, index) => {
          try {
            parameters[name] = decodeURIComponent(match[index + 1]!);
          } catch {
            malformed = true;
          }
        });
        if (malformed) return fieldProblem([{ field: "path", message: "has a malformed percent-escape" }]);
        const query = readQuery(method.query, rawQuery);
        if (query.errors.length) return fieldProblem(query.errors);
        return handlers[method.operationId]({ request, query: query.values, parameters, bodyPointer: method.bodyPointer });
      }
      return adminProblem(404, `${path} is not a path of the admin API; see its contract (openapi/kaleyra-mock-admin.yaml).`);
    },
  };
}
