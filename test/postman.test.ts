// The Postman collection generated from the contract (openapi-to-postmanv2): its request is the
// contract's, and sent as Postman would, with its own variables, it gets 202 from the mock.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operation } from "../src/contract/operation.ts";
import { compileContractSchemas } from "../src/contract/schemas.ts";
import { generateCollection, type Collection } from "../src/tools/postman-collection.ts";
import { startTestMock, type TestMock } from "./support/mock.ts";

interface PostmanRequest {
  method: string;
  url: { host: string[]; path: string[]; variable: { key: string; value: string }[] };
  header: { key: string; value: string }[];
  body: { raw: string };
}
interface PostmanItem {
  name: string;
  request: PostmanRequest;
  response: { code: number; body: string }[];
  item?: PostmanItem[];
}

let collection: Collection;
let mock: TestMock;
beforeAll(async () => {
  collection = await generateCollection();
  mock = await startTestMock();
});
afterAll(async () => {
  await mock.close();
});

const requests = (items: unknown[]): PostmanItem[] => (items as PostmanItem[]).flatMap((item) => (item.item ? requests(item.item) : [item]));

describe("the Postman collection", () => {
  it("is a v2.1 collection with the operation, pointed at the mock, the key in a variable", () => {
    expect(collection.info.schema).toBe("https://schema.getpostman.com/json/collection/v2.1.0/collection.json");
    const [item] = requests(collection.item);
    expect(item!.name).toBe("Send a video message");
    expect(item!.request.method).toBe("POST");
    expect(item!.request.url.path.join("/")).toBe("v2/:sid/whatsapp/:phone_number/messages");
    expect(collection.variable).toEqual(expect.arrayContaining([expect.objectContaining({ key: "baseUrl", value: "http://127.0.0.1:4010" })]));
    expect(collection.auth).toEqual({ type: "apikey", apikey: expect.arrayContaining([{ key: "key", value: "api-key" }, { key: "value", value: "{{apiKey}}" }]) });
  });

  it("carries the contract's request example and a saved answer for every documented status", () => {
    const [item] = requests(collection.item);
    const body = JSON.parse(item!.request.body.raw);
    expect(compileContractSchemas().issues(operation().requestSchemaPointer, body)).toEqual([]);
    expect(item!.response.map((response) => response.code).sort()).toEqual(operation().statuses);
  });

  it("works against the mock, sent as Postman would with its variables", async () => {
    const [item] = requests(collection.item);
    const variables = Object.fromEntries((collection.variable ?? []).map((variable) => [variable.key, variable.value]));
    const pathVariables = Object.fromEntries(item!.request.url.variable.map((variable) => [variable.key, variable.value]));
    const path = item!.request.url.path.map((segment) => (segment.startsWith(":") ? pathVariables[segment.slice(1)]! : segment)).join("/");
    const base = item!.request.url.host.join("").replace("{{baseUrl}}", mock.url);
    const headers = Object.fromEntries(item!.request.header.map((header) => [header.key, header.value]));
    const response = await fetch(`${base}/${path}`, { method: item!.request.method, headers: { ...headers, "api-key": variables.apiKey! }, body: item!.request.body.raw });
    expect(response.status).toBe(202);
    expect(((await response.json()) as { code: string }).code).toBe("WA202");
  });
});
