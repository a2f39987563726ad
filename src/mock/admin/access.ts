// Who may use the admin API. It can read what the code under test sent and change what the mock
// answers, so off loopback it needs a token or is off; and a caller without the token learns
// nothing, not even which paths exist.
import { isIP } from "node:net";
import { sameSecret } from "../account.ts";

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
  /** The port the request arrived on. */
  localPort: number | undefined;
}

/**
 * Why a request looks sent by a web page the admin API must not serve, or undefined. A page on
 * another site (its Origin, or the browser's Sec-Fetch-Site) could reset the journal or plant a
 * fault; a page whose DNS name is rebound to 127.0.0.1 sends its own name as Host, which on an
 * open loopback admin API is the only thing that tells it apart. With a token, the token does:
 * a page has none, and a mock reached by a service name (docker-compose) keeps working.
 */
export function browserRefusal(access: AdminAccess, facts: BrowserFacts): string | undefined {
  const site = facts.fetchSite?.toLowerCase();
  if (site !== undefined && site !== "same-origin" && site !== "none") return `Sec-Fetch-Site ${JSON.stringify(facts.fetchSite)} says another site sent it`;
  if (access.mode === "open") {
    const host = /^(\[[^\]]*\]|[^:[\]]*)(?::(\d{1,5}))?$/.exec(facts.host ?? "");
    const port = host?.[2] === undefined ? 80 : Number(host[2]);
    if (!host || !isLoopback(host[1]!) || port !== facts.localPort) return `Host ${JSON.stringify(facts.host ?? "")} is not the mock's loopback address and port`;
  }
  if (facts.origin !== undefined && facts.origin.toLowerCase() !== `http://${facts.host ?? ""}`.toLowerCase() && facts.origin.toLowerCase() !== `https://${facts.host ?? ""}`.toLowerCase()) {
    return `Origin ${JSON.stringify(facts.origin)} is not the mock's own`;
  }
  return undefined;
}
