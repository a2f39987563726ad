// After `redocly build-docs`: each rendered page opens on its first operation rather than on the
// overview, where Redoc shows nothing of the operation until a reader finds it in the sidebar.
// Redoc routes by the URL's fragment (#/<tag>/<operationId>, lower-cased): a page opened without
// one is given its operation's; a link to anything else is left alone.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadAdminDocument, loadDocument, type OpenApiDocument } from "../contract/document.ts";
import { operationId } from "../contract/operation.ts";

const pages = [
  { file: "build/docs/index.html", document: loadDocument, operationId },
  { file: "build/docs/admin.html", document: loadAdminDocument, operationId: undefined },
];

/** The fragment Redoc gives an operation: its first tag and its operationId, lower-cased. */
export function operationRoute(doc: OpenApiDocument, wanted: string | undefined): string {
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item) as { operationId?: string; tags?: string[] }[]) {
      if (typeof op !== "object" || op === null || !op.operationId || (wanted !== undefined && op.operationId !== wanted)) continue;
      const tag = op.tags?.[0];
      return `#/${tag ? `${tag.toLowerCase()}/` : ""}${op.operationId.toLowerCase()}`;
    }
  }
  throw new Error(`no operation ${wanted ?? ""} in the document`);
}

export function openOn(html: string, route: string): string {
  const script = `<script>if(!location.hash||location.hash==="#/")history.replaceState(null,"",${JSON.stringify(route)});</script>`;
  if (html.includes(script)) return html;
  if (!html.includes("<head>")) throw new Error("no <head> in the rendered page");
  return html.replace("<head>", `<head>${script}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const page of pages) writeFileSync(page.file, openOn(readFileSync(page.file, "utf8"), operationRoute(page.document(), page.operationId)));
}
