// Test data derived from the contract's request schema, never written by hand: arbitraries for
// valid values (property-based positives), boundary values that must be accepted, and, for every
// constraint, a value that breaks it and nothing else (negatives). Covers the JSON Schema the
// contract uses: $ref, object (properties, required, additionalProperties), string (minLength,
// maxLength, pattern, format, enum, const), oneOf.
import fc from "fast-check";
import type { Json, Schema } from "../src/judge/schema.ts";

/** One value derived from a constraint; `path` names the field for reports. */
export interface DerivedValue {
  title: string;
  path: string[];
  value: Json;
}

const isType = (schema: Schema, type: string) =>
  schema.type === type ||
  (Array.isArray(schema.type) && schema.type.includes(type)) ||
  (schema.type === undefined && type === "object" && schema.properties !== undefined);

/** Valid values of a schema. `biasToLimits` mixes in strings at their maximum length. */
export function arbitraryFor(schema: Schema, resolve: (s: Schema) => Schema): fc.Arbitrary<Json> {
  const s = resolve(schema);
  if (s.oneOf) return fc.oneof({ withCrossShrink: true }, ...s.oneOf.map((branch) => arbitraryFor(branch, resolve)));
  if (s.const !== undefined) return fc.constant(s.const as Json);
  if (s.enum) return fc.constantFrom(...(s.enum as Json[]));
  if (isType(s, "object")) {
    const properties = s.properties ?? {};
    const record: Record<string, fc.Arbitrary<Json>> = {};
    for (const [name, property] of Object.entries(properties)) record[name] = arbitraryFor(property, resolve);
    return fc.record(record, { requiredKeys: s.required ?? [] }) as fc.Arbitrary<Json>;
  }
  if (isType(s, "string")) {
    const min = s.minLength ?? 0;
    const max = s.maxLength;
    // Plain web URLs: URI validators disagree at the edges (queries, fragments), the contract does not.
    if (s.format === "uri") return fc.webUrl();
    if (s.pattern) {
      const pattern = new RegExp(s.pattern);
      return fc.stringMatching(pattern).filter((v) => v.length >= min && (max === undefined || v.length <= max));
    }
    const plain = fc.string({ minLength: min, maxLength: Math.min(max ?? 40, 40), unit: "grapheme" });
    if (max === undefined) return plain;
    // Strings up to the limit, where off-by-some limits show: fast-check biases integers to
    // their bounds, so the limit itself comes up often. A failure shrinks to the shortest that
    // fails. Characters of two UTF-16 units stay within half the limit, where counting code
    // points (JSON Schema) and counting UTF-16 units (many servers) agree: the vendor says
    // "characters" and no more.
    const upToLimit = fc.oneof(
      fc.integer({ min, max }).map((length) => "x".repeat(length)),
      fc.tuple(fc.integer({ min, max: Math.max(min, Math.floor(max / 2)) }), fc.constantFrom("é", "😀")).map(([length, character]) => character.repeat(length)),
    );
    return fc.oneof(plain, upToLimit);
  }
  if (isType(s, "boolean")) return fc.boolean();
  if (isType(s, "integer")) return fc.integer();
  if (isType(s, "number")) return fc.double({ noNaN: true, noDefaultInfinity: true });
  return fc.constant(null);
}

