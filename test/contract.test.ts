// The contract itself: lint, an independent 3.1 validator, generated types in sync, every example
// valid, and the documented rules holding at their boundaries.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { Ajv2020 } from "ajv/dist/2020.js";
import { adminSpecPath, loadAdminDocument, loadDocument, specPath } from "../src/contract/document.ts";
import { example, operation } from "../src/contract/operation.ts";
import { compileContractSchemas } from "../src/contract/schemas.ts";
import { requestExamples, validBody } from "./support/requests.ts";

const run = promisify(execFile);
const doc = loadDocument();
const schemas = compileContractSchemas(doc);
const requestSchema = "#/components/schemas/SendVideoRequest";

async function npmRun(script: string, ...args: string[]) {
  try {
    const { stdout, stderr } = await run("npm", ["run", "--silent", script, "--", ...args], { cwd: process.cwd() });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("the OpenAPI document", () => {
  // Each contract on its own: the vendor's answers JSON only, the admin API's errors are problems.
  it.each(["kaleyra-whatsapp-video", "kaleyra-mock-admin"])("%s passes `npm run lint` with no errors and no warnings", async (api) => {
    const { code, stdout } = await npmRun("lint", api, "--format=json");
    const report = JSON.parse(stdout) as { totals: { errors: number; warnings: number }; problems: unknown[] };
    expect(report.problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    expect(code).toBe(0);
  });

  it.each([specPath, adminSpecPath])("%s is accepted by an independent OpenAPI 3.1 validator", async (path) => {
    const validator = new Validator();
    const result = await validator.validate(path);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  // The kit's validators skip Ajv's meta-schema check at start-up; this is where it is made,
  // schema by schema (a whole document is not a schema: Ajv would not look inside components).
  it.each([
    ["the vendor contract", loadDocument],
    ["the admin contract", loadAdminDocument],
  ])("%s has every schema valid against the 2020-12 meta-schema", (_name, load) => {
    const found = schemasIn(load());
    expect(found.length).toBeGreaterThan(10);
    const ajv = new Ajv2020({ strict: false });
    const invalid = found.filter(({ schema }) => ajv.validateSchema(schema) !== true).map(({ at }) => at);
    expect(invalid).toEqual([]);
  });

  it("the meta-schema check finds a schema that breaks it, wherever it is", () => {
    const broken = structuredClone(loadDocument()) as unknown as { components: { schemas: Record<string, unknown> } };
    broken.components.schemas.Broken = { type: "object", properties: { deep: { type: 12 } } };
    const ajv = new Ajv2020({ strict: false });
    const invalid = schemasIn(broken)
      .filter(({ schema }) => ajv.validateSchema(schema) !== true)
      .map(({ at }) => at);
    expect(invalid).toEqual(["#/components/schemas/Broken"]);
  });

  it("has generated types and JSON in sync with it (`npm run generate` leaves generated/ unchanged)", async () => {
    const { code, stderr } = await npmRun("generate:check");
    expect(stderr).not.toMatch(/not up-to-date/);
    expect(code).toBe(0);
  }, 90_000); // npm, openapi-typescript and tsx: seconds alone, many more on a busy machine

  it("declares the 2020-12 dialect, which Prism and Ajv use to validate", () => {
    expect(doc.jsonSchemaDialect).toBe("https://json-schema.org/draft/2020-12/schema");
  });

  it("lists the four vendor pods and the local mock as servers", () => {
    expect(doc.servers.map((server) => [server["x-pod"], server.url])).toEqual([
      ["in", "https://api.in.kaleyra.io"],
      ["sg", "https://api.kaleyra.io"],
      ["eu", "https://api.eu.kaleyra.io"],
      ["na", "https://api.na.kaleyra.ai"],
      ["mock", "http://127.0.0.1:4010"],
    ]);
  });

  it("names the eight documented responses as tools and docs expect, first example first", () => {
    const byStatus = operation().examples.map((example) => [example.status, example.name]);
    expect(byStatus).toEqual([
      [202, "accepted"],
      [400, "incorrect-payload"],
      [400, "low-balance"],
      [401, "incorrect-sid-or-api-key"],
      [401, "phone-number-not-in-account"],
      [401, "account-not-enabled"],
      [401, "phone-number-other-version"],
      [500, "internal-error"],
    ]);
  });

  it("has every response example valid against its response schema", () => {
    const pointers = operation().responseSchemaPointers;
    expect(Object.keys(pointers).map(Number)).toEqual([202, 400, 401, 500]);
    for (const example of operation().examples) {
      const result = schemas.check(pointers[example.status]!, example.value);
      expect(result.errors, example.name).toEqual([]);
    }
  });

  it("has request examples by media id, by link and with extra_info, each valid", () => {
    const examples = requestExamples();
    expect(Object.keys(examples)).toEqual(["by-media-id", "by-link", "with-extra-info"]);
    for (const [name, example] of Object.entries(examples)) {
      expect(schemas.check(requestSchema, example.value).errors, name).toEqual([]);
    }
  });

  it("constrains each response's code to its documented values", () => {
    const check = (pointer: string, code: string) => schemas.check(pointer, { code, message: "m", data: {}, error: {} }).ok;
    expect(check("#/components/schemas/BadRequestEnvelope", "WA400")).toBe(true);
    expect(check("#/components/schemas/BadRequestEnvelope", "E110")).toBe(true);
    expect(check("#/components/schemas/BadRequestEnvelope", "WA401")).toBe(false);
    expect(check("#/components/schemas/UnauthorizedEnvelope", "WA-401")).toBe(true);
    expect(check("#/components/schemas/UnauthorizedEnvelope", "WA400")).toBe(false);
    expect(check("#/components/schemas/InternalErrorEnvelope", "WA500")).toBe(true);
    expect(check("#/components/schemas/InternalErrorEnvelope", "WA502")).toBe(false);
    expect(schemas.check("#/components/schemas/AcceptedEnvelope", { code: "WA202", message: "m", data: {}, error: {} }).ok).toBe(false);
  });

  it("accepts `data: []` (RBC001 as the vendor sends it) and `data: {}` on errors", () => {
    const envelope = { code: "RBC001", message: "m", error: { error: "m" } };
    expect(schemas.check("#/components/schemas/UnauthorizedEnvelope", { ...envelope, data: [] }).ok).toBe(true);
    expect(schemas.check("#/components/schemas/UnauthorizedEnvelope", { ...envelope, data: {} }).ok).toBe(true);
    expect(schemas.check("#/components/schemas/UnauthorizedEnvelope", { ...envelope, data: "x" }).ok).toBe(false);
  });
});

describe("the request schema's documented rules", () => {
  const limits = doc.components.schemas as Record<string, { maxLength?: number }>;
  const captionMax = limits.Caption!.maxLength!;
  const referenceMax = limits.Reference!.maxLength!;
  const accepts = (body: unknown) => schemas.check(requestSchema, body).ok;
  const withVideo = (video: unknown) => {
    const body = validBody();
    body.messaging_object.video = video;
    return body;
  };

  it("states the vendor's limits: caption 1024, references 255", () => {
    expect(captionMax).toBe(1024);
    expect(referenceMax).toBe(255);
  });

  it("takes a caption at its limit and refuses one past it, counting characters not UTF-16 units", () => {
    expect(accepts(withVideo({ id: "1", caption: "x".repeat(captionMax) }))).toBe(true);
    expect(accepts(withVideo({ id: "1", caption: "😀".repeat(captionMax) }))).toBe(true);
    expect(accepts(withVideo({ id: "1", caption: "x".repeat(captionMax + 1) }))).toBe(false);
  });

  it.each(["ref", "ref1", "ref2"])("takes %s at 255 characters and refuses 256", (field) => {
    const at = validBody();
    at.extra_info = { [field]: "r".repeat(referenceMax) };
    const past = validBody();
    past.extra_info = { [field]: "r".repeat(referenceMax + 1) };
    expect(accepts(at)).toBe(true);
    expect(accepts(past)).toBe(false);
  });

  it("takes a video by id or by link, and refuses both together or neither", () => {
    expect(accepts(withVideo({ id: "1166846181421424" }))).toBe(true);
    expect(accepts(withVideo({ link: "https://example.org/v.mp4" }))).toBe(true);
    expect(accepts(withVideo({ id: "1", link: "https://example.org/v.mp4" }))).toBe(false);
    expect(accepts(withVideo({ caption: "only a caption" }))).toBe(false);
    expect(accepts(withVideo({ id: "" }))).toBe(false);
    expect(accepts(withVideo({ link: "not a url" }))).toBe(false);
    expect(accepts(withVideo({ link: "ftp://example.org/v.mp4" }))).toBe(false);
  });

  it("accepts any wa_source (an unknown one is treated as api, not rejected)", () => {
    const body = validBody();
    body.extra_info = { wa_source: "some-crm-nobody-listed" };
    expect(accepts(body)).toBe(true);
  });

  it("allows only the documented enum values", () => {
    const set = (field: string, value: unknown) => {
      const body = validBody();
      body.messaging_object[field] = value;
      return accepts(body);
    };
    expect(set("messaging_product", "whatsapp")).toBe(true);
    expect(set("messaging_product", "sms")).toBe(false);
    expect(set("recipient_type", "individual")).toBe(true);
    expect(set("recipient_type", "group")).toBe(false);
    expect(set("type", "video")).toBe(true);
    expect(set("type", "Video")).toBe(false);
    expect(set("type", "image")).toBe(false);
  });

  it("requires messaging_object, messaging_product, to and video; recipient_type and type are optional", () => {
    for (const field of ["messaging_product", "to", "video"]) {
      const body = validBody();
      delete body.messaging_object[field];
      expect(accepts(body), field).toBe(false);
    }
    for (const field of ["recipient_type", "type"]) {
      const body = validBody();
      delete body.messaging_object[field];
      expect(accepts(body), field).toBe(true);
    }
    expect(accepts({ extra_info: {} })).toBe(false);
  });

  it("takes `to` in E.164 form only", () => {
    const to = (value: string) => {
      const body = validBody();
      body.messaging_object.to = value;
      return accepts(body);
    };
    expect(to("+919876543210")).toBe(true);
    expect(to("+1234567")).toBe(true); // 7 digits, the shortest
    expect(to("+123456789012345")).toBe(true); // 15 digits, the longest
    expect(to("+123456")).toBe(false);
    expect(to("+1234567890123456")).toBe(false);
    expect(to("919876543210")).toBe(false);
    expect(to("+0919876543210")).toBe(false);
    expect(to("+91 98765 43210")).toBe(false);
  });
});

describe("issues from any contract's schemas, rule by rule", () => {
  const S = "#/components/schemas/";
  const doc = {
    openapi: "3.1.0",
    servers: [],
    paths: {},
    components: {
      responses: {},
      schemas: {
        A: { title: "Thing A", type: "object", required: ["a"], properties: { a: { type: "string" } }, additionalProperties: false },
        B: { type: "object", required: ["b"], properties: { b: { type: "string" } }, additionalProperties: false },
        Either: { oneOf: [{ $ref: `${S}A` }, { $ref: `${S}B` }] },
        Loose: { oneOf: [{ $ref: `${S}Any` }, { $ref: `${S}Any2` }] },
        Any: { title: "Any one", type: "object" },
        Any2: { title: "Any two", type: "object" },
        Inline: { oneOf: [{ type: "string" }, { type: "number", minimum: 5 }] },
        Const: { const: "x" },
        Pattern: { type: "string", pattern: "^a$" },
        PatternDesc: { type: "string", pattern: "^a$", description: "**one** `a`" },
        Format: { type: "string", format: "uri", description: "a *URI*" },
        FormatBare: { type: "string", format: "uri" },
        Slash: { type: "object", properties: { "a/b~c": { type: "object", properties: { d: { type: "string" } } } } },
        Nested: { type: "object", properties: { e: { $ref: `${S}Either` } } },
        Mixed: { oneOf: [{ $ref: `${S}A` }, { type: "string" }] },
      },
    },
  };
  // Compiled in each test, not once for all: a compile option broken must be seen by the test that needs it.
  const schemas = () => compileContractSchemas(doc as never);
  const B = "#/components/schemas/B";

  it.each([
    [
      "Either",
      { a: "x", b: "y" },
      [{ field: "(body)", rule: "oneOf", message: `must be exactly one of Thing A or ${B} (Thing A: b is not allowed here; ${B}: a is not allowed here)` }],
    ],
    ["Either", { a: 1 }, [{ field: "a", rule: "type", message: "must be string" }]],
    ["Either", { b: 2 }, [{ field: "b", rule: "type", message: "must be string" }]],
    ["Either", {}, [{ field: "(body)", rule: "oneOf", message: `must be exactly one of Thing A or ${B} (Thing A: a is required; ${B}: b is required)` }]],
    [
      "Either",
      { c: 1 },
      [
        {
          field: "(body)",
          rule: "oneOf",
          message: `must be exactly one of Thing A or ${B} (Thing A: a is required, c is not allowed here; ${B}: b is required, c is not allowed here)`,
        },
      ],
    ],
    ["Loose", {}, [{ field: "(body)", rule: "oneOf", message: "matches more than one of Any one, Any two; give exactly one" }]],
    [
      "Inline",
      1,
      [
        { field: "(body)", rule: "type", message: "must be string" },
        { field: "(body)", rule: "minimum", message: "must be >= 5" },
        { field: "(body)", rule: "oneOf", message: "must match exactly one schema in oneOf" },
      ],
    ],
    ["Const", "y", [{ field: "(body)", rule: "const", message: 'must be "x"' }]],
    ["Pattern", "b", [{ field: "(body)", rule: "pattern", message: 'must match pattern "^a$"' }]],
    ["PatternDesc", "b", [{ field: "(body)", rule: "pattern", message: "does not have the required form — one a" }]],
    ["Format", "no uri", [{ field: "(body)", rule: "format", message: 'must match format "uri" — a URI' }]],
    ["FormatBare", "no uri", [{ field: "(body)", rule: "format", message: 'must match format "uri"' }]],
    ["Slash", { "a/b~c": { d: 5 } }, [{ field: "a/b~c.d", rule: "type", message: "must be string" }]],
    ["Nested", { e: { a: 1 } }, [{ field: "e.a", rule: "type", message: "must be string" }]],
    ["Nested", { e: {} }, [{ field: "e", rule: "oneOf", message: `must be exactly one of Thing A or ${B} (Thing A: e.a is required; ${B}: e.b is required)` }]],
    ["A", { a: "x" }, []],
    // Not every alternative is a named schema: Ajv's own errors, each kept.
    [
      "Mixed",
      5,
      [
        { field: "(body)", rule: "type", message: "must be object" },
        { field: "(body)", rule: "type", message: "must be string" },
        { field: "(body)", rule: "oneOf", message: "must match exactly one schema in oneOf" },
      ],
    ],
  ])("%s %j", (name, value, expected) => {
    expect(schemas().issues(`${S}${name}`, value)).toEqual(expected);
  });

  it("check gives Ajv's errors only for an invalid value, the same validator each time", () => {
    const compiled = schemas();
    expect(compiled.check(`${S}A`, { a: 1 }).errors.map((error) => error.keyword)).toEqual(["type"]);
    expect(compiled.check(`${S}A`, { a: "x" })).toEqual({ ok: true, errors: [] });
    expect(compiled.check(`${S}A`, { a: 2 }).ok).toBe(false);
  });

  it("an admin operation's path by its id; an unknown id is an error naming it", async () => {
    const { adminPath } = await import("../src/contract/document.ts");
    expect(adminPath("getIdentity")).toBe("/__admin/identity");
    // A path with two operations: each is found by its own id.
    expect([adminPath("listRequests"), adminPath("clearRequests")]).toEqual(["/__admin/requests", "/__admin/requests"]);
    expect(() => adminPath("nope")).toThrow(new Error("the admin contract has no operation nope"));
  });
});

describe("the operation read from any document", () => {
  const copy = () => structuredClone(loadDocument()) as ReturnType<typeof loadDocument>;

  it("points at inline responses and parameters where they are, and the pointers resolve", async () => {
    const { buildOperationContract } = await import("../src/contract/operation.ts");
    const doc = copy();
    const path = operation().path;
    const item = doc.paths[path] as Record<string, any>;
    const parameters = doc.components.parameters as Record<string, unknown>;
    item.parameters = item.parameters.map((parameter: { $ref: string }) => parameters[parameter.$ref.split("/").pop()!]);
    item.post.responses["202"] = doc.components.responses.Accepted;
    const inline = buildOperationContract(doc);
    const at = "#/paths/~1v2~1{sid}~1whatsapp~1{phone_number}~1messages";
    expect(inline.responseSchemaPointers[202]).toBe(`${at}/post/responses/202/content/application~1json/schema`);
    expect(inline.responseSchemaPointers[400]).toBe("#/components/responses/BadRequest/content/application~1json/schema");
    expect(inline.pathParameterSchemaPointers).toEqual({ sid: `${at}/parameters/0/schema`, phone_number: `${at}/parameters/1/schema` });
    const schemas = compileContractSchemas(doc);
    expect(schemas.check(inline.responseSchemaPointers[202]!, example("accepted").value).ok).toBe(true);
    expect(schemas.issues(inline.pathParameterSchemaPointers.sid!, "HXAP16XXXXXX97IN")).toEqual([]);
    expect(inline.examples.map((named) => named.name)).toEqual(operation().examples.map((named) => named.name));
  });

  it("takes statuses as numbers in order, whatever the document's order, and escapes ~ and / in pointers", async () => {
    const { buildOperationContract } = await import("../src/contract/operation.ts");
    expect(operation().statuses).toEqual([202, 400, 401, 500]);
    expect(operation().requestSchemaPointer).toBe("#/paths/~1v2~1{sid}~1whatsapp~1{phone_number}~1messages/post/requestBody/content/application~1json/schema");
    const doc = copy();
    const item = doc.paths[operation().path] as Record<string, any>;
    item.post.responses = Object.fromEntries(Object.entries(item.post.responses as object).reverse());
    doc.paths = { "/v2~x/{sid}": item };
    const built = buildOperationContract(doc);
    expect(built.statuses).toEqual([202, 400, 401, 500]);
    expect(built.requestSchemaPointer).toBe("#/paths/~1v2~0x~1{sid}/post/requestBody/content/application~1json/schema");
    expect(compileContractSchemas(doc).check(built.requestSchemaPointer, operation().requestExamples["by-link"]).ok).toBe(true);
  });

  it("refuses a document without the operation, or with a response it cannot resolve, naming what is missing", async () => {
    const { buildOperationContract } = await import("../src/contract/operation.ts");
    const without = copy();
    without.paths = {};
    expect(() => buildOperationContract(without)).toThrow(new Error("operation sendVideoMessage is not in the document"));
    const unresolved = copy();
    delete unresolved.components.responses.Unauthorized;
    expect(() => buildOperationContract(unresolved)).toThrow(new Error("unresolved response reference #/components/responses/Unauthorized"));
  });

  it("matches a path literally around its parameters, one segment each", async () => {
    const { buildOperationContract } = await import("../src/contract/operation.ts");
    const doc = copy();
    doc.paths = { "/v2.1/{sid}/x+y": doc.paths[operation().path]! };
    const dotted = buildOperationContract(doc);
    expect([
      dotted.matchPath("/v2.1/HX1/x+y"),
      dotted.matchPath("/v2a1/HX1/x+y"),
      dotted.matchPath("/v2.1/HX1/xxy"),
      dotted.matchPath("/v2.1/a/b/x+y"),
      dotted.matchPath("/v2.1/HX1/x+y/"),
    ]).toEqual([{ sid: "HX1" }, undefined, undefined, undefined, undefined]);
    expect(operation().matchPath(`/v2/HX1/whatsapp/+91/messages`)).toEqual({ sid: "HX1", phone_number: "+91" });
    expect(operation().matchPath(`/x/v2/HX1/whatsapp/+91/messages`)).toBeUndefined();
  });

  it("names an example an answer is only by status, code and the keys of error; a missing example is an error", async () => {
    const { exampleMatching, recipientOf } = await import("../src/contract/operation.ts");
    const low = example("low-balance");
    expect(exampleMatching(400, low.value)?.name).toBe("low-balance");
    expect(exampleMatching(401, low.value)).toBeUndefined();
    expect(exampleMatching(400, { ...(low.value as object), error: { other: "x" } })).toBeUndefined();
    for (const body of [null, "text", { code: "E110" }, { code: "E110", error: "x" }, { code: "E110", error: null }])
      expect(exampleMatching(400, body), JSON.stringify(body)).toBeUndefined();
    expect(() => example("nope")).toThrow(new Error("the contract has no response example named nope"));
    expect([
      recipientOf({ messaging_object: { to: "+1" } }),
      recipientOf({ messaging_object: { to: 1 } }),
      recipientOf({}),
      recipientOf(null),
      recipientOf(undefined),
    ]).toEqual(["+1", undefined, undefined, undefined, undefined]);
  });
});

describe("the webhook read from any document", () => {
  it("gives each status its own example, a copy each time; a status without one is an error naming it", async () => {
    const { buildWebhookContract, webhook } = await import("../src/contract/webhook.ts");
    const contract = buildWebhookContract(loadDocument());
    expect(contract.statuses).toEqual(["SENT", "DELIVERED", "READ", "FAILED", "NOT-SENT"]);
    expect(contract.schemaPointer).toBe("#/webhooks/statusCallback/post/requestBody/content/application~1json/schema");
    for (const status of contract.statuses) expect(contract.exampleOf(status).status).toBe(status);
    const copy = contract.exampleOf("SENT");
    copy.message_id = "changed";
    expect(contract.exampleOf("SENT").message_id).not.toBe("changed");
    expect(webhook()).toBe(webhook());
    const doc = structuredClone(loadDocument()) as ReturnType<typeof loadDocument>;
    const examples = (doc.webhooks as any).statusCallback.post.requestBody.content["application/json"].examples as Record<
      string,
      { value: { status: string } }
    >;
    for (const [name, example] of Object.entries(examples)) if (example.value.status === "READ") delete examples[name];
    expect(() => buildWebhookContract(doc)).toThrow(new Error("the contract's status callback has no example of READ"));
  });
});

/** Every schema a document holds where OpenAPI puts one: components, parameters and media types. */
function schemasIn(document: unknown): { at: string; schema: object }[] {
  const found: { at: string; schema: object }[] = [];
  const visit = (value: unknown, at: string): void => {
    if (value === null || typeof value !== "object") return;
    for (const [key, child] of Object.entries(value)) {
      const here = `${at}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
      const isSchema = key === "schema" || at === "#/components/schemas";
      if (isSchema && child !== null && typeof child === "object") found.push({ at: here, schema: child });
      else visit(child, here);
    }
  };
  visit(document, "#");
  return found;
}
