// Validators compiled from the document's own schemas (JSON Schema 2020-12, as the document
// declares), so every check in the kit applies exactly the rules the contract states.
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { loadDocument, type OpenApiDocument } from "./document.ts";
import { issuesFrom, segmentsOf, type Alternative, type ValidationIssue } from "./issues.ts";

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const documentId = "https://kaleyra-video-kit.local/openapi.json";

export interface SchemaCheck {
  ok: boolean;
  errors: ErrorObject[];
}

export interface ContractSchemas {
  /** Validates a value against a schema named by its JSON pointer in the document, e.g. `#/components/schemas/SendVideoRequest`. */
  check(pointer: string, value: unknown): SchemaCheck;
  /** What is wrong with the value, one readable issue per failing field; empty when it is valid. */
  issues(pointer: string, value: unknown): ValidationIssue[];
}

export function compileContractSchemas(doc: OpenApiDocument = loadDocument()): ContractSchemas {
  // strict: false because the document carries OpenAPI keywords (`example`, `x-…`) beside the schemas.
  // verbose: a failed oneOf then carries its branches and the value, to explain it branch by branch.
  // validateSchema: false because the documents are checked against the 2020-12 meta-schema by
  // the contract's tests, once, not by every process at start-up (a third of the mock's start).
  const ajv = new Ajv2020({ strict: false, allErrors: true, verbose: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema(doc as object, documentId);
  const compiled = new Map<string, ValidateFunction>();
  const check = (pointer: string, value: unknown): SchemaCheck => {
    let validate = compiled.get(pointer);
    if (!validate) {
      validate = ajv.compile({ $ref: documentId + pointer });
      compiled.set(pointer, validate);
    }
    const ok = validate(value);
    return { ok, errors: ok ? [] : [...(validate.errors ?? [])] };
  };

  const issues = (pointer: string, value: unknown, prefix: readonly string[] = []): ValidationIssue[] => {
    const { errors } = check(pointer, value);
    const alternatives = (oneOf: ErrorObject): Alternative[] | undefined => {
      const branches = oneOf.schema as { $ref?: string }[];
      if (!Array.isArray(branches) || !branches.every((branch) => branch.$ref?.startsWith("#/"))) return undefined;
      const at = [...prefix, ...segmentsOf(oneOf.instancePath)];
      return branches.map((branch) => ({
        title: (ajv.getSchema(documentId + branch.$ref)?.schema as { title?: string } | undefined)?.title ?? branch.$ref!,
        issues: issues(branch.$ref!, oneOf.data, at),
      }));
    };
    return issuesFrom(errors, alternatives, prefix);
  };

  return { check, issues: (pointer, value) => issues(pointer, value) };
}

let shared: ContractSchemas | undefined;

/** One compilation of the contract's schemas for the whole process (compiling takes a while). */
export function contractSchemas(): ContractSchemas {
  shared ??= compileContractSchemas();
  return shared;
}
