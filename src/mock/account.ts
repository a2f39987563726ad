// The vendor knows its accounts; the mock knows the one it was started with. A check refuses
// with the contract example the vendor would send, so the reply comes from the spec.
import { sameSecret } from "../http/secrets.ts";
import type { MockAccount } from "./config.ts";
import { refusals } from "./refusals.ts";
import { goOn, refused, type Stage } from "./stage.ts";

export interface Credentials {
  /** Present and non-empty: a missing key is the engine's to answer (security scheme). */
  apiKey: string;
  sid: string;
  /** Percent-decoded. */
  phoneNumber: string;
}

/** Stage: the account, checked key and SID first (RBC001), then the business number (WA401). */
export function checkAccount(account: MockAccount, credentials: Credentials): Stage<undefined> {
  if (account.apiKey !== undefined && !sameSecret(credentials.apiKey, account.apiKey)) {
    return refused(refusals.incorrectSidOrApiKey());
  }
  if (account.sid !== undefined && credentials.sid !== account.sid) return refused(refusals.incorrectSidOrApiKey());
  if (account.phoneNumbers !== undefined && !account.phoneNumbers.includes(credentials.phoneNumber)) {
    return refused(refusals.phoneNumberNotInAccount());
  }
  return goOn;
}
