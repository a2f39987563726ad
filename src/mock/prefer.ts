// Prism's `Prefer: code=…, example=…` header (RFC 7240), checked against the contract so that a
// typo gets a clear answer instead of an engine error. Other preferences are ignored, as the RFC
// asks; `dynamic` among them, since invented bodies are not what the vendor sends.
import type { OperationContract } from "../contract/operation.ts";
import { refusals } from "./refusals.ts";
import { refused, type Stage } from "./stage.ts";

export interface Preference {
  code?: number;
  example?: string;
}

export type PreferenceResult = { ok: true; preference: Preference } | { ok: false; problem: string };

function unquote(value: string): string {
  const trimmed = value.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
}

function parse(header: string): Map<string, string> {
  const preferences = new Map<string, string>();
  // `;` starts parameters in the RFC; Prism users also write it between preferences.
  for (const part of header.split(/[,;]/)) {
    const equals = part.indexOf("=");
    const name = (equals < 0 ? part : part.slice(0, equals)).trim().toLowerCase();
    if (name && !preferences.has(name)) preferences.set(name, equals < 0 ? "" : unquote(part.slice(equals + 1)));
  }
  return preferences;
}

export function readPreference(header: string | undefined, operation: OperationContract): PreferenceResult {
  if (header === undefined) return { ok: true, preference: {} };
  const preferences = parse(header);
  const codeText = preferences.get("code");
  const exampleName = preferences.get("example");
  const preference: Preference = {};

  if (codeText !== undefined) {
    const code = Number(codeText);
    if (!/^\d{3}$/.test(codeText) || !operation.statuses.includes(code)) {
      return { ok: false, problem: `Prefer code=${codeText} is not a documented status; use one of ${operation.statuses.join(", ")}` };
    }
    preference.code = code;
  }
  if (exampleName !== undefined) {
    const example = operation.examples.find((candidate) => candidate.name === exampleName);
    const names = operation.examples
      .filter((candidate) => preference.code === undefined || candidate.status === preference.code)
      .map((candidate) => candidate.name);
    if (!example || (preference.code !== undefined && example.status !== preference.code)) {
      return {
        ok: false,
        problem: `Prefer example=${exampleName} is not a named example${preference.code === undefined ? "" : ` of status ${preference.code}`}; use one of ${names.join(", ")}`,
      };
    }
    preference.example = example.name;
    preference.code = example.status;
  }
  return { ok: true, preference };
}

/** No `Prefer` header: one result for every such request. */
const nothingPreferred: Stage<Preference> = Object.freeze({ ok: true, value: Object.freeze({}) });

/** Stage: the `Prefer` header, on the operation; a code or example the contract does not document is refused. */
export function checkPrefer(header: string | undefined, operation: OperationContract): Stage<Preference> {
  if (header === undefined) return nothingPreferred;
  const read = readPreference(header, operation);
  return read.ok ? { ok: true, value: read.preference } : refused(refusals.prefer(read.problem));
}
