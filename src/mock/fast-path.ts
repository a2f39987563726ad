// The contract's refusals (their replies in refusals.ts), and the plain case (the operation's
// path, no Prefer header) answered without Prism, by the same rules Prism applies, compiled once
// from the same contract: a
// missing api-key gets the first example of 401; a request that breaks the contract (path parameters, media type, body) the first
// example of 422, or else of 400; a valid one the success's example with a fresh message_id.
// The differential test holds the two paths to the same answers.
import type { ValidationIssue } from "../contract/issues.ts";
import type { NamedExample, OperationContract } from "../contract/operation.ts";
import { bodyValueIssues, parameterIssues } from "../contract/request.ts";
import type { ContractSchemas } from "../contract/schemas.ts";
import { isSuccess } from "../http/status.ts";
import { freshMessageId } from "./message-id.ts";
import type { Reply } from "./model.ts";
import { firstExample, preserialized, refusals } from "./refusals.ts";
import { goOn, refused, type Stage } from "./stage.ts";

export interface PlainRequest {
  apiKey: string | undefined;
  /** Percent-decoded path parameters. */
  pathParameters: Record<string, string>;
  /** What intake decoded: parsed JSON only for an accepted media type. */
  body: unknown;
}

export interface FastPath {
  /**
   * The refusal the contract gives this request (401 for a missing key, 400 for a path
   * parameter or body that breaks the schema), or goes on when it is valid. It applies
   * whatever `Prefer` asks: a mock that served a named example for an invalid request would
   * teach the code under test that an invalid request can succeed.
   */
  check(request: PlainRequest): Stage<undefined>;
  /** The success's example with a fresh message_id. */
  accepted(): Reply;
}

/**
 * A named example's answer, serialized once. One whose `data` has a message_id (an accepted
 * answer: no other has one) gets a fresh one each time, spliced into the JSON (integration teams
 * correlate by it); any other is the same object each time.
 */
export function exampleAnswer({ status, value }: Pick<NamedExample, "status" | "value">): () => Reply {
  const exampleId = (value as { data?: { message_id?: unknown } }).data?.message_id;
  const reply = preserialized(status, value);
  if (typeof exampleId !== "string") return () => reply;
  const marker = "\u0000message-id\u0000";
  const template = JSON.stringify({ ...(value as object), data: { ...(value as { data: object }).data, message_id: marker } });
  const [before, after] = template.split(JSON.stringify(marker)) as [string, string];
  return () => ({ ...reply, body: undefined, raw: `${before}${JSON.stringify(freshMessageId(exampleId))}${after}` });
}

/** The success statuses of a list, lowest first: Prism answers a request that asks for nothing with the first that has an example. */
export function successStatuses(statuses: readonly number[]): number[] {
  return statuses.filter(isSuccess).sort((a, b) => a - b);
}

export function createFastPath(contract: OperationContract, schemas: ContractSchemas): FastPath {
  // What Prism answers a valid request that asks for nothing: the lowest success's first example.
  const accepted = exampleAnswer(firstExample(contract, successStatuses(contract.statuses)));

  const parameterPointers = Object.entries(contract.pathParameterSchemaPointers);

  // The compiled schemas say at once whether a request is valid; what an invalid one breaks, in
  // words, is the request judge's, as for every other reader of the contract.
  const words = (issues: readonly ValidationIssue[]) => issues.map((issue) => `${issue.field} ${issue.message}`);
  const check = (request: PlainRequest): Stage<undefined> => {
    if (!request.apiKey) return refused(refusals.noApiKey());
    for (const [name, pointer] of parameterPointers) {
      if (!schemas.check(pointer, request.pathParameters[name]).ok)
        return refused(refusals.pathParameter(words(parameterIssues(name, request.pathParameters[name]))));
    }
    if (request.body === undefined) return refused(refusals.bodyRequired());
    if (!schemas.check(contract.requestSchemaPointer, request.body).ok) return refused(refusals.schema(words(bodyValueIssues(request.body))));
    return goOn;
  };
  return { check, accepted };
}
