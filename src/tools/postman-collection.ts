// `npm run postman`: a Postman collection generated from the contract by Postman's own converter
// (openapi-to-postmanv2), pointed at the local mock, with the api-key taken from a variable.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import Converter, { type CollectionResult } from "openapi-to-postmanv2";

const source = fileURLToPath(new URL("../../openapi/kaleyra-whatsapp-video.yaml", import.meta.url));
export const collectionPath = fileURLToPath(new URL("../../build/postman/kaleyra-whatsapp-video.postman_collection.json", import.meta.url));

interface Server {
  url: string;
  "x-pod"?: string;
}

export interface Collection {
  info: { name: string; schema: string };
  item: unknown[];
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
        collection.auth = { type: "apikey", apikey: [{ key: "key", value: "api-key" }, { key: "value", value: "{{apiKey}}" }, { key: "in", value: "header" }] };
        resolve(collection);
      },
    );
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const collection = await generateCollection();
  mkdirSync(dirname(collectionPath), { recursive: true });
  writeFileSync(collectionPath, JSON.stringify(collection, null, 2) + "\n");
  process.stdout.write(`${collectionPath}\n`);
}
