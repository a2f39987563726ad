// Request bodies for tests, taken from the contract's own request examples.
import { loadDocument } from "../../src/contract/document.ts";
import { operation } from "../../src/contract/operation.ts";

interface RequestExamples {
  [name: string]: { value: Record<string, unknown> };
}

export function requestExamples(): RequestExamples {
  const { path, method } = operation();
  const op = loadDocument().paths[path]?.[method] as {
    requestBody: { content: Record<string, { examples: RequestExamples }> };
  };
  return op.requestBody.content["application/json"]!.examples;
}

/** A valid request body (the contract's `by-media-id` example), safe to mutate. */
export function validBody(): Record<string, any> {
  return structuredClone(requestExamples()["by-media-id"]!.value);
}

export const sid = "HXAP16XXXXXX97IN";
export const businessNumber = "+918630005920";
export const apiKey = "test-api-key-0123456789";
