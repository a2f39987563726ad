// A base URL a client may send to: http(s), no credentials (they would be sent and shown in every
// error), no query or fragment (cut off or sent where not meant), and plain http only on loopback
// unless the caller says otherwise (the key or token would travel in clear).
const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/** The URL without trailing slashes, or why it cannot be used. */
export function checkBaseUrl(value: unknown, allowInsecureHttp: boolean, secretName: string): { ok: true; url: string } | { ok: false; problem: string } {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    return { ok: false, problem: "is not a URL" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, problem: `must be http(s), not ${url.protocol}` };
  if (url.username || url.password) return { ok: false, problem: "must not carry a user name or password" };
  if (url.search || url.hash || /[?#]/.test(String(value))) return { ok: false, problem: "must not have a query or fragment" };
  const loopback = loopbackHosts.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
  if (url.protocol === "http:" && !loopback && !allowInsecureHttp) {
    return { ok: false, problem: `uses plain http off loopback, which would send the ${secretName} in clear; use https, or set allowInsecureHttp` };
  }
  return { ok: true, url: url.href.replace(/\/+$/, "") };
}
