// The vendor's pods, read from the contract's servers (their `x-pod` names), never retyped.
import { loadDocument } from "../contract/document.ts";

/** The pods the contract lists; a test keeps this type equal to the spec's servers. */
export type Pod = "in" | "sg" | "eu" | "na";

export function podUrls(): Record<string, string> {
  // No prototype: a name such as `__proto__` or `constructor` is no pod.
  const urls: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const server of loadDocument().servers) {
    const pod = server["x-pod"];
    if (pod && pod !== "mock") urls[pod] = server.url;
  }
  return urls;
}

export function podUrl(pod: string): string | undefined {
  const urls = podUrls();
  return Object.hasOwn(urls, pod) ? urls[pod] : undefined;
}
