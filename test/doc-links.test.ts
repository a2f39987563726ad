// The docs lead somewhere: every relative link in the README, the guides, ARCHITECTURE.md and
// CONTRIBUTING.md points to a file that exists, and every `#anchor` to a heading of its file, by
// GitHub's slug rules; the README stays short and links to every guide; the kit ships the guides
// its README links into.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";
import { kitFiles, kitFolders } from "../src/tools/pack.ts";

const guides = readdirSync("docs")
  .filter((name) => name.endsWith(".md"))
  .map((name) => `docs/${name}`);
const documents = ["README.md", ...guides, "ARCHITECTURE.md", "CONTRIBUTING.md"];

/** The text a reader sees as prose: fenced blocks and code spans removed (a `[a](b)` in code is not a link). */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, "").replace(/(`+)[\s\S]*?\1/g, "");
}

/**
 * GitHub's anchor for a heading (github-slugger): the heading's text as rendered (code-span
 * backticks, emphasis marks and link targets gone), lower-cased, every character but letters,
 * digits, `_`, `-` and spaces dropped, each space a `-`; a repeated slug gets `-1`, `-2`, ….
 */
function slugs(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  const withoutFences = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, "");
  for (const [, heading] of withoutFences.matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm)) {
    const text = heading!
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/`/g, "")
      .replace(/(\*\*|__|\*|~~)/g, "")
      .replace(/<[^>]+>/g, "");
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
      .replace(/ /g, "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    found.add(count === 0 ? base : `${base}-${count}`);
  }
  return found;
}

/** Each relative link's target in a document: `[text](target)` and `![alt](target)`, outside code. */
function relativeLinks(markdown: string): string[] {
  return [...prose(markdown).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)]
    .map(([, target]) => target!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** What is wrong with a document's links: a missing file, or an anchor no heading of its file has. */
function brokenLinks(file: string, markdown: string, read: (path: string) => string): string[] {
  return relativeLinks(markdown).flatMap((target) => {
    const [path = "", anchor] = target.split("#", 2) as [string, string | undefined];
    const resolved = path === "" ? file : normalize(join(dirname(file), decodeURIComponent(path)));
    if (!existsSync(resolved)) return [`${file}: ${target} (no such file)`];
    if (anchor === undefined) return [];
    if (!resolved.endsWith(".md") || statSync(resolved).isDirectory()) return [`${file}: ${target} (an anchor into a file that is not Markdown)`];
    return slugs(read(resolved)).has(decodeURIComponent(anchor)) ? [] : [`${file}: ${target} (no such heading)`];
  });
}

const read = (path: string) => readFileSync(path, "utf8");

describe("GitHub's heading anchors", () => {
  it("drop punctuation and code marks, keep letters, digits, _ and -, and number repeats", () => {
    const markdown = [
      "# Kaleyra WhatsApp video kit",
      "## Settings (environment)",
      "## Asking for a documented response: `Prefer`",
      "## Where the contract departs from the vendor's page, and why",
      "### The CLI: `kaleyra-video`",
      "## A request's path through the mock",
      "## `KALEYRA_MOCK_LOG` and **bold** [linked](x.md)",
      "## Speed",
      "## Speed",
      "```sh",
      "# not a heading",
      "```",
    ].join("\n");
    expect([...slugs(markdown)]).toEqual([
      "kaleyra-whatsapp-video-kit",
      "settings-environment",
      "asking-for-a-documented-response-prefer",
      "where-the-contract-departs-from-the-vendors-page-and-why",
      "the-cli-kaleyra-video",
      "a-requests-path-through-the-mock",
      "kaleyra_mock_log-and-bold-linked",
      "speed",
      "speed-1",
    ]);
  });

  it("links are read from prose only, and web addresses are not relative", () => {
    const markdown = 'See [a](docs/a.md#x), ![b](b.png "title"), [c](https://example.com), [d](#here).\n```ts\nconst [e](f) = 1;\n```\n`[g](h.md)`';
    expect(relativeLinks(markdown)).toEqual(["docs/a.md#x", "b.png", "#here"]);
  });
});

describe("the docs' links", () => {
  it("the README, the guides, ARCHITECTURE.md and CONTRIBUTING.md exist, with the guides the README lists", () => {
    expect(guides).toEqual([
      "docs/callbacks.md",
      "docs/cli.md",
      "docs/client.md",
      "docs/conformance.md",
      "docs/contract.md",
      "docs/integration-server.md",
      "docs/live-workflow.md",
      "docs/mock.md",
      "docs/security.md",
    ]);
    for (const file of documents) expect(existsSync(file), file).toBe(true);
  });

  it.each(documents)("%s: every relative link points to a file, and every anchor to a heading", (file) => {
    const markdown = read(file);
    expect(relativeLinks(markdown).length, file).toBeGreaterThan(0);
    expect(brokenLinks(file, markdown, read)).toEqual([]);
  });

  it("a missing file, a missing heading and an anchor into a file that is not Markdown are each found", () => {
    const markdown =
      "[a](docs/nope.md) [b](docs/mock.md#no-such-heading) [c](package.json#x) [d](docs/mock.md#settings-environment) [e](#the-parts) [f](#nowhere)";
    const files: Record<string, string> = { "README.md": "## The parts\n" };
    expect(brokenLinks("README.md", markdown, (path) => files[path] ?? read(path))).toEqual([
      "README.md: docs/nope.md (no such file)",
      "README.md: docs/mock.md#no-such-heading (no such heading)",
      "README.md: package.json#x (an anchor into a file that is not Markdown)",
      "README.md: #nowhere (no such heading)",
    ]);
  });
});

describe("the README leads", () => {
  const readme = read("README.md");

  it("is at most 300 lines", () => {
    expect(readme.split("\n").length - (readme.endsWith("\n") ? 1 : 0)).toBeLessThanOrEqual(300);
  });

  it("links to every guide, ARCHITECTURE.md and CONTRIBUTING.md", () => {
    const linked = new Set(relativeLinks(readme).map((target) => target.split("#")[0]));
    expect([...guides, "ARCHITECTURE.md", "CONTRIBUTING.md"].filter((file) => !linked.has(file))).toEqual([]);
  });

  it("the kit ships the README, the guides, and what they link to but the contributors' files", () => {
    // Read in node_modules, a shipped document's link leads to a shipped file, or to one of these,
    // which are the repository's alone.
    const repositoryOnly = ["ARCHITECTURE.md", "CONTRIBUTING.md", "redocly.yaml"];
    const shipped = [...kitFolders, ...kitFiles];
    expect(shipped).toEqual(expect.arrayContaining(["README.md", "docs"]));
    const targets = ["README.md", ...guides].flatMap((file) =>
      relativeLinks(read(file))
        .map((target) => target.split("#")[0]!)
        .filter((path) => path !== "")
        .map((path) => normalize(join(dirname(file), decodeURIComponent(path)))),
    );
    const covered = (path: string) => shipped.some((entry) => path === entry || path.startsWith(`${entry}/`));
    expect([...new Set(targets)].filter((path) => !covered(path) && !repositoryOnly.includes(path))).toEqual([]);
  });
});
