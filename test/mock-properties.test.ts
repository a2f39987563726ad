// For requests nobody wrote by hand, the mock decides as the contract does: every request the
// contract's own schemas accept gets 202 WA202, every one they refuse gets 400 WA400. Patterns,
// limits and enums come from the spec; Ajv, compiled from the same spec, is the oracle.
import fc from "fast-check";
import request from "./support/supertest.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { arbitraryFor } from "../conformance/derive.ts";
import { resolver, type Json } from "../src/judge/schema.ts";
import { loadDocument } from "../src/contract/document.ts";
import { operation } from "../src/contract/operation.ts";
import { compileContractSchemas } from "../src/contract/schemas.ts";
import { messagesPath, startTestMock, type TestMock } from "./support/mock.ts";
import { mutated } from "./support/mutate.ts";
import { apiKey } from "./support/requests.ts";

const seed = Number(process.env.FC_SEED ?? 20261124);
const doc = loadDocument();
const schemas = compileContractSchemas(doc);
const contract = operation();
const resolve = resolver(doc);
const arbitrary = (pointer: string) => arbitraryFor({ $ref: pointer }, resolve);

const body = arbitrary(contract.requestSchemaPointer);
const validSid = arbitrary(contract.pathParameterSchemaPointers.sid!)
  .map(String)
  .filter((s) => s.length <= 30);
const validPhone = arbitrary(contract.pathParameterSchemaPointers.phone_number!).map(String);
const sid = fc.oneof(validSid, fc.constantFrom("HX-AP", "sid_1", "Ä1"));
const phone = fc.oneof(validPhone, fc.constantFrom("918630005920", "+91863XXX5920", "+0123456789", "+12345"));

let mock: TestMock;
beforeAll(async () => {
  mock = await startTestMock();
});
afterAll(async () => {
  await mock.close();
});

async function decides(pathSid: string, pathPhone: string, payload: unknown, plusEncoded: boolean) {
  const phoneInPath = encodeURIComponent(pathPhone).replace(/^%2B/, plusEncoded ? "%2B" : "+");
  const response = await request(mock.url)
    .post(messagesPath(encodeURIComponent(pathSid), phoneInPath))
    .set("api-key", apiKey)
    .set("content-type", "application/json")
    .send(JSON.stringify(payload));
  const valid =
    schemas.check(contract.requestSchemaPointer, payload).ok &&
    schemas.check(contract.pathParameterSchemaPointers.sid!, pathSid).ok &&
    schemas.check(contract.pathParameterSchemaPointers.phone_number!, pathPhone).ok;
  return { response, valid };
}

describe("the mock agrees with the contract on generated requests", () => {
  it("accepts every request the contract accepts, with a vendor-shaped 202", async () => {
    await fc.assert(
      fc.asyncProperty(body, validSid, validPhone, fc.boolean(), async (payload, pathSid, pathPhone, plusEncoded) => {
        const { response, valid } = await decides(pathSid, pathPhone, payload, plusEncoded);
        expect(valid).toBe(true);
        expect(response.status, JSON.stringify(payload)).toBe(202);
        expect(schemas.check(contract.responseSchemaPointers[202]!, response.body).ok).toBe(true);
      }),
      { seed, numRuns: 150 },
    );
  });

  it("refuses with 400 WA400 exactly the requests the contract refuses", async () => {
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(mutated(body), sid, phone, fc.boolean(), async (payload: Json, pathSid, pathPhone, plusEncoded) => {
        const { response, valid } = await decides(pathSid, pathPhone, payload, plusEncoded);
        if (!valid) refused++;
        expect(response.status, JSON.stringify({ valid, pathSid, pathPhone, payload })).toBe(valid ? 202 : 400);
        expect(response.body.code).toBe(valid ? "WA202" : "WA400");
      }),
      { seed, numRuns: 400 },
    );
    // The generator must really exercise refusals, or this property says nothing.
    expect(refused).toBeGreaterThan(100);
  });
});
