// How the kit's mock proves it is the kit's mock, so that the conformance suite sends the full
// plan (requests a real pod would deliver) only to a target that answers this, never because of
// its address: a port-forward on 127.0.0.1 may lead to a real pod. The path is under the mock's
// reserved admin prefix, which the vendor does not serve; the answer echoes a fresh nonce, so
// no static page or cache can pass for it.
export const identityPath = "/__admin/identity";
export const kitName = "kaleyra-whatsapp-video-kit";

export interface Identity {
  kit: typeof kitName;
  role: "mock";
  /** The nonce the asker sent, echoed. */
  nonce: string;
  /** The mock delivers nothing: every message it accepts goes nowhere. */
  delivers: false;
}

const noncePattern = /^[0-9a-f]{32}$/;

/** The mock's answer to `GET /__admin/identity?nonce=…`; undefined (a 404) for anything else. */
export function identityAnswer(query: Record<string, string | string[]>): Identity | undefined {
  const nonce = query.nonce;
  if (typeof nonce !== "string" || !noncePattern.test(nonce)) return undefined;
  return { kit: kitName, role: "mock", nonce, delivers: false };
}

/** Whether an answer body is the kit's mock answering this nonce. */
export function isIdentity(body: unknown, nonce: string): boolean {
  if (typeof body !== "object" || body === null) return false;
  const answer = body as Partial<Identity>;
  return answer.kit === kitName && answer.role === "mock" && answer.nonce === nonce && answer.delivers === false;
}
