// The send-video operation as the document defines it: its path, method, media types and
// documented responses with their named examples. Read from the spec, never retyped.
import type { components as AdminComponents } from "../../generated/kaleyra-mock-admin.ts";
import { loadDocument, type ExampleObject, type MediaTypeObject, type OpenApiDocument, type ResponseObject } from "./document.ts";

/** A fictional customer number the kit's mock always answers the same way (`x-mock-test-recipients`). */
export type TestRecipient = AdminComponents["schemas"]["TestRecipient"];

export const operationId = "sendVideoMessage";

export interface NamedExample {
  name: string;
  status: number;
  mediaType: string;
  summary: string | undefined;
  value: unknown;
}

export interface OperationContract {
  /** The path template, e.g. `/v2/{sid}/whatsapp/{phone_number}/messages`. */
  path: string;
  /** Lower-case HTTP method. */
  method: string;
  /** Names of the path template's parameters, in order. */
  pathParameters: string[];
  /** Media types the request body may have. */
  requestMediaTypes: string[];
  /** The request body's named examples (of its JSON media type), by name. */
  requestExamples: Record<string, unknown>;
  /** Documented statuses, ascending. */
  statuses: number[];
  /** Every named response example, in document order within each status. */
  examples: NamedExample[];
  /** JSON pointer (for ContractSchemas.check) to the JSON schema of each documented status's body. */
  responseSchemaPointers: Record<number, string>;
  /** JSON pointers to the request body's schema and to each path parameter's schema. */
  requestSchemaPointer: string;
  pathParameterSchemaPointers: Record<string, string>;
  /** The operation's `x-mock-test-recipients`, in document order. */
  testRecipients: TestRecipient[];
  /** Matches a raw request path (before percent-decoding) and captures the path parameters. */
  matchPath(rawPath: string): Record<string, string> | undefined;
}

const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

function resolveResponse(doc: OpenApiDocument, response: unknown): ResponseObject {
  const ref = (response as { $ref?: string }).$ref;
  if (ref === undefined) return response as ResponseObject;
  const name = ref.replace("#/components/responses/", "");
  const resolved = doc.components.responses[name];
  if (!resolved) throw new Error(`unresolved response reference ${ref}`);
  return resolved;
}

function findOperation(doc: OpenApiDocument) {
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of methods) {
      const op = item[method] as { operationId?: string } | undefined;
      if (op?.operationId === operationId) return { path, method, op: op as Record<string, unknown> };
    }
  }
  throw new Error(`operation ${operationId} is not in the document`);
}

const pointerEscape = (segment: string) => segment.replace(/~/g, "~0").replace(/\//g, "~1");

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function buildOperationContract(doc: OpenApiDocument): OperationContract {
  const { path, method, op } = findOperation(doc);
  const pathParameters = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
  const pattern = new RegExp(
    `^${path
      .split(/\{[^}]+\}/)
      .map(escapeRegExp)
      .join("([^/]+)")}$`,
  );

  const requestBody = op.requestBody as { content: Record<string, MediaTypeObject> };
  const responses = op.responses as Record<string, unknown>;
  const statuses = Object.keys(responses)
    .map(Number)
    .sort((a, b) => a - b);
  const examples: NamedExample[] = [];
  const responseSchemaPointers: Record<number, string> = {};
  const operationPointer = `#/paths/${pointerEscape(path)}/${method}`;
  const jsonMediaType = "application/json";
  for (const status of statuses) {
    const ref = (responses[String(status)] as { $ref?: string }).$ref;
    const responsePointer = ref ?? `${operationPointer}/responses/${status}`;
    responseSchemaPointers[status] = `${responsePointer}/content/${pointerEscape(jsonMediaType)}/schema`;
    const response = resolveResponse(doc, responses[String(status)]);
    for (const [mediaType, media] of Object.entries(response.content ?? {})) {
      for (const [name, example] of Object.entries(media.examples ?? {}) as [string, ExampleObject][]) {
        examples.push({ name, status, mediaType, summary: example.summary, value: example.value });
      }
    }
  }

  const pathItemParameters = (doc.paths[path]?.parameters ?? []) as { $ref?: string; name?: string }[];
  const pathParameterSchemaPointers: Record<string, string> = {};
  pathItemParameters.forEach((parameter, index) => {
    const pointer = parameter.$ref ?? `#/paths/${pointerEscape(path)}/parameters/${index}`;
    const resolved = parameter.$ref
      ? (doc.components as Record<string, Record<string, { name: string }>>).parameters?.[parameter.$ref.split("/").pop()!]
      : parameter;
    if (resolved?.name) pathParameterSchemaPointers[resolved.name] = `${pointer}/schema`;
  });

  return {
    path,
    method,
    pathParameters,
    requestMediaTypes: Object.keys(requestBody.content),
    requestExamples: Object.fromEntries(Object.entries(requestBody.content[jsonMediaType]?.examples ?? {}).map(([name, example]) => [name, example.value])),
    statuses,
    examples,
    responseSchemaPointers,
    requestSchemaPointer: `${operationPointer}/requestBody/content/${pointerEscape(jsonMediaType)}/schema`,
    pathParameterSchemaPointers,
    testRecipients: (op["x-mock-test-recipients"] as TestRecipient[] | undefined) ?? [],
    matchPath(rawPath) {
      const match = pattern.exec(rawPath);
      if (!match) return undefined;
      const parameters: Record<string, string> = {};
      for (let i = 0; i < pathParameters.length; i++) parameters[pathParameters[i]!] = match[i + 1]!;
      return parameters;
    },
  };
}

let cached: OperationContract | undefined;

export function operation(): OperationContract {
  cached ??= buildOperationContract(loadDocument());
  return cached;
}

/** The named example, or undefined; names are unique across the operation's responses. */
export function findExample(name: string): NamedExample | undefined {
  return operation().examples.find((example) => example.name === name);
}

/** The named example; throws when the document lacks it (a broken contract, not bad input). */
export function example(name: string): NamedExample {
  const found = findExample(name);
  if (!found) throw new Error(`the contract has no response example named ${name}`);
  return found;
}

/**
 * The named example an answer is: same status, same code, same keys in `error`. It tells apart
 * answers that share a code (WA-401's two meanings).
 */
export function exampleMatching(status: number, body: unknown): NamedExample | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const { code, error } = body as { code?: unknown; error?: unknown };
  if (typeof error !== "object" || error === null) return undefined;
  const keys = Object.keys(error).sort().join(",");
  return operation().examples.find((example) => {
    const value = example.value as { code: string; error: object };
    return example.status === status && value.code === code && Object.keys(value.error).sort().join(",") === keys;
  });
}

/** The request body's recipient, `messaging_object.to`, when it is a string. */
export function recipientOf(body: unknown): string | undefined {
  const to = (body as { messaging_object?: { to?: unknown } } | null | undefined)?.messaging_object?.to;
  return typeof to === "string" ? to : undefined;
}
