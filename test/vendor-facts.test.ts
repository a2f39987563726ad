// What the vendor's page says, pinned: every other test compares the kit with the contract it was
// generated from, so a fact changed in the contract would go unnoticed there. These values are
// copied from the page into a fixture (with its source), checked against the page where it is
// at hand, and the contract is held to them.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadDocument } from "../src/contract/document.ts";
import { operation } from "../src/contract/operation.ts";
import { resolver, type Schema } from "../src/judge/schema.ts";

interface VendorResponse {
  status: number;
  code: string;
  message: string;
  data?: unknown;
  error: Record<string, string>;
}

const facts = JSON.parse(readFileSync(new URL("./fixtures/vendor-page.json", import.meta.url), "utf8")) as {
  pods: Record<string, string>;
  endpoint: string;
  method: string;
  keyHeader: string;
  mediaType: string;
  captionMaxCharacters: number;
  refMaxCharacters: number;
  messagingProduct: string;
  recipientType: string;
  waSources: string[];
  responses: VendorResponse[];
};

const page = fileURLToPath(new URL("../../shared/reference/kaleyra-whatsapp-send-video.txt", import.meta.url));

const notesFacts = JSON.parse(readFileSync(new URL("./fixtures/vendor-notes.json", import.meta.url), "utf8")) as {
  callbackStatuses: string[];
  callbackFields: string[];
  callbackExtraInfo: string[];
};
const notes = fileURLToPath(new URL("../../shared/reference/vendor-notes.md", import.meta.url));

describe("the notes fixture is the vendor's notes", () => {
  it.skipIf(!existsSync(notes))("the status callbacks' statuses and fields stand in the notes as copied", () => {
    const text = readFileSync(notes, "utf8").replace(/\s+/g, " ");
    expect(text).toContain(`statuses ${notesFacts.callbackStatuses.join(", ")}.`);
    expect(text).toContain(
      `{ meta_object: { value: { statuses: [...] }, field }, extra_info: { ${notesFacts.callbackExtraInfo.join(", ")}, ... }, status, message_id }`,
    );
  });
});

describe("the contract's status callback says what the vendor's notes say", () => {
  it("has the statuses, the fields and the references the notes give", () => {
    const callback = loadDocument().components.schemas.StatusCallback as {
      required: string[];
      properties: { extra_info: { properties: Record<string, unknown> } };
    };
    expect((loadDocument().components.schemas.CallbackStatus as { enum: string[] }).enum).toEqual(notesFacts.callbackStatuses);
    expect(callback.required).toEqual(notesFacts.callbackFields);
    expect(Object.keys(callback.properties.extra_info.properties)).toEqual(notesFacts.callbackExtraInfo);
  });
});

describe("the fixture is the vendor's page", () => {
  // The page is beside the project in this workplace (and in CI), not in a user's clone.
  it.skipIf(!existsSync(page))("every value stands in the page as copied", () => {
    const text = readFileSync(page, "utf8").replace(/\s+/g, " ");
    for (const host of Object.values(facts.pods)) expect(text).toContain(host);
    expect(text).toContain(facts.endpoint);
    expect(text).toContain(`${facts.method} `);
    expect(text).toContain(`-H '${facts.keyHeader}: `);
    expect(text).toContain(`The only allowed value is ${facts.mediaType}.`);
    expect(text).toContain(`The maximum value allowed is ${facts.captionMaxCharacters} characters.`);
    expect(text.split(`Limit: The variable can be ${facts.refMaxCharacters} characters long only.`)).toHaveLength(4);
    expect(text).toContain(`Only allowed value is ${facts.messagingProduct}`);
    expect(text).toContain(`Only allowed value is ${facts.recipientType}`);
    expect(text).toContain(
      `Supported values for wa_source are ${facts.waSources
        .slice(0, -1)
        .map((v) => `"${v}"`)
        .join(", ")}, and "${facts.waSources.at(-1)}".`,
    );
    for (const response of facts.responses) {
      expect(text).toContain(`"${response.code}"`);
      expect(text).toMatch(new RegExp(`"message": ?"${response.message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`));
      for (const [key, value] of Object.entries(response.error)) expect(text).toContain(`"${key}": "${value}"`);
    }
  });
});

describe("the contract says what the vendor's page says", () => {
  const doc = loadDocument();
  const contract = operation();
  const resolve = resolver(doc);
  const schemaAt = (pointer: string) => resolve({ $ref: pointer });
  const request = schemaAt(contract.requestSchemaPointer);
  const messaging = resolve(request.properties!.messaging_object!);
  const extraInfo = resolve(request.properties!.extra_info!);

  it("the pods, the path, the method, the key header and the media type", () => {
    const hosts = Object.fromEntries(
      doc.servers.filter((server) => server["x-pod"] && server["x-pod"] !== "mock").map((server) => [server["x-pod"], new URL(server.url).host]),
    );
    expect(hosts).toEqual(facts.pods);
    expect(contract.path).toBe(facts.endpoint.replace("<sid>", "{sid}").replace("<phone_number>", "{phone_number}"));
    expect(contract.method.toUpperCase()).toBe(facts.method);
    const schemes = (doc.components as unknown as { securitySchemes: Record<string, { type: string; in: string; name: string }> }).securitySchemes;
    expect(Object.values(schemes).map((scheme) => [scheme.type, scheme.in, scheme.name])).toEqual([["apiKey", "header", facts.keyHeader]]);
    expect(contract.requestMediaTypes).toEqual([facts.mediaType]);
  });

  it("the limits and the allowed values", () => {
    const video = resolve(messaging.properties!.video!);
    const captions = (video.oneOf ?? []).map((branch) => resolve(resolve(branch).properties!.caption!).maxLength);
    expect(captions).toEqual([facts.captionMaxCharacters, facts.captionMaxCharacters]);
    for (const ref of ["ref", "ref1", "ref2"]) expect(resolve(extraInfo.properties![ref]!).maxLength, ref).toBe(facts.refMaxCharacters);
    const only = (schema: Schema) => resolve(schema).const ?? resolve(schema).enum;
    expect([only(messaging.properties!.messaging_product!)].flat()).toEqual([facts.messagingProduct]);
    expect([only(messaging.properties!.recipient_type!)].flat()).toEqual([facts.recipientType]);
  });

  it("every documented answer: status, code, message and error, word for word", () => {
    const examples = contract.examples.map((example) => {
      const value = example.value as { code: string; message: string; data: unknown; error: Record<string, string> };
      return { status: example.status, code: value.code, message: value.message, error: value.error, data: value.data };
    });
    expect(examples.map(({ status, code, message, error }) => ({ status, code, message, error }))).toEqual(
      expect.arrayContaining(facts.responses.map(({ status, code, message, error }) => ({ status, code, message, error }))),
    );
    expect(examples).toHaveLength(facts.responses.length);
    // RBC001's data is an array on the page; the others' an object.
    for (const response of facts.responses.filter((r) => r.data !== undefined)) {
      expect(examples.find((example) => example.code === response.code)?.data).toEqual(response.data);
    }
  });
});
