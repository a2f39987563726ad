// The JSON Schema the contract uses, as the checks and the test data read it, and `$ref`s resolved
// against the contract's document.
import type { OpenApiDocument } from "../contract/document.ts";

export interface Schema {
  $ref?: string;
  type?: string | string[];
  title?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  oneOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function resolver(doc: OpenApiDocument) {
  const lookup = (ref: string): Schema =>
    ref
      .replace(/^#\//, "")
      .split("/")
      .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"))
      .reduce<unknown>((node, segment) => (node as Record<string, unknown>)[segment], doc) as Schema;
  return function resolve(schema: Schema): Schema {
    let current = schema;
    for (let hops = 0; current.$ref !== undefined; hops++) {
      if (hops > 32) throw new Error(`reference cycle at ${schema.$ref}`);
      // Keywords beside a $ref (OpenAPI 3.1 allows them) refine its target.
      const { $ref, ...siblings } = current;
      current = { ...lookup($ref), ...siblings };
    }
    return current;
  };
}
