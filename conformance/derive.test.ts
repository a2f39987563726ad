// The deriver alone, on small schemas written for each keyword it knows: the contract's own
// schema exercises only the combinations the vendor uses, and a deriver that breaks on the next
// contract breaks silently (fewer negatives, no failure). No server: each test is milliseconds.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { OpenApiDocument } from "../src/contract/document.ts";
import { arbitraryFor, derive, uriEdges } from "./derive.ts";
import { resolver, type Json, type Schema } from "../src/judge/schema.ts";

const bare = (schema: Schema) => schema;
const sample = (schema: Schema, numRuns = 300) => fc.sample(arbitraryFor(schema, bare), { numRuns, seed: 7 });
const titles = (values: { title: string }[]) => values.map((value) => value.title);
const graphemes = (value: Json) => [...new Intl.Segmenter().segment(String(value))].length;

describe("resolver", () => {
  // {$ref: a0} → a0 → … → a(n-1) → a string schema: n + 1 references in a chain.
  const chain = (n: number) => {
    const schemas: Record<string, Schema> = { end: { type: "string", title: "end" } };
    for (let i = 0; i < n; i++) schemas[`a${i}`] = { $ref: i === n - 1 ? "#/components/schemas/end" : `#/components/schemas/a${i + 1}` };
    return resolver({ components: { schemas } } as unknown as OpenApiDocument);
  };

  it("follows a chain of 33 references and refuses 34 as a cycle, naming where it started", () => {
    expect(chain(31)({ $ref: "#/components/schemas/a0" })).toEqual({ type: "string", title: "end" });
    expect(chain(32)({ $ref: "#/components/schemas/a0" })).toEqual({ type: "string", title: "end" });
    expect(() => chain(33)({ $ref: "#/components/schemas/a0" })).toThrow(/^reference cycle at #\/components\/schemas\/a0$/);
  });

  it("refuses a reference to itself instead of looping", () => {
    const resolve = resolver({ components: { schemas: { self: { $ref: "#/components/schemas/self" } } } } as unknown as OpenApiDocument);
    expect(() => resolve({ $ref: "#/components/schemas/self" })).toThrow("reference cycle at #/components/schemas/self");
  });

  it("unescapes ~1 and ~0 in a pointer, and lets keywords beside the reference refine it", () => {
    const resolve = resolver({ paths: { "/a~b/c": { schema: { type: "string", maxLength: 9 } } } } as unknown as OpenApiDocument);
    expect(resolve({ $ref: "#/paths/~1a~0b~1c/schema", maxLength: 3 })).toEqual({ type: "string", maxLength: 3 });
  });
});

describe("arbitraryFor: valid values of each kind of schema", () => {
  it("a const is that value only, even beside a type", () => {
    expect(new Set(sample({ type: "string", const: "video" }, 50))).toEqual(new Set(["video"]));
  });

  it("booleans, integers and numbers are of their type; a type list takes its first known member", () => {
    expect(new Set(sample({ type: "boolean" }, 100))).toEqual(new Set([true, false]));
    expect(sample({ type: "integer" }).every((v) => Number.isInteger(v))).toBe(true);
    const numbers = sample({ type: "number" });
    expect(numbers.every((v) => typeof v === "number" && Number.isFinite(v))).toBe(true);
    expect(numbers.some((v) => !Number.isInteger(v))).toBe(true);
    expect(sample({ type: ["integer", "null"] }).every((v) => Number.isInteger(v))).toBe(true);
    expect(sample({ type: ["null", "string"], maxLength: 4 }).every((v) => typeof v === "string" && graphemes(v) <= 4)).toBe(true);
  });

  it("a schema of no known type is null", () => {
    expect(new Set(sample({}, 20))).toEqual(new Set([null]));
    expect(new Set(sample({ type: "array" }, 20))).toEqual(new Set([null]));
  });

  it("an object without `type` but with properties is an object; required keys are always there", () => {
    const values = sample({ properties: { a: { const: 1 }, b: { const: 2 } }, required: ["a"] }) as Record<string, Json>[];
    expect(values.every((v) => typeof v === "object" && v !== null && v.a === 1)).toBe(true);
    expect(values.some((v) => !("b" in v))).toBe(true);
    expect(values.some((v) => v.b === 2)).toBe(true);
  });

  it("strings with a pattern match it and keep within minLength and maxLength", () => {
    const values = sample({ type: "string", pattern: "^[0-9]+$", minLength: 3, maxLength: 5 }) as string[];
    expect(values.every((v) => /^[0-9]{3,5}$/.test(v))).toBe(true);
    const unbounded = sample({ type: "string", pattern: "^[a-c]+$", minLength: 2 }) as string[];
    expect(unbounded.every((v) => /^[a-c]{2,}$/.test(v))).toBe(true);
  });

  it("plain strings keep within minLength and maxLength, reach the limit, and stay under 40 without one", () => {
    const values = sample({ type: "string", minLength: 2, maxLength: 6 }, 500) as string[];
    expect(values.every((v) => graphemes(v) >= 2 && graphemes(v) <= 6)).toBe(true);
    expect(values).toContain("xxxxxx");
    expect(values).toContain("xx");
    const free = sample({ type: "string" }, 500) as string[];
    expect(free.every((v) => typeof v === "string")).toBe(true);
    expect(Math.max(...free.map(graphemes))).toBeLessThanOrEqual(40);
    const long = sample({ type: "string", maxLength: 1000 }, 500) as string[];
    expect(long.some((v) => v.length > 40)).toBe(true);
    expect(long.filter((v) => !/^x*$/.test(v) && !/^(é|😀)*$/.test(v)).every((v) => graphemes(v) <= 40)).toBe(true);
  });

  it("two-unit characters come up to half the limit and never past it", () => {
    const values = sample({ type: "string", maxLength: 10 }, 2000) as string[];
    const emoji = values.filter((v) => v.length > 0 && /^(😀)+$/u.test(v)).map((v) => [...v].length);
    const accented = values.filter((v) => v.length > 0 && /^é+$/.test(v)).map((v) => v.length);
    expect(Math.max(...emoji)).toBe(5);
    expect(Math.max(...accented)).toBe(5);
    expect(Math.min(...emoji)).toBe(1);
  });

  it("enum values only, and every branch of a oneOf", () => {
    expect(new Set(sample({ type: "string", enum: ["a", "b"] }, 100))).toEqual(new Set(["a", "b"]));
    expect(new Set(sample({ oneOf: [{ const: 1 }, { const: "one" }] }, 100))).toEqual(new Set([1, "one"]));
  });

  it("a format uri is a web URL", () => {
    expect((sample({ type: "string", format: "uri" }, 100) as string[]).every((v) => /^https?:\/\//.test(v))).toBe(true);
  });
});

describe("uriEdges", () => {
  it("keeps the scheme, host and tail, dropping user info and port from the host", () => {
    const edges = Object.fromEntries(uriEdges("https://user:pw@example.com:8443/v?q=1"));
    expect(edges["port that is not a number"]).toBe("https://example.com:port/v?q=1");
    expect(edges["two ports"]).toBe("https://example.com:80:80/v?q=1");
    expect(edges["empty host"]).toBe("https:///v?q=1");
    expect(edges["backslash for a slash"]).toBe("https://example.com\\v?q=1");
  });

  it("takes a port off a bracketed IPv6 host only at its end", () => {
    expect(Object.fromEntries(uriEdges("https://[::1]:8080/p"))["port that is not a number"]).toBe("https://[::1]:port/p");
  });

  it("puts a backslash for the first slash only when the tail starts with one", () => {
    expect(Object.fromEntries(uriEdges("https://h?q=/x"))["backslash for a slash"]).toBe("https://h\\?q=/x");
    expect(Object.fromEntries(uriEdges("https://h"))["backslash for a slash"]).toBe("https://h\\");
  });

  it("bends nothing that is not an absolute URI from its first to its last character", () => {
    expect(uriEdges("not a uri")).toEqual([]);
    expect(uriEdges("1https://h/")).toEqual([]);
    expect(uriEdges("https://h/x\ny")).toEqual([]);
  });
});

describe("derive: one negative for each constraint, boundaries at each limit", () => {
  const object: Schema = {
    type: "object",
    required: ["name", "inner"],
    additionalProperties: false,
    properties: {
      name: { type: "string" },
      note: { type: "string" },
      inner: { type: "object", required: ["id"], properties: { id: { type: "string" } } },
    },
  };
  const instance = { name: "n", note: "m", inner: { id: "i" } };

  it("objects: wrong type ([] at the root, a string below), each required one missing, an unknown property, each optional one omitted", () => {
    const { negatives, boundaries } = derive(object, instance, bare);
    expect(negatives).toEqual([
      { title: "(body): wrong type", path: [], value: [] },
      { title: "name: required, missing", path: ["name"], value: { note: "m", inner: { id: "i" } } },
      { title: "inner: required, missing", path: ["inner"], value: { name: "n", note: "m" } },
      { title: "(body): unknown property", path: [], value: { ...instance, unexpected_property: "x" } },
      { title: "name: wrong type", path: ["name"], value: { ...instance, name: 12345 } },
      { title: "note: wrong type", path: ["note"], value: { ...instance, note: 12345 } },
      { title: "inner: wrong type", path: ["inner"], value: { ...instance, inner: "not-an-object" } },
      { title: "inner.id: required, missing", path: ["inner", "id"], value: { ...instance, inner: {} } },
      { title: "inner.id: wrong type", path: ["inner", "id"], value: { ...instance, inner: { id: 12345 } } },
    ]);
    expect(boundaries).toEqual([{ title: "note: optional, omitted", path: ["note"], value: { name: "n", inner: { id: "i" } } }]);
  });

  it("an object of no declared type but with properties is walked; one with neither is left alone", () => {
    expect(titles(derive({ properties: { a: { type: "string" } } }, { a: "x" }, bare).negatives)).toEqual(["(body): wrong type", "a: wrong type"]);
    expect(derive({}, { a: "x" }, bare)).toEqual({ negatives: [], boundaries: [] });
    expect(derive({ type: "string", properties: { a: { type: "string" } } }, { a: "x" }, bare)).toEqual({ negatives: [], boundaries: [] });
  });

  it("oneOf: neither alternative, both at once, a wrong type, then the constraints of the branch taken", () => {
    const schema: Schema = {
      oneOf: [
        { type: "object", required: ["link"], properties: { link: { type: "string", maxLength: 3 }, caption: { type: "string" } } },
        { type: "object", required: ["id", "kind"], properties: { id: { const: "media" }, kind: { const: "k" } } },
        { type: "object", properties: { any: { type: "string" } } },
      ],
    };
    const { negatives, boundaries } = derive(schema, { link: "abc", caption: "c", id: "x" }, bare);
    expect(negatives.slice(0, 3)).toEqual([
      { title: "(body): none of the oneOf alternatives", path: [], value: { caption: "c" } },
      { title: "(body): more than one oneOf alternative", path: [], value: { link: "abc", caption: "c", id: "x", kind: "k" } },
      { title: "(body): wrong type", path: [], value: "not-an-object" },
    ]);
    // Inside the branch taken (link's, and the third, which requires nothing), no second "wrong type" of the body.
    expect(titles(negatives.slice(3))).toEqual(["link: required, missing", "link: wrong type", "link: maxLength 3 + 1", "caption: wrong type"]);
    expect(titles(boundaries)).toEqual(["link: at maxLength 3", "caption: optional, omitted"]);
  });

  it("a oneOf of strings is broken by a number", () => {
    const { negatives } = derive(
      {
        oneOf: [
          { type: "string", const: "a" },
          { type: "string", const: "b" },
        ],
      },
      "a",
      bare,
    );
    expect(negatives[0]).toEqual({ title: "(body): wrong type", path: [], value: 12345 });
  });

  it("enum: every value a boundary; outside it, the first capitalised and suffixed, unless that is in the enum", () => {
    const { negatives, boundaries } = derive({ type: "string", enum: ["video", "Video"] }, "video", bare);
    expect(boundaries.map((b) => b.value)).toEqual(["video", "Video"]);
    expect(negatives.map((n) => n.value)).toEqual([12345, "video-other"]);
    expect(derive({ type: "string", enum: ["video"] }, "video", bare).negatives.map((n) => n.title)).toEqual([
      "(body): wrong type",
      '(body): outside enum ("Video")',
      '(body): outside enum ("video-other")',
    ]);
  });

  it("const: the constant with a suffix", () => {
    expect(derive({ type: "string", const: "v" }, "v", bare).negatives).toEqual([
      { title: "(body): wrong type", path: [], value: 12345 },
      { title: "(body): not the constant", path: [], value: "v-other" },
    ]);
  });

  it("maxLength: at the limit and one past it, x's without a pattern, the value's last character with one", () => {
    expect(derive({ type: "string", maxLength: 4 }, "ab", bare)).toEqual({
      negatives: [
        { title: "(body): wrong type", path: [], value: 12345 },
        { title: "(body): maxLength 4 + 1", path: [], value: "xxxxx" },
      ],
      boundaries: [{ title: "(body): at maxLength 4", path: [], value: "xxxx" }],
    });
    const patterned = derive({ type: "string", maxLength: 3, pattern: "^[a-c]*$" }, "abc", bare);
    expect(patterned.boundaries[0]).toEqual({ title: "(body): at maxLength 3", path: [], value: "abc" });
    expect(patterned.negatives[1]).toEqual({ title: "(body): maxLength 3 + 1", path: [], value: "abcc" });
    const empty = derive({ type: "string", maxLength: 2, pattern: "^x*$" }, "", bare);
    expect(empty.boundaries[0]!.value).toBe("xx");
    expect(empty.negatives[1]!.value).toBe("xxx");
  });

  it("maxLength: the boundary is at the limit even when the instance given is past it", () => {
    const { negatives, boundaries } = derive({ type: "string", maxLength: 2, pattern: "^[a-z]*$" }, "abcd", bare);
    expect(boundaries[0]!.value).toBe("ab");
    expect(negatives[1]!.value).toMatch(/^ab[a-z]$/);
  });

  it("minLength: one below it when it is above zero, nothing for zero", () => {
    expect(derive({ type: "string", minLength: 3 }, "abcd", bare).negatives[1]).toEqual({ title: "(body): below minLength 3", path: [], value: "ab" });
    expect(titles(derive({ type: "string", minLength: 0 }, "abcd", bare).negatives)).toEqual(["(body): wrong type"]);
    expect(titles(derive({ type: "string", minLength: 1 }, "abcd", bare).negatives)).toEqual(["(body): wrong type", "(body): below minLength 1"]);
  });

  it("pattern: a value shaped like the valid one that breaks it, and the limits the pattern hides", () => {
    const breaks = (pattern: string, valid: string) =>
      derive({ type: "string", pattern }, valid, bare).negatives.find((n) => n.title === "(body): breaks pattern")!.value;
    expect(breaks("^[0-9]+$", "123")).toBe("123 ");
    expect(breaks("^a[0-9]*$", "a1")).toBe("1");
    expect(breaks("^[0-9a-zX]?[0-9a-z ]*$", "a1")).toBe("aX");
    expect(breaks("^[a-w ]*$", "ab")).toBe("x");
    expect(breaks("^[a-z ]+$", "ab")).toBe("");
    expect(breaks("^[\\s\\S]*$", "ab")).toBe("\u0000");

    const hidden = derive({ type: "string", pattern: "^\\+?[0-9]{7,15}$" }, "+1234567890", bare);
    expect(hidden.boundaries).toEqual([
      { title: "(body): longest the pattern allows (16)", path: [], value: "+123456789000000" },
      { title: "(body): shortest the pattern allows (8)", path: [], value: "+1234567" },
    ]);
    expect(titles(hidden.negatives)).toEqual([
      "(body): wrong type",
      "(body): breaks pattern",
      "(body): one past the pattern's longest (17)",
      "(body): one below the pattern's shortest (7)",
    ]);
    expect(hidden.negatives.slice(2).map((n) => n.value)).toEqual(["+1234567890000000", "+123456"]);
  });

  it("pattern: no longest when it allows 256 or more, none below an empty shortest, x's from an empty value", () => {
    const open = derive({ type: "string", pattern: "^x*$" }, "xx", bare);
    expect(open.boundaries).toEqual([{ title: "(body): shortest the pattern allows (0)", path: [], value: "" }]);
    expect(titles(open.negatives)).toEqual(["(body): wrong type", "(body): breaks pattern"]);
    expect(derive({ type: "string", pattern: "^x{0,255}$" }, "x", bare).boundaries[0]!.value).toBe("x".repeat(255));
    expect(derive({ type: "string", pattern: "^x{0,256}$" }, "x", bare).boundaries.map((b) => b.title)).toEqual(["(body): shortest the pattern allows (0)"]);
    expect(derive({ type: "string", pattern: "^x{0,3}$" }, "", bare).boundaries[0]!.value).toBe("xxx");
  });

  it("format uri: not a URI, then each edge of the valid one", () => {
    const { negatives } = derive({ type: "string", format: "uri" }, "https://h/p", bare);
    expect(negatives.slice(0, 2)).toEqual([
      { title: "(body): wrong type", path: [], value: 12345 },
      { title: "(body): not a URI", path: [], value: "not a uri" },
    ]);
    expect(negatives.slice(2).map((n) => n.value)).toEqual(uriEdges("https://h/p").map(([, value]) => value));
  });

  it("strings of a pattern reach maxLength itself", () => {
    const values = sample({ type: "string", pattern: "^[0-9]+$", maxLength: 3 }, 500) as string[];
    expect(Math.max(...values.map((v) => v.length))).toBe(3);
  });

  it("an object with properties and no type, below the body, is broken by a string; a patterned value grows by its last character", () => {
    const nested = derive({ properties: { inner: { properties: { a: { type: "string" } } } } }, { inner: { a: "x" } }, bare);
    expect(nested.negatives.find((n) => n.title === "inner: wrong type")!.value).toEqual({ inner: "not-an-object" });
    expect(derive({ type: "string", maxLength: 5, pattern: "^[a-c]*$" }, "abc", bare).boundaries[0]!.value).toBe("abccc");
  });
});
