// The OpenAPI document, loaded once. Everything the kit knows about the API is read from here.
// The source is openapi/*.yaml; the runtime reads its JSON copy (npm run generate), no YAML parser.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const specPath = fileURLToPath(new URL("../../openapi/kaleyra-whatsapp-video.yaml", import.meta.url));
export const specJsonPath = fileURLToPath(new URL("../../generated/kaleyra-whatsapp-video.json", import.meta.url));
/** The mock's admin API: its own small contract, read the same way. */
export const adminSpecPath = fileURLToPath(new URL("../../openapi/kaleyra-mock-admin.yaml", import.meta.url));
export const adminSpecJsonPath = fileURLToPath(new URL("../../generated/kaleyra-mock-admin.json", import.meta.url));

/** The parts of an OpenAPI 3.1 document the kit reads; the rest stays `unknown`. */
export interface OpenApiDocument {
  openapi: string;
  servers: ServerObject[];
  paths: Record<string, Record<string, unknown>>;
  components: {
    responses: Record<string, ResponseObject>;
    schemas: Record<string, unknown>;
    [section: string]: unknown;
  };
  [key: string]: unknown;
}

export interface ServerObject {
  url: string;
  description?: string;
  "x-pod"?: string;
}

export interface ExampleObject {
  summary?: string;
  description?: string;
  value: unknown;
}

export interface MediaTypeObject {
  schema?: unknown;
  examples?: Record<string, ExampleObject>;
}

export interface ResponseObject {
  description: string;
  content?: Record<string, MediaTypeObject>;
}

let cached: OpenApiDocument | undefined;
let cachedAdmin: OpenApiDocument | undefined;

export function loadDocument(): OpenApiDocument {
  cached ??= JSON.parse(readFileSync(specJsonPath, "utf8")) as OpenApiDocument;
  return cached;
}

export function loadAdminDocument(): OpenApiDocument {
  cachedAdmin ??= JSON.parse(readFileSync(adminSpecJsonPath, "utf8")) as OpenApiDocument;
  return cachedAdmin;
}

/** The path of an admin operation, by its operationId in the admin contract. */
export function adminPath(operationId: string): string {
  for (const [path, item] of Object.entries(loadAdminDocument().paths)) {
    if (Object.values(item).some((operation) => (operation as { operationId?: string }).operationId === operationId)) return path;
  }
  throw new Error(`the admin contract has no operation ${operationId}`);
}