function setAt(root: Json, path: readonly string[], value: Json | undefined): Json {
  const copy = structuredClone(root);
  if (path.length === 0) return value ?? null;
  let node = copy as Record<string, Json>;
  for (const segment of path.slice(0, -1)) node = node[segment] as Record<string, Json>;
  const last = path.at(-1)!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

function getAt(root: Json, path: readonly string[]): Json | undefined {
  let node: Json | undefined = root;
  for (const segment of path) {
    if (typeof node !== "object" || node === null || Array.isArray(node)) return undefined;
    node = node[segment];
  }
  return node;
}

const label = (path: readonly string[]) => path.join(".") || "(body)";

/** A string that breaks `pattern`, shaped like the valid one so that only the pattern fails. */
function breakPattern(pattern: RegExp, valid: string): string {
  const candidates = [valid.slice(1), `${valid} `, valid.replace(/[0-9]/, "X"), "x", "", "\u0000"];
  return candidates.find((candidate) => !pattern.test(candidate)) ?? "\u0000";
}

/** Grows a valid string by its last character, and shrinks it from the end, while the pattern holds. */
function patternLimits(pattern: RegExp, valid: string, cap = 256): { longest: string | undefined; shortest: string } {
  let longest = valid;
  const last = valid.at(-1) ?? "x";
  while (longest.length < cap && pattern.test(longest + last)) longest += last;
  let shortest = valid;
  while (shortest.length > 0 && pattern.test(shortest.slice(0, -1))) shortest = shortest.slice(0, -1);
  return { longest: longest.length < cap ? longest : undefined, shortest };
}

/** A valid URI bent at each place where lax checks accept what RFC 3986 does not. */
export function uriEdges(valid: string): [string, string][] {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/.exec(valid);
  if (!match) return [];
  const [, scheme, authority, rest] = match as unknown as [string, string, string, string];
  const host = authority.replace(/^.*@/, "").replace(/:[0-9]*$/, "");
  const tail = rest || "/";
  return [
    ["port that is not a number", `${scheme}${host}:port${tail}`],
    ["two ports", `${scheme}${host}:80:80${tail}`],
    ["user info with a second @", `${scheme}user@evil@${host}${tail}`],
    ["empty host", `${scheme}${tail}`],
    ["malformed percent-escape", `${scheme}${host}/%zz${tail}`],
    ["space in the path", `${scheme}${host}/a b${tail}`],
    ["unclosed IPv6 bracket", `${scheme}[::1${tail}`],
    ["backslash for a slash", `${scheme}${host}\\${tail.replace(/^\//, "")}`],
    ["two fragments", `${scheme}${host}${tail}#a#b`],
    ["character outside URIs (<)", `${scheme}${host}/<${tail}`],
    ["non-ASCII character", `${scheme}${host}/é${tail}`],
  ];
}

function wrongType(schema: Schema): Json {
  return isType(schema, "string") ? 12345 : "not-an-object";
}

/**
 * Walks `schema` along a valid `instance` and derives, for every constraint met on the way,
 * values of the whole instance that break that constraint alone (`negatives`) and values at its
 * limits that must still be valid (`boundaries`).
 */
export function derive(schema: Schema, instance: Json, resolve: (s: Schema) => Schema) {
  const negatives: DerivedValue[] = [];
  const boundaries: DerivedValue[] = [];

  const walk = (node: Schema, path: string[], branchOf?: Schema[]) => {
    const s = resolve(node);
    const here = getAt(instance, path);
    const whole = (value: Json | undefined) => setAt(instance, path, value);

    if (s.oneOf) {
      // Neither alternative: keep only what no branch requires.
      const requiredAnywhere = new Set(s.oneOf.flatMap((branch) => resolve(branch).required ?? []));
      if (typeof here === "object" && here !== null && !Array.isArray(here)) {
        const stripped = Object.fromEntries(Object.entries(here).filter(([key]) => !requiredAnywhere.has(key)));
        negatives.push({ title: `${label(path)}: none of the oneOf alternatives`, path, value: whole(stripped) });
        // More than one alternative: the required properties of every branch at once.
        const merged: Record<string, Json> = { ...here };
        for (const branch of s.oneOf.map(resolve)) {
          for (const key of branch.required ?? []) {
            if (!(key in merged)) merged[key] = fc.sample(arbitraryFor(branch.properties?.[key] ?? {}, resolve), { numRuns: 1, seed: 1 })[0]!;
          }
        }
        negatives.push({ title: `${label(path)}: more than one oneOf alternative`, path, value: whole(merged) });
      }
      negatives.push({ title: `${label(path)}: wrong type`, path, value: whole(wrongType(resolve(s.oneOf[0]!))) });
      // Constraints inside the branch the instance takes.
      for (const branch of s.oneOf) {
        const b = resolve(branch);
        if ((b.required ?? []).every((key) => typeof here === "object" && here !== null && key in here)) walk(branch, path, s.oneOf);
      }
      return;
    }

    if (isType(s, "object") && typeof here === "object" && here !== null && !Array.isArray(here)) {
      if (!branchOf) negatives.push({ title: `${label(path)}: wrong type`, path, value: whole(path.length === 0 ? [] : wrongType(s)) });
      for (const key of s.required ?? []) {
        negatives.push({ title: `${label([...path, key])}: required, missing`, path: [...path, key], value: setAt(instance, [...path, key], undefined) });
      }
      if (s.additionalProperties === false) {
        negatives.push({ title: `${label(path)}: unknown property`, path, value: whole({ ...here, unexpected_property: "x" }) });
      }
      for (const [key, property] of Object.entries(s.properties ?? {})) {
        if (key in here) {
          walk(property, [...path, key]);
          if (!(s.required ?? []).includes(key))
            boundaries.push({ title: `${label([...path, key])}: optional, omitted`, path: [...path, key], value: setAt(instance, [...path, key], undefined) });
        }
      }
      return;
    }

    if (isType(s, "string") && typeof here === "string") {
      negatives.push({ title: `${label(path)}: wrong type`, path, value: whole(12345) });
      if (s.enum) {
        for (const allowed of s.enum) boundaries.push({ title: `${label(path)}: enum value ${JSON.stringify(allowed)}`, path, value: whole(allowed as Json) });
        const first = String(s.enum[0]);
        for (const outside of [first.replace(/^./, (c) => c.toUpperCase()), `${first}-other`]) {
          if (!s.enum.includes(outside)) negatives.push({ title: `${label(path)}: outside enum (${JSON.stringify(outside)})`, path, value: whole(outside) });
        }
      }
      if (s.const !== undefined) negatives.push({ title: `${label(path)}: not the constant`, path, value: whole(`${String(s.const)}-other`) });
      if (s.maxLength !== undefined) {
        const fill = s.pattern ? here.padEnd(s.maxLength, here.at(-1) ?? "x") : "x".repeat(s.maxLength);
        boundaries.push({ title: `${label(path)}: at maxLength ${s.maxLength}`, path, value: whole(fill.slice(0, s.maxLength)) });
        negatives.push({ title: `${label(path)}: maxLength ${s.maxLength} + 1`, path, value: whole(fill.slice(0, s.maxLength) + fill.at(-1)) });
      }
      if (s.minLength !== undefined && s.minLength > 0) {
        negatives.push({ title: `${label(path)}: below minLength ${s.minLength}`, path, value: whole(here.slice(0, s.minLength - 1)) });
      }
      if (s.pattern) {
        const pattern = new RegExp(s.pattern);
        negatives.push({ title: `${label(path)}: breaks pattern`, path, value: whole(breakPattern(pattern, here)) });
        // A pattern can hide a length limit (E.164: 7 to 15 digits): find it from both sides.
        const { longest, shortest } = patternLimits(pattern, here);
        if (longest !== undefined) {
          boundaries.push({ title: `${label(path)}: longest the pattern allows (${longest.length})`, path, value: whole(longest) });
          negatives.push({ title: `${label(path)}: one past the pattern's longest (${longest.length + 1})`, path, value: whole(longest + longest.at(-1)) });
        }
        boundaries.push({ title: `${label(path)}: shortest the pattern allows (${shortest.length})`, path, value: whole(shortest) });
        if (shortest.length > 0)
          negatives.push({ title: `${label(path)}: one below the pattern's shortest (${shortest.length - 1})`, path, value: whole(shortest.slice(0, -1)) });
      }
      if (s.format === "uri") {
        negatives.push({ title: `${label(path)}: not a URI`, path, value: whole("not a uri") });
        // Where lax URI checks and RFC 3986 part ways; the plan keeps those the contract refuses.
        for (const [what, value] of uriEdges(here)) negatives.push({ title: `${label(path)}: ${what}`, path, value: whole(value) });
      }
    }
  };

  walk(schema, []);
  return { negatives, boundaries };
}
