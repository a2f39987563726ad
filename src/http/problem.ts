// An RFC 9457 problem, as every server of the kit answers one (the mock's admin API and its
// refusals, the proxy): `application/problem+json`, `about:blank` unless a type is given.

export const problemMediaType = "application/problem+json";

export interface ProblemFields {
  status: number;
  title: string;
  detail: string;
  type?: string;
}

/** The problem's body: type, title, status, detail, then any members of the caller's (the admin API's `errors`). */
export function problemBody<Extra extends object = object>({ status, title, detail, type = "about:blank" }: ProblemFields, extra?: Extra) {
  return { type, title, status, detail, ...extra };
}
