// The Postman collection generated from the contract (openapi-to-postmanv2): its request is the
// contract's, and sent as Postman would, with its own variables, it gets 202 from the mock.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operation } from "../src/contract/operation.ts";
import { compileContractSchemas } from "../src/contract/schemas.ts";
import { generateCollection, type Collection } from "../src/tools/postman-collection.ts";
import newman, { type NewmanRunSummary } from "newman";
import { startDistorted } from "./support/distort.ts";
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
  it("is a v2.1 collection, pointed at the mock, the key in a variable", () => {
    expect(collection.info.schema).toBe("https://schema.getpostman.com/json/collection/v2.1.0/collection.json");
    expect(collection.variable).toEqual(expect.arrayContaining([expect.objectContaining({ key: "baseUrl", value: "http://127.0.0.1:4010" })]));
    expect(collection.auth).toEqual({
      type: "apikey",
      apikey: expect.arrayContaining([
        { key: "key", value: "api-key" },
        { key: "value", value: "{{apiKey}}" },
      ]),
    });
  });

  it("saves one request per named example of the contract, each with the contract's request and the example as its answer", () => {
    const items = requests(collection.item);
    expect(items.map((item) => item.name)).toEqual(operation().examples.map((example) => `${example.status} ${example.summary}`));
    for (const [index, example] of operation().examples.entries()) {
      const item = items[index]!;
      expect(item.request.method).toBe("POST");
      expect(item.request.url.path.join("/")).toBe("v2/:sid/whatsapp/:phone_number/messages");
      expect(compileContractSchemas().issues(operation().requestSchemaPointer, JSON.parse(item.request.body.raw))).toEqual([]);
      expect(item.request.header).toContainEqual({ key: "Prefer", value: `code=${example.status}, example=${example.name}` });
      expect(item.response.map((response) => [response.code, JSON.parse(response.body)])).toEqual([[example.status, example.value]]);
    }
  });

  it("runs in newman against the mock: every test of every request passes", async () => {
    const summary = await runNewman(mock.url);
    expect(failuresOf(summary)).toEqual([]);
    // Three tests a request: status, code, schema.
    expect(summary.run.stats.assertions).toMatchObject({ total: 3 * operation().examples.length, failed: 0 });
    expect(summary.run.executions.map((execution) => execution.response?.code)).toEqual(operation().examples.map((example) => example.status));
  });

  it("its tests fail where the answer departs: a wrong code fails the code and schema tests of that request alone", async () => {
    const server = await startDistorted(mock.url, { response: (answer) => ({ ...answer, body: answer.body.replace('"WA202"', '"WA203"') }) });
    try {
      const summary = await runNewman(server.url);
      const accepted = `${operation().examples[0]!.status} ${operation().examples[0]!.summary}`;
      expect(failuresOf(summary)).toEqual([
        [accepted, "code is WA202"],
        [accepted, "the body matches the contract's schema for 202"],
      ]);
    } finally {
      await server.close();
    }
  });
});

function runNewman(baseUrl: string): Promise<NewmanRunSummary> {
  return new Promise((resolve, reject) => {
    newman.run({ collection: collection as never, envVar: [{ key: "baseUrl", value: baseUrl }], reporters: [], timeoutRequest: 5_000 }, (error, summary) =>
      error ? reject(error) : resolve(summary),
    );
  });
}

function failuresOf(summary: NewmanRunSummary): [string, string][] {
  return summary.run.failures.map((failure) => [
    (failure.source as { name?: string } | undefined)?.name ?? "?",
    (failure.error as { test?: string }).test ?? failure.error.message,
  ]);
}
