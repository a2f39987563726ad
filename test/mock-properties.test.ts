// For requests nobody wrote by hand, the mock decides as the contract does: every request the
// contract's own schemas accept gets 202 WA202, every one they refuse gets 400 WA400. Patterns,
// limits and enums come from the spec; Ajv, compiled from the same spec, is the oracle.
import fc from "fast-check";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDocument } from "../src/contract/document.ts";
import { compileContractSchemas } from "../src/contract/schemas.ts";
import { messagesPath, startTestMock, type TestMock } from "./support/mock.ts";
import { apiKey } from "./support/requests.ts";

const seed = Number(process.env.FC_SEED ?? 20261124);
const doc = loadDocument();
const schemas = compileContractSchemas(doc);

interface StringSchema {
  pattern?: string;
  maxLength?: number;
  enum?: string[];
}
const schema = (name: string) => doc.components.schemas[name] as StringSchema & { properties: Record<string, StringSchema> };
const parameterSchema = (name: string) =>
  (doc.components as unknown as { parameters: Record<string, { schema: StringSchema }> }).parameters[name]!.schema;

const e164 = new RegExp(schema("E164PhoneNumber").pattern!);
const sidPattern = new RegExp(parameterSchema("Sid").pattern!);
const captionMax = schema("Caption").maxLength!;
const referenceMax = schema("Reference").maxLength!;
const messaging = schema("VideoMessagingObject").properties;

/** Strings up to a limit, biased to the limit itself and one past it. */
const upTo = (max: number) =>
  fc.oneof(
    fc.string({ maxLength: 40, unit: "grapheme" }),
    fc.constantFrom(max, max + 1).map((length) => "a".repeat(length)),
    fc.string({ minLength: max - 2, maxLength: max + 2 }),
  );

const video = fc.oneof(
  fc.record({ id: fc.string({ minLength: 1, maxLength: 20 }), caption: upTo(captionMax) }, { requiredKeys: ["id"] }),
  fc.record({ link: fc.webUrl(), caption: upTo(captionMax) }, { requiredKeys: ["link"] }),
);

const body = fc.record(
  {
    messaging_object: fc.record(
      {
        messaging_product: fc.constantFrom(...messaging.messaging_product!.enum!),
        recipient_type: fc.constantFrom(...messaging.recipient_type!.enum!),
        to: fc.stringMatching(e164),
        type: fc.constantFrom(...messaging.type!.enum!),
        video,
      },
      { requiredKeys: ["messaging_product", "to", "video"] },
    ),
    extra_info: fc.record(
      { ref: upTo(referenceMax), ref1: upTo(referenceMax), ref2: upTo(referenceMax), wa_source: fc.string() },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ["messaging_object"] },
);

type Json = Record<string, unknown>;
type MutationOf<A> = A extends fc.Arbitrary<infer T> ? T : never;

/** One change that may or may not break the contract: the oracle decides. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), value: fc.jsonValue({ maxDepth: 2 }) }),
  fc.record({ kind: fc.constant("delete" as const) }),
  fc.record({ kind: fc.constant("add" as const), key: fc.string({ minLength: 1, maxLength: 8 }), value: fc.jsonValue({ maxDepth: 1 }) }),
);

function objectsIn(value: unknown, path: string[] = []): { path: string[]; object: Json }[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [];
  return [{ path, object: value as Json }, ...Object.entries(value).flatMap(([key, child]) => objectsIn(child, [...path, key]))];
}

function mutate(original: Json, change: MutationOf<typeof mutation>, pick: number): Json {
  const copy = structuredClone(original);
  const targets = objectsIn(copy);
  const target = targets[pick % targets.length]!;
  const keys = Object.keys(target.object);
  if (change.kind === "add") {
    target.object[change.key] = change.value;
  } else if (keys.length > 0) {
    const key = keys[pick % keys.length]!;
    if (change.kind === "delete") delete target.object[key];
    else target.object[key] = change.value;
  }
  return copy;
}

const sid = fc.oneof(fc.stringMatching(sidPattern).filter((s) => s.length <= 30), fc.constantFrom("HX-AP", "sid_1", "Ä1"));
const phone = fc.oneof(fc.stringMatching(e164), fc.constantFrom("918630005920", "+91863XXX5920", "+0123456789", "+12345"));

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
    schemas.check("#/components/schemas/SendVideoRequest", payload).ok &&
    schemas.check("#/components/parameters/Sid/schema", pathSid).ok &&
    schemas.check("#/components/schemas/E164PhoneNumber", pathPhone).ok;
  return { response, valid };
}

describe("the mock agrees with the contract on generated requests", () => {
  it("accepts every request the contract accepts, with a vendor-shaped 202", async () => {
    await fc.assert(
      fc.asyncProperty(body, fc.stringMatching(sidPattern).filter((s) => s.length <= 30), fc.stringMatching(e164), fc.boolean(), async (payload, pathSid, pathPhone, plusEncoded) => {
        const { response, valid } = await decides(pathSid, pathPhone, payload, plusEncoded);
        expect(response.status, JSON.stringify({ valid, payload })).toBe(valid ? 202 : 400);
        expect(schemas.check(`#/components/schemas/${valid ? "Accepted" : "BadRequest"}Envelope`, response.body).ok).toBe(true);
      }),
      { seed, numRuns: 150 },
    );
  });

  it("refuses with 400 WA400 exactly the requests the contract refuses", async () => {
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(body, mutation, fc.nat(), sid, phone, fc.boolean(), async (payload, change, pick, pathSid, pathPhone, plusEncoded) => {
        const mutated = mutate(payload as Json, change, pick);
        const { response, valid } = await decides(pathSid, pathPhone, mutated, plusEncoded);
        if (!valid) refused++;
        expect(response.status, JSON.stringify({ valid, pathSid, pathPhone, mutated })).toBe(valid ? 202 : 400);
        expect(response.body.code).toBe(valid ? "WA202" : "WA400");
      }),
      { seed, numRuns: 400 },
    );
    // The generator must really exercise refusals, or this property says nothing.
    expect(refused).toBeGreaterThan(100);
  });
});

