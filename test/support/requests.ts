// Request bodies for tests, taken from the contract's own request examples.
import { operation } from "../../src/contract/operation.ts";

/** The contract's request examples, by name. */
export function requestExamples(): Record<string, { value: Record<string, any> }> {
  return Object.fromEntries(Object.entries(operation().requestExamples).map(([name, value]) => [name, { value: value as Record<string, any> }]));
}

/** A valid request body (the contract's `by-media-id` example), safe to mutate. */
export function validBody(): Record<string, any> {
  return structuredClone(requestExamples()["by-media-id"]!.value);
}

export const sid = "HXAP16XXXXXX97IN";
export const businessNumber = "+918630005920";
export const apiKey = "test-api-key-0123456789";
