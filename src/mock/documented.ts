// The default engine's answers beyond the plain case, by Prism's rules and from the contract, so
// that no request waits for Prism to load: the documented response a `Prefer` header asks for, and
// the answer to a request that is not this operation (a method no HTTP API uses, another path,
// another method on the operation's path). Prism stays the reference: the differential test holds
// both engines to the same answers.
import type { OperationContract } from "../contract/operation.ts";
import { exampleAnswer, type FastPath } from "./fast-path.ts";
import type { Preference } from "./prefer.ts";
import type { Reply } from "./model.ts";
import { refusals } from "./refusals.ts";
import { noNotes, type Answer } from "./stage.ts";

/** The methods Prism routes; any other is refused before routing (Prism would throw on it). */
export const httpMethods: ReadonlySet<string> = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

/** A request the front does not take for the operation, as far as the answer needs it. */
export interface ElsewhereRequest {
  method: string;
  /** Raw path, before percent-decoding. */
  path: string;
  apiKey: string | undefined;
  /** What intake decoded. */
  body: unknown;
}

export interface Documented {
  /**
   * The documented response a valid request's `Prefer` asks for, as Prism picks it: the named
   * example; for a code alone, that status's first example; for neither, the plain case's answer.
   * A success gets a fresh message_id.
   */
  preferred(preference: Preference): Reply;
  /**
   * The answer to a request the front does not take for the operation: 405 for a method no HTTP
   * API uses, 404 for another path, 405 for another method on the operation's path; a 405 on the
   * operation's path names the method it has in `Allow`.
   */
  elsewhere(request: ElsewhereRequest): Answer;
  /** Whether Prism's router takes the raw path for the operation's, whatever the method. */
  isOperationPath(path: string): boolean;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Prism decodes each fragment of the path, and keeps a fragment it cannot decode as written. */
function decodeFragment(fragment: string): string {
  try {
    return decodeURIComponent(fragment);
  } catch {
    return fragment;
  }
}

export function createDocumented(contract: OperationContract, rules: FastPath): Documented {
  const byName = new Map(contract.examples.map((example) => [example.name, exampleAnswer(example)]));
  // Prism's pick for a code alone: the first example of that status, in document order.
  const byCode = new Map<number, () => Reply>();
  for (const example of contract.examples) if (!byCode.has(example.status)) byCode.set(example.status, exampleAnswer(example));

  // Prism's router (router/matchPath.js): the path splits on `/` into as many fragments as the
  // template's; each is percent-decoded; a literal fragment must equal the template's, a
  // templated one matches anything, the empty fragment included.
  const templateFragments = contract.path
    .split("/")
    .slice(1)
    .map((fragment) => {
      if (!/\{.+\}/.test(fragment)) return (decoded: string) => decoded === fragment;
      const capture = new RegExp(escapeRegExp(fragment).replace(/\\\{[^\\]+\\\}/g, "(.*)"));
      return (decoded: string) => capture.test(decoded);
    });
  const isOperationPath = (path: string): boolean => {
    const fragments = path.split("/").slice(1);
    return fragments.length === templateFragments.length && fragments.every((fragment, i) => templateFragments[i]!(decodeFragment(fragment)));
  };

  // Prism reads the path parameters by the template (uri-template-lite) from the raw path: a path
  // its router takes whose literal fragments are written otherwise (percent-encoded) has none.
  const parameterPattern = new RegExp(
    `^${contract.path
      .split(/\{[^}]+\}/)
      .map(escapeRegExp)
      .join("(.*?)")}$`,
  );
  const parametersOf = (path: string): Record<string, string> => {
    const match = parameterPattern.exec(path);
    if (!match) return {};
    return Object.fromEntries(contract.pathParameters.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]));
  };

  return {
    preferred(preference) {
      const answer =
        preference.example !== undefined ? byName.get(preference.example) : preference.code !== undefined ? byCode.get(preference.code) : rules.accepted;
      // readPreference lets through only the contract's names and statuses.
      if (!answer) throw new Error(`the contract documents no answer for Prefer ${JSON.stringify(preference)}`);
      return answer();
    },
    elsewhere(request) {
      const method = request.method.toLowerCase();
      const onPath = isOperationPath(request.path);
      const allow: Record<string, string> = onPath ? { allow: contract.method.toUpperCase() } : {};
      if (!httpMethods.has(method)) return refusals.notAnHttpMethod(request.method, allow);
      if (!onPath) return refusals.noPathMatched(request.path);
      if (method !== contract.method) return refusals.noMethodMatched(request.path, method, allow);
      // Prism's router takes the path for the operation where the front's does not (an empty or
      // percent-encoded fragment): Prism checks it as a request that asks for nothing.
      const valid = rules.check({ apiKey: request.apiKey, pathParameters: parametersOf(request.path), body: request.body });
      return valid.ok ? { reply: rules.accepted(), notes: noNotes } : valid.refusal;
    },
    isOperationPath,
  };
}
