// The checks, each derived from the contract and applied to every answer. Their names are what
// reports and tests refer to.
import { loadDocument } from "../src/contract/document.ts";
import { example, exampleMatching, operation } from "../src/contract/operation.ts";
import { compileContractSchemas } from "../src/contract/schemas.ts";
import { resolver, type Schema } from "./derive.ts";
import type { Case } from "./plan.ts";
import type { Observed } from "./send.ts";

export const checkNames = [
  "answered",
  "status_documented",
  "content_type_documented",
  "response_schema",
  "code_documented",
  "no_server_error",
  "accepts_valid",
  "rejects_invalid",
  "auth_enforced",
  "serves_example",
] as const;
export type CheckName = (typeof checkNames)[number];

export interface CheckResult {
  name: CheckName;
  ok: boolean;
  detail: string;
}

interface ResponseContract {
  mediaTypes: string[];
  codes: string[];
}

let cached: Map<number, ResponseContract> | undefined;

/** Per documented status: its media types, and the codes its schema allows (enum or const of `code`). */
function responseContracts(): Map<number, ResponseContract> {
  if (cached) return cached;
  const doc = loadDocument();
  const resolve = resolver(doc);
  const contract = operation();
  cached = new Map();
  const codesOf = (schema: Schema): string[] => {
    const s = resolve(schema) as Schema & { allOf?: Schema[] };
    const own = s.properties?.code ? resolve(s.properties.code) : undefined;
    const here = own?.enum ? (own.enum as string[]) : own?.const !== undefined ? [own.const as string] : [];
    return [...here, ...(s.allOf ?? []).flatMap(codesOf)];
  };
  for (const status of contract.statuses) {
    const response = resolve({ $ref: contract.responseSchemaPointers[status]!.replace(/\/content\/.*$/, "") }) as { content?: Record<string, { schema: Schema }> };
    const content = response.content ?? {};
    cached.set(status, {
      mediaTypes: Object.keys(content),
      codes: [...new Set(Object.values(content).flatMap((media) => codesOf(media.schema)))],
    });
  }
  return cached;
}

const mediaTypeOf = (contentType: string | undefined) => contentType?.split(";")[0]?.trim().toLowerCase();
const codeOf = (body: unknown) => (typeof body === "object" && body !== null && typeof (body as { code?: unknown }).code === "string" ? (body as { code: string }).code : undefined);

export function checkAnswer(testCase: Case, observed: Observed): CheckResult[] {
  if (observed.status === undefined) {
    return [{ name: "answered", ok: false, detail: `no answer: ${observed.transportError}` }];
  }
  const status = observed.status;
  const results: CheckResult[] = [];
  const add = (name: CheckName, ok: boolean, detail: string) => results.push({ name, ok, detail });
  const contracts = responseContracts();
  const documented = contracts.get(status);
  const code = codeOf(observed.json);

  add("status_documented", documented !== undefined, documented ? `${status}` : `${status} is not a documented status (${[...contracts.keys()].join(", ")})`);
  if (documented) {
    const mediaType = mediaTypeOf(observed.contentType);
    add("content_type_documented", mediaType !== undefined && documented.mediaTypes.includes(mediaType), `${observed.contentType ?? "(none)"}; documented: ${documented.mediaTypes.join(", ")}`);
    const issues = observed.json === undefined ? [{ field: "(body)", message: "is not JSON" }] : compileContractSchemas().issues(operation().responseSchemaPointers[status]!, observed.json);
    add("response_schema", issues.length === 0, issues.length ? issues.map((i) => `${i.field} ${i.message}`).join("; ") : "valid");
    add("code_documented", code !== undefined && documented.codes.includes(code), `${code ?? "(no code)"}; documented for ${status}: ${documented.codes.join(", ")}`);
  }
  // A 5xx asked for by name (Prefer) is not one the client caused.
  if (!testCase.expect.startsWith("example:")) add("no_server_error", status < 500, `${status}`);

  const outcome = `${status} ${code ?? "(no code)"}`;
  // What each kind of request must get, by the contract's own named examples.
  const is = (name: string) => {
    const expected = example(name);
    return { ok: status === expected.status && code === codeOf(expected.value), text: `${expected.status} ${codeOf(expected.value)}` };
  };
  switch (testCase.expect) {
    case "accepted": {
      const accepted = is("accepted");
      add("accepts_valid", accepted.ok, `${outcome}; expected ${accepted.text} for a request the contract accepts`);
      break;
    }
    case "rejected": {
      const rejected = is("incorrect-payload");
      add("rejects_invalid", rejected.ok, `${outcome}; expected ${rejected.text} for a request the contract refuses`);
      break;
    }
    case "refused": {
      const ok = status >= 400 && status < 500 && documented !== undefined && code !== undefined && documented.codes.includes(code);
      add("rejects_invalid", ok, `${outcome}; expected a documented 4xx refusal`);
      break;
    }
    case "documented":
      break; // Only the checks every answer gets.
    case "unauthorized": {
      const refused = is("incorrect-sid-or-api-key");
      add("auth_enforced", refused.ok, `${outcome}; expected ${refused.text}`);
      break;
    }
    default: {
      // The example itself: status, code and the keys of `error` (WA-401 has two meanings).
      const wanted = testCase.expect.slice("example:".length);
      const served = exampleMatching(status, observed.json)?.name;
      add("serves_example", served === wanted, `${outcome} (${served ?? "no named example"}); asked for ${wanted}`);
    }
  }
  return results;
}
