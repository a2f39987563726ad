// Who may use the admin API. It can read what the code under test sent and change what the mock
// answers, so off loopback it needs a token or is off; and a caller without the token learns
// nothing, not even which paths exist.
import { isIP } from "node:net";
import { sameSecret } from "../../http/secrets.ts";

/** open: anyone who reaches the port; token: `Authorization: Bearer …`; off: every admin path is a 404. */
export type AdminAccess = { mode: "open" } | { mode: "token"; token: string } | { mode: "off" };

/** 127.0.0.0/8, ::1, their IPv4-mapped forms, and `localhost`: only this machine can connect. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (bare === "localhost") return true;
  const v4 = bare.startsWith("::ffff:") && isIP(bare.slice(7)) === 4 ? bare.slice(7) : bare;
  if (isIP(v4) === 4) return v4.startsWith("127.");
  return isIP(bare) === 6 && /^(0{0,4}:){2,7}0{0,3}1$|^::1$/.test(bare);
}

export function adminAccess(host: string, token: string | undefined): AdminAccess {
  if (token !== undefined) return { mode: "token", token };
  return isLoopback(host) ? { mode: "open" } : { mode: "off" };
}

/** Whether the request's Authorization header carries the token (compared in constant time). */
export function authorized(access: AdminAccess, authorization: string | undefined): boolean {
  if (access.mode === "open") return true;
  if (access.mode === "off") return false;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? "");
  return match !== null && sameSecret(match[1]!, access.token);
}

/** What a request tells of the page that may have sent it. */
export interface BrowserFacts {
  host: string | undefined;
  origin: string | undefined;
  fetchSite: string | undefined;
}

/**
 * Why a request looks sent by a web page the admin API must not serve, or undefined. A page on
 * another site (its Origin, or the browser's Sec-Fetch-Site) could reset the journal or plant a
 * fault; a page whose DNS name is rebound to 127.0.0.1 sends its own name as Host, which on an
 * open loopback admin API is what tells it apart (the port is not: a local reverse proxy in
 * front of the mock passes its own). With a token, the token does: a page has none, and a mock
 * reached by a service name (docker-compose) keeps working.
 */
export function browserRefusal(access: AdminAccess, facts: BrowserFacts): string | undefined {
  const site = facts.fetchSite?.toLowerCase();
  if (site !== undefined && site !== "same-origin" && site !== "none") return `Sec-Fetch-Site ${JSON.stringify(facts.fetchSite)} says another site sent it`;
  if (access.mode === "open") {
    const host = /^(\[[^\]]*\]|[^:[\]]*)(?::\d{1,5})?$/.exec(facts.host ?? "");
    if (!host || !isLoopback(host[1]!)) return `Host ${JSON.stringify(facts.host ?? "")} is not a loopback name`;
  }
  const origin = facts.origin?.toLowerCase();
  const own = (scheme: string) => `${scheme}://${facts.host ?? ""}`.toLowerCase();
  if (origin !== undefined && origin !== own("http") && origin !== own("https")) return `Origin ${JSON.stringify(facts.origin)} is not the mock's own`;
  return undefined;
}
