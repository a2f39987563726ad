// Ajv's errors as one readable issue per failing field. A `oneOf` (a video by id or by link)
// makes Ajv report every branch's errors; the issues keep the branch that came closest or, when
// none is closer, name the alternatives by their titles in the contract.
import type { ErrorObject } from "ajv";
import { plainText } from "./plain-text.ts";

export interface ValidationIssue {
  /** Dotted path of the field, e.g. `messaging_object.video.caption`; `(body)` for the whole value. */
  field: string;
  /** The JSON Schema keyword that failed: maxLength, pattern, required, enum, oneOf… */
  rule: string;
  message: string;
}

/** One alternative of a oneOf: its title and the issues of the value against it alone. */
export interface Alternative {
  title: string;
  issues: ValidationIssue[];
}

function segmentsOf(instancePath: string): string[] {
  return instancePath
    .split("/")
    .filter(Boolean)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function fieldOf(error: ErrorObject, prefix: readonly string[]): string {
  const segments = [...prefix, ...segmentsOf(error.instancePath)];
  if (error.keyword === "required") segments.push((error.params as { missingProperty: string }).missingProperty);
  if (error.keyword === "additionalProperties") segments.push((error.params as { additionalProperty: string }).additionalProperty);
  return segments.join(".") || "(body)";
}

function messageOf(error: ErrorObject): string {
  switch (error.keyword) {
    case "required":
      return "is required";
    case "additionalProperties":
      return "is not allowed here";
    case "enum":
      return `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
    case "const":
      return `must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`;
    case "pattern":
    case "format": {
      // The schema's description says in words what the pattern says in symbols (a URI's
      // pattern is two thousand symbols: quoting it helps nobody).
      const markdown = (error.parentSchema as { description?: string } | undefined)?.description;
      if (!markdown) return error.message ?? error.keyword;
      const description = plainText(markdown);
      return error.keyword === "pattern" ? `does not have the required form — ${description}` : `${error.message} — ${description}`;
    }
    default:
      return error.message ?? error.keyword;
  }
}

const isWithin = (inner: string, outer: string) => inner === outer || inner.startsWith(`${outer}/`);

/**
 * `alternatives` re-checks the value of a failed oneOf against each branch on its own; it returns
 * undefined when it cannot, and the raw errors are kept.
 */
export function issuesFrom(
  errors: readonly ErrorObject[],
  alternatives: (oneOf: ErrorObject) => Alternative[] | undefined,
  prefix: readonly string[] = [],
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const explained: string[] = [];
  for (const oneOf of errors.filter((error) => error.keyword === "oneOf")) {
    const branches = alternatives(oneOf);
    if (!branches) continue;
    explained.push(oneOf.instancePath);
    const field = fieldOf(oneOf, prefix);
    const passing = branches.filter((branch) => branch.issues.length === 0);
    if (passing.length > 1) {
      issues.push({ field, rule: "oneOf", message: `matches more than one of ${passing.map((b) => b.title).join(", ")}; give exactly one` });
      continue;
    }
    // A branch whose own required property is missing is not the one the caller meant
    // ({ link } is not a bad "video by id"), whatever its count of issues.
    const missesOwnRequired = (branch: Alternative) =>
      branch.issues.some((issue) => issue.rule === "required" && issue.field.startsWith(`${field}.`) && !issue.field.slice(field.length + 1).includes("."));
    const distance = (branch: Alternative) => (missesOwnRequired(branch) ? 1_000 : 0) + branch.issues.length;
    const ranked = [...branches].sort((a, b) => distance(a) - distance(b));
    const [best, next] = ranked;
    if (best && (!next || distance(best) < distance(next))) {
      issues.push(...best.issues);
    } else {
      const reasons = ranked.map((b) => `${b.title}: ${b.issues.map((i) => `${i.field} ${i.message}`).join(", ")}`);
      issues.push({ field, rule: "oneOf", message: `must be exactly one of ${ranked.map((b) => b.title).join(" or ")} (${reasons.join("; ")})` });
    }
  }
  for (const error of errors) {
    if (explained.some((path) => isWithin(error.instancePath, path))) continue;
    issues.push({ field: fieldOf(error, prefix), rule: error.keyword, message: messageOf(error) });
  }
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.field}|${issue.rule}|${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export { segmentsOf };
