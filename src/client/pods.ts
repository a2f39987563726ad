// The vendor's pods, read from the contract's servers (their `x-pod` names), never retyped.
import { loadDocument } from "../contract/document.ts";

/** The pods the contract lists; a test keeps this type equal to the spec's servers. */
export type Pod = "in" | "sg" | "eu" | "na";

export function podUrls(): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const server of loadDocument().servers) {
    const pod = server["x-pod"];
    if (pod && pod !== "mock") urls[pod] = server.url;
  }
  return urls;
}

export function podUrl(pod: string): string | undefined {
  return podUrls()[pod];
}
