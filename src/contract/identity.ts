// How the kit's mock proves it is the kit's mock, read from the admin contract: the mock answers
// it, and the conformance suite asks it, so that it sends the full plan (requests a real pod would
// deliver) only to a target that answers this, never because of its address: a port-forward on
// 127.0.0.1 may lead to a real pod. The path is the admin contract's `getIdentity`, under the
// reserved prefix the vendor does not serve; the answer echoes a fresh nonce, so no static page
// or cache can pass for it.
import type { components } from "../../generated/kaleyra-mock-admin.ts";
import { adminPath, loadAdminDocument } from "./document.ts";

export type Identity = components["schemas"]["Identity"];

export const identityPath = adminPath("getIdentity");

/** The schema's constants: who the mock says it is. */
function constants(): Omit<Identity, "nonce"> {
  const properties = (loadAdminDocument().components.schemas.Identity as { properties: Record<string, { const?: unknown }> }).properties;
  return { kit: properties.kit!.const, role: properties.role!.const, delivers: properties.delivers!.const } as Omit<Identity, "nonce">;
}

/** The mock's answer to a nonce the admin contract's pattern has already accepted. */
export function identityAnswer(nonce: string): Identity {
  return { ...constants(), nonce };
}

/** Whether an answer body is the kit's mock answering this nonce. */
export function isIdentity(body: unknown, nonce: string): boolean {
  if (typeof body !== "object" || body === null) return false;
  const answer = body as Partial<Identity>;
  const expected = identityAnswer(nonce);
  return answer.kit === expected.kit && answer.role === expected.role && answer.nonce === nonce && answer.delivers === expected.delivers;
}
