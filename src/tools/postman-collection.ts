// `npm run postman`: a Postman collection generated from the contract by Postman's own converter
// (openapi-to-postmanv2), pointed at the local mock, with the api-key taken from a variable; then
// one saved request per named example of the contract, each with Postman tests of its status,
// its code and the status's schema (inlined from the contract), runnable by newman.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import Converter, { type CollectionResult } from "openapi-to-postmanv2";
import { loadDocument } from "../contract/document.ts";
import { operation, type NamedExample } from "../contract/operation.ts";

const source = fileURLToPath(new URL("../../openapi/kaleyra-whatsapp-video.yaml", import.meta.url));
export const collectionPath = fileURLToPath(new URL("../../build/postman/kaleyra-whatsapp-video.postman_collection.json", import.meta.url));

interface Server {
  url: string;
  "x-pod"?: string;
}

interface PostmanItem {
  name: string;
  request?: { header?: { key: string; value: string }[] } & Record<string, unknown>;
  response?: { code: number; name?: string; body?: string }[];
  event?: { listen: "test"; script: { type: "text/javascript"; exec: string[] } }[];
  item?: PostmanItem[];
}

export interface Collection {
  info: { name: string; schema: string };
  item: PostmanItem[];
  variable?: { key: string; value: string; type?: string }[];
  auth?: unknown;
}

export function generateCollection(): Promise<Collection> {
  const yaml = readFileSync(source, "utf8");
  const servers = JSON.parse(readFileSync(new URL("../../generated/kaleyra-whatsapp-video.json", import.meta.url), "utf8")).servers as Server[];
  const mock = servers.find((server) => server["x-pod"] === "mock")!.url;
  return new Promise((resolve, reject) => {
    Converter.convertV2(
      { type: "string", data: yaml },
      { folderStrategy: "Tags", parametersResolution: "Example", requestNameSource: "Fallback", includeAuthInfoInExample: false },
      (error, result?: CollectionResult) => {
        const data = result?.output?.[0]?.data;
        if (error || !result?.result || !data) {
          reject(new Error(`conversion failed: ${error?.message ?? result?.reason ?? "no output"}`));
          return;
        }
        const collection = data as Collection;
        // Try the mock first; the pods are listed in the docs. The key is a variable, never a value here.
        collection.variable = [
          ...(collection.variable ?? []).filter((variable) => variable.key !== "baseUrl" && variable.key !== "apiKey"),
          { key: "baseUrl", value: mock, type: "string" },
          { key: "apiKey", value: "any-key-for-the-mock", type: "string" },
        ];
        collection.auth = {
          type: "apikey",
          apikey: [
            { key: "key", value: "api-key" },
            { key: "value", value: "{{apiKey}}" },
            { key: "in", value: "header" },
          ],
        };
        resolve(withNamedExamples(collection));
      },
    );
  });
}

/** The contract's schema at a pointer with every $ref inlined: Postman's tests get no document to resolve against. */
export function inlinedSchema(pointer: string): unknown {
  const doc = loadDocument() as unknown;
  const at = (ref: string) =>
    ref
      .replace(/^#\//, "")
      .split("/")
      .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"))
      .reduce<unknown>((node, segment) => (node as Record<string, unknown>)[segment], doc);
  const inline = (node: unknown, depth: number): unknown => {
    if (depth > 64) throw new Error(`schema too deep (a cycle?) at ${pointer}`);
    if (Array.isArray(node)) return node.map((item) => inline(item, depth + 1));
    if (typeof node !== "object" || node === null) return node;
    const { $ref, ...rest } = node as Record<string, unknown>;
    const base = typeof $ref === "string" ? (inline(at($ref), depth + 1) as Record<string, unknown>) : {};
    const own = Object.fromEntries(
      Object.entries(rest)
        // Documentation only; and `format`, which Postman's validator may not know (the patterns say the same).
        .filter(([key]) => !["example", "examples", "description", "title", "format"].includes(key) && !key.startsWith("x-"))
        .map(([key, value]) => [
          key,
          key === "properties" || key === "patternProperties" || key === "$defs"
            ? Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([name, schema]) => [name, inline(schema, depth + 1)]))
            : inline(value, depth + 1),
        ]),
    );
    return { ...base, ...own };
  };
  return inline({ $ref: pointer }, 0);
}

const codeOf = (example: NamedExample) => (example.value as { code: string }).code;

/** Postman test script lines for one named example: status, code, and the status's schema. */
export function testScript(example: NamedExample): string[] {
  const schema = JSON.stringify(inlinedSchema(operation().responseSchemaPointers[example.status]!));
  return [
    `pm.test("status is ${example.status}", function () { pm.response.to.have.status(${example.status}); });`,
    `pm.test("code is ${codeOf(example)}", function () { pm.expect(pm.response.json().code).to.eql(${JSON.stringify(codeOf(example))}); });`,
    `pm.test("the body matches the contract's schema for ${example.status}", function () { pm.response.to.have.jsonSchema(${schema}); });`,
  ];
}

/**
 * One saved request per named example: the converter's request, asking the mock for that example
 * by Prism's Prefer header (a pod ignores it), with the example as its saved answer and its tests.
 */
function withNamedExamples(collection: Collection): Collection {
  const leaves = (items: PostmanItem[]): PostmanItem[] => items.flatMap((item) => (item.item ? leaves(item.item) : [item]));
  const [base] = leaves(collection.item);
  if (!base) throw new Error("the converter produced no request");
  const items = operation().examples.map((example): PostmanItem => {
    const request = structuredClone(base.request ?? {});
    request.header = [
      ...(request.header ?? []).filter((header) => header.key.toLowerCase() !== "prefer"),
      { key: "Prefer", value: `code=${example.status}, example=${example.name}` },
    ];
    return {
      name: `${example.status} ${example.summary ?? `${codeOf(example)} ${example.name}`}`,
      request,
      response: [
        {
          ...(base.response?.find((saved) => saved.code === example.status) ?? { code: example.status }),
          name: example.name,
          body: JSON.stringify(example.value, null, 2),
        },
      ],
      event: [{ listen: "test", script: { type: "text/javascript", exec: testScript(example) } }],
    };
  });
  const folder = collection.item.find((item) => leaves([item]).includes(base)) ?? base;
  // The operation's folder holds the saved requests; folders the converter left empty go.
  collection.item = [
    folder === base ? { name: "Messages", item: items } : { ...folder, item: items },
    ...collection.item.filter((item) => item !== folder && leaves([item]).length > 0),
  ];
  return collection;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const collection = await generateCollection();
  mkdirSync(dirname(collectionPath), { recursive: true });
  writeFileSync(collectionPath, `${JSON.stringify(collection, null, 2)}\n`);
  process.stdout.write(`${collectionPath}\n`);
}
