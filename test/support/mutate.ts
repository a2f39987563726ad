// One random change to a request body (set a field to any JSON, delete one, add one) that may or
// may not break the contract: the tests ask an oracle which.
import fc from "fast-check";
import type { Json } from "../../src/judge/schema.ts";

const change = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), value: fc.jsonValue({ maxDepth: 2 }).map((v) => v as Json) }),
  fc.record({ kind: fc.constant("delete" as const) }),
  fc.record({ kind: fc.constant("add" as const), key: fc.string({ minLength: 1, maxLength: 8 }), value: fc.jsonValue({ maxDepth: 1 }).map((v) => v as Json) }),
);

type Change = typeof change extends fc.Arbitrary<infer T> ? T : never;

function apply(body: Json, edit: Change, pick: number): Json {
  const copy = structuredClone(body);
  const objects: Record<string, Json>[] = [];
  const collect = (node: Json) => {
    if (node && typeof node === "object" && !Array.isArray(node)) {
      objects.push(node);
      Object.values(node).forEach(collect);
    }
  };
  collect(copy);
  const target = objects[pick % objects.length];
  if (!target) return copy;
  const keys = Object.keys(target);
  if (edit.kind === "add") target[edit.key] = edit.value;
  else if (keys.length) {
    const key = keys[pick % keys.length]!;
    if (edit.kind === "delete") delete target[key];
    else target[key] = edit.value;
  }
  return copy;
}

/** Bodies from `valid`, each with one random change. */
export function mutated(valid: fc.Arbitrary<Json>): fc.Arbitrary<Json> {
  return fc.tuple(valid, change, fc.nat()).map(([body, edit, pick]) => apply(body, edit, pick));
}
