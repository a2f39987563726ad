// Where a mock may send callbacks: http(s), no user name or password (they would show in the admin
// API's answers), no fragment.
export function callbackUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "is not a URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `must be http(s), not ${url.protocol}`;
  if (url.username || url.password) return "must not carry a user name or password";
  if (url.hash || value.includes("#")) return "must not have a fragment";
  return undefined;
}
