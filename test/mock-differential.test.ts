// The fast path and Prism answer alike: the same requests (the conformance plan's examples, limits
// and one-constraint negatives, then generated valid and randomly broken ones) to a mock on each,
// with the same status and code every time, and both bodies valid against the contract.
import fc from "fast-check";
import { createMasker } from "../src/http/secrets.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { arbitraryFor, resolver } from "../conformance/derive.ts";
import { buildPlan, type CaseRequest } from "../conformance/plan.ts";
import { curlFor, sendCase, type Observed } from "../conformance/send.ts";
import { loadDocument } from "../src/contract/document.ts";
import { operation } from "../src/contract/operation.ts";
import { compileContractSchemas } from "../src/contract/schemas.ts";
import { startTestMock, type TestMock } from "./support/mock.ts";
import { mutated } from "./support/mutate.ts";
import { apiKey, businessNumber, sid } from "./support/requests.ts";

const seed = Number(process.env.FC_SEED ?? 20261124);
const contract = operation();
const schemas = compileContractSchemas();
let fast: TestMock;
let prism: TestMock;

beforeAll(async () => {
  [fast, prism] = await Promise.all([startTestMock({}, "fast"), startTestMock({}, "prism")]);
});
afterAll(async () => {
  await Promise.all([fast.close(), prism.close()]);
});

const code = (observed: Observed) => (observed.json as { code?: string } | undefined)?.code;

const limits = { timeoutMs: 10_000, maxResponseBytes: 1024 * 1024, mask: createMasker([apiKey]) };

async function agree(request: CaseRequest): Promise<void> {
  const [viaFast, viaPrism] = await Promise.all([sendCase(fast.url, request, apiKey, limits), sendCase(prism.url, request, apiKey, limits)]);
  const context = `fast ${viaFast.status} ${code(viaFast)} vs prism ${viaPrism.status} ${code(viaPrism)}: ${curlFor("http://mock", request)}`;
  expect(viaFast.status, context).toBe(viaPrism.status);
  expect(code(viaFast), context).toBe(code(viaPrism));
  expect(viaFast.headers.allow, context).toBe(viaPrism.headers.allow);
  for (const observed of [viaFast, viaPrism]) {
    const pointer = contract.responseSchemaPointers[observed.status!];
    // Another method on the path gets 405, which the operation does not document.
    if (pointer === undefined) expect([observed.status, request.method], context).toEqual([405, expect.any(String)]);
    else expect(schemas.check(pointer, observed.json).ok, context).toBe(true);
  }
}

describe("the fast path and Prism", () => {
  it("answer the conformance plan alike", async () => {
    const plan = buildPlan({ sid, phoneNumber: businessNumber, to: "+919876543210", allowSend: true, recipientFixed: false, checksKeys: false });
    expect(plan.length).toBeGreaterThan(60);
    for (const testCase of plan) await agree(testCase.request);
  });

  it("answer generated valid and randomly broken requests alike", async () => {
    const doc = loadDocument();
    const valid = arbitraryFor({ $ref: contract.requestSchemaPointer }, resolver(doc));
    const phone = fc.oneof(fc.constant(businessNumber), fc.constantFrom("918630005920", "+91 8630005920", "+0123", "%2B918630005920"));
    await fc.assert(
      fc.asyncProperty(fc.oneof(valid, mutated(valid)), phone, fc.constantFrom<CaseRequest["key"]>("account", "account", "account", "none"), async (body, phoneNumber, key) => {
        await agree({ sid, phoneNumber, body: JSON.stringify(body), contentType: "application/json", key });
      }),
      { seed, numRuns: 300 },
    );
  });
});
