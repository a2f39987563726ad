// Validators compiled from the document's own schemas (JSON Schema 2020-12, as the document
// declares), so every check in the kit applies exactly the rules the contract states.
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { loadDocument, type OpenApiDocument } from "./document.ts";

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
}

export function compileContractSchemas(doc: OpenApiDocument = loadDocument()): ContractSchemas {
  // strict: false because the document carries OpenAPI keywords (`example`, `x-…`) beside the schemas.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(doc as object, documentId);
  const compiled = new Map<string, ValidateFunction>();
  return {
    check(pointer, value) {
      let validate = compiled.get(pointer);
      if (!validate) {
        validate = ajv.compile({ $ref: documentId + pointer });
        compiled.set(pointer, validate);
      }
      const ok = validate(value);
      return { ok, errors: ok ? [] : [...(validate.errors ?? [])] };
    },
  };
}
