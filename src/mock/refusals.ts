// The mock's refusals, one entry per refusing row of docs/mock.md's answers table: each builds
// its reply (the contract's example the vendor sends, or the problem+json a generic server or
// Prism sends, with its title) and its reasons for the log. The stages refuse through this table
// and nowhere else. A refusal that is the same for every request is built once.
import { operation, type NamedExample, type OperationContract } from "../contract/operation.ts";
import type { Reply } from "./model.ts";
import { badRequestReply, exampleReply, problemReply, type Problem } from "./reply.ts";
import type { Refusal, RefusalName } from "./stage.ts";

const json = { "content-type": "application/json" };

/** The contract's first example of the first of these statuses it documents. */
export function firstExample(contract: OperationContract, statuses: number[]): NamedExample {
  for (const status of statuses) {
    const found = contract.examples.find((candidate) => candidate.status === status);
    if (found) return found;
  }
  throw new Error(`the contract has no example for any of ${statuses.join(", ")}`);
}

/** An answer serialized once. */
export function preserialized(status: number, value: unknown): Reply {
  return { status, headers: json, body: value, raw: JSON.stringify(value) };
}

function refusal(name: RefusalName, reply: Reply, notes: readonly string[]): Refusal {
  return { name, reply, notes };
}

/** Built once: the same refusal for every request, never written to. */
function constant(name: RefusalName, reply: Reply, note: string): Refusal {
  return Object.freeze(refusal(name, reply, Object.freeze([note])));
}

// The contract's refusals as Prism answers them: a missing key gets the first example of 401; a
// request that breaks the contract the first example of 422, or else of 400.
const unauthorized = preserialized(401, firstExample(operation(), [401]).value);
const invalidExample = firstExample(operation(), [422, 400]);
const invalid = preserialized(invalidExample.status, invalidExample.value);
const noApiKey = constant("no-api-key", unauthorized, "no api-key");
const bodyRequired = constant("body-required", invalid, "the body is required");

// Prism's router refusals, in Prism's words (@stoplight/prism-http router/errors.js and router/index.js).
const prismErrors = "https://stoplight.io/prism/errors#";

/** The 405 for a method no HTTP API uses (SEARCH, PROPFIND…), in either engine. */
export function notAnHttpMethod(method: string): Required<Omit<Problem, "headers">> {
  return { status: 405, type: "about:blank", title: "Method not allowed", detail: `${method} is not an HTTP method this API uses` };
}

function problemRefusal(name: RefusalName, problem: Problem): Refusal {
  return refusal(name, problemReply(problem), [problem.title]);
}

export const refusals = {
  /** More header lines than the mock reads: 431, and the connection closed. */
  headerLines: (problem: string): Refusal =>
    refusal(
      "header-lines",
      { ...problemReply({ status: 431, title: "Request header fields too large", detail: `The request has ${problem}.` }), closeConnection: true },
      [problem],
    ),
  /** Two Host, api-key or Authorization headers: 400, and the connection closed. */
  duplicateHeader: (problem: string): Refusal =>
    refusal("duplicate-header", { ...problemReply({ status: 400, title: "Bad request", detail: `The request has ${problem}.` }), closeConnection: true }, [
      problem,
    ]),
  /** A target that is neither a path nor an absolute http(s) URL: 400, and the connection closed. */
  requestTarget: (problem: string): Refusal =>
    refusal("request-target", { ...problemReply({ status: 400, title: "Bad request", detail: `The request has ${problem}.` }), closeConnection: true }, [
      problem,
    ]),
  /** A body past the mock's limit: WA400 on the operation, 413 elsewhere; the connection closed, the rest not worth reading. */
  bodyTooLarge: (limit: number, onOperation: boolean): Refusal =>
    refusal(
      "body-too-large",
      {
        ...(onOperation
          ? exampleReply("incorrect-payload")
          : problemReply({ status: 413, title: "Payload too large", detail: `The body is larger than ${limit} bytes.` })),
        closeConnection: true,
      },
      [`body larger than the mock's limit of ${limit} bytes`],
    ),
  /** A path Prism could not decode: WA400 on the operation, 400 elsewhere. */
  malformedEscape: (onOperation: boolean): Refusal =>
    refusal(
      "malformed-escape",
      onOperation ? exampleReply("incorrect-payload") : problemReply({ status: 400, title: "Bad request", detail: "The path has a malformed percent-escape." }),
      ["the path has a malformed percent-escape"],
    ),
  /** A `Prefer` naming a code or example the contract does not document: WA400 saying which exist. */
  prefer: (problem: string): Refusal => refusal("prefer", badRequestReply("prefer", problem), [problem]),
  /** Another key or SID than the account's: 401 RBC001. */
  incorrectSidOrApiKey: (): Refusal => refusal("incorrect-sid-or-api-key", exampleReply("incorrect-sid-or-api-key"), ["incorrect-sid-or-api-key"]),
  /** A business number outside the account: 401 WA401. */
  phoneNumberNotInAccount: (): Refusal => refusal("phone-number-not-in-account", exampleReply("phone-number-not-in-account"), ["phone-number-not-in-account"]),
  /** No api-key, or an empty one: the first 401 example (RBC001). */
  noApiKey: (): Refusal => noApiKey,
  /** A path parameter that breaks its schema: the first 422 or 400 example (WA400), a reason per issue. */
  pathParameter: (issues: readonly string[]): Refusal => refusal("path-parameter", invalid, issues),
  /**
   * No body (empty, or one intake could not read: its reason goes first): the first 422 or 400
   * example (WA400).
   */
  bodyRequired: (): Refusal => bodyRequired,
  /**
   * A body that breaks the request schema (text that is malformed JSON, not UTF-8 or of another
   * media type included: intake's reason goes first): the first 422 or 400 example (WA400), a
   * reason per issue.
   */
  schema: (issues: readonly string[]): Refusal => refusal("schema", invalid, issues),
  /** A method no HTTP API uses: 405, with `Allow` on the operation's path. */
  notAnHttpMethod: (method: string, allow: Record<string, string>): Refusal =>
    problemRefusal("not-an-http-method", { ...notAnHttpMethod(method), headers: allow }),
  /** Another path: 404, as Prism answers it. */
  noPathMatched: (path: string): Refusal =>
    problemRefusal("no-path-matched", {
      status: 404,
      type: `${prismErrors}NO_PATH_MATCHED_ERROR`,
      title: "Route not resolved, no path matched",
      detail: `The route ${path} hasn't been found in the specification file`,
    }),
  /** Another method on the operation's path: 405 with `Allow`, as Prism answers it. */
  noMethodMatched: (path: string, method: string, allow: Record<string, string>): Refusal =>
    problemRefusal("no-method-matched", {
      status: 405,
      type: `${prismErrors}NO_METHOD_MATCHED_ERROR`,
      title: "Route resolved, but no method matched",
      detail: `The route ${path} has been matched, but it does not have "${method}" method defined`,
      headers: allow,
    }),
  /** A defect of the mock: said loudly rather than guessed at. */
  mockDefect: (error: unknown): Refusal =>
    refusal("mock-defect", problemReply({ status: 500, title: "Mock defect", detail: "The mock failed on this request; see its log." }), [
      `mock defect: ${(error as Error).stack ?? String(error)}`,
    ]),
} as const;
