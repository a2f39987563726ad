// The vendor knows its accounts; the mock knows the one it was started with. The checks answer
// with the name of the contract example the vendor would send, so the reply comes from the spec.
import { sameSecret } from "../http/secrets.ts";
import type { MockAccount } from "./config.ts";

export type AccountRejection = "incorrect-sid-or-api-key" | "phone-number-not-in-account";

export interface Credentials {
  /** Present and non-empty: a missing key is the engine's to answer (security scheme). */
  apiKey: string;
  sid: string;
  /** Percent-decoded. */
  phoneNumber: string;
}

export function checkAccount(account: MockAccount, credentials: Credentials): AccountRejection | undefined {
  if (account.apiKey !== undefined && !sameSecret(credentials.apiKey, account.apiKey)) {
    return "incorrect-sid-or-api-key";
  }
  if (account.sid !== undefined && credentials.sid !== account.sid) return "incorrect-sid-or-api-key";
  if (account.phoneNumbers !== undefined && !account.phoneNumbers.includes(credentials.phoneNumber)) {
    return "phone-number-not-in-account";
  }
  return undefined;
}
