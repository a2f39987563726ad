// `npm run pack`: the two packages users install, assembled from one build into build/packages/
// and packed there as tarballs. Each package is described by its own manifest, committed in
// packages/ (packages/README.md): packages/kit/package.json is the kit (kaleyra-whatsapp-video-kit),
// packages/tools/package.json the tools (kaleyra-whatsapp-video-tools: the mock, the proxy and
// conformance, with Prism and fast-check; it depends on the kit and imports it by package name:
// one copy of the code). Their `files` say what each ships of the build; a path the package's own
// folder holds (the tools' bin.js and README.md) is taken from there. The version is the root
// package.json's alone: pack writes it into both, and into the tools' dependency on the kit.
// Neither carries scripts: nothing runs when they are installed.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const out = join(root, "build", "packages");
const packagesFolder = join(root, "packages");

/** A package.json, as far as pack reads it. */
export interface Manifest {
  name: string;
  version?: string;
  description: string;
  type: string;
  license: string;
  engines: Record<string, string>;
  dependencies: Record<string, string>;
  bin: Record<string, string>;
  main: string;
  types: string;
  exports: Record<string, unknown>;
  files: string[];
  [field: string]: unknown;
}

/** The root package.json (the clone's, and the one version), and the two packages' manifests. */
export interface Manifests {
  root: Manifest;
  kit: Manifest;
  tools: Manifest;
}

const readManifest = (path: string) => JSON.parse(readFileSync(join(root, path), "utf8")) as Manifest;
export const manifests: Manifests = {
  root: readManifest("package.json"),
  kit: readManifest("packages/kit/package.json"),
  tools: readManifest("packages/tools/package.json"),
};

export const toolsName = manifests.tools.name;

/** What the tools' manifest writes for its dependency on the kit: pack puts the version there. */
export const kitVersionPlaceholder = "workspace:*";

/** What the kit ships of the build: its built folders (an entry of its `files` in dist/ without an extension). */
export const kitFolders = manifests.kit.files.filter((path) => path.startsWith("dist/") && !/\.\w+$/.test(path));
/** The tools' built folders. Their commands (`src/cli/tools/`) sit in the CLI's folder, and ship with the tools, not the kit. */
export const toolsFolders = manifests.tools.files.filter((path) => path.startsWith("dist/"));

/** The kit's other files: its entry point, the contracts, and the README with the guides it links into. */
export const kitFiles = manifests.kit.files.filter((path) => !kitFolders.includes(path));
const within = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);
/** Whether a built file is the kit's: in a kit folder, and in none of the tools' inside it. */
export const isKitPath = (path: string) =>
  [...kitFolders, ...kitFiles].some((folder) => within(path, folder)) && !toolsFolders.some((folder) => within(path, folder));
/** The development dependencies the tools need at run time: their dependencies but the kit. */
export const toolsDependencies = Object.keys(manifests.tools.dependencies).filter((name) => name !== manifests.kit.name);

/** The tools' main entry, without its extension: startMock, for a mock in the test process. */
export const toolsEntry = manifests.tools.main.replace(/^\.\//, "").replace(/\.js$/, "");

const walk = (folder: string): string[] =>
  readdirSync(folder, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(join(folder, entry.name)) : [join(folder, entry.name)]));

/** The version npm installed of a package, as the lock file pinned it. */
export function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
}

const json = (value: unknown) => JSON.stringify(value);

/**
 * Where the manifests disagree, one line each; none when they can be packed. The kit's fields
 * that the root package.json also has are the root's exactly (the root is the clone's manifest,
 * read by npm and the tests there), its exports the root's and `./dist/*` (for the tools, which
 * import the kit's modules); the tools share the root's type, license and engines, and the kit's
 * command; the tools' dependencies are the kit (by the placeholder) and the versions installed
 * here. The version is the root's alone, and neither package runs scripts.
 */
export function manifestDrift({ root: rootManifest, kit, tools }: Manifests, installed: (name: string) => string = installedVersion): string[] {
  const drift: string[] = typeof rootManifest.version === "string" ? [] : ["package.json: no version"];
  const same = (what: string, actual: unknown, expected: unknown) => {
    if (json(actual) !== json(expected)) drift.push(`${what}: ${json(actual)}, not ${json(expected)}`);
  };
  for (const field of ["name", "description", "type", "license", "engines", "bin", "main", "types", "dependencies", "files"])
    same(`packages/kit/package.json ${field}, as the root package.json's`, kit[field], rootManifest[field]);
  same("packages/kit/package.json exports, as the root package.json's and ./dist/*", kit.exports, { ...rootManifest.exports, "./dist/*": "./dist/*" });
  for (const field of ["type", "license", "engines"])
    same(`packages/tools/package.json ${field}, as the root package.json's`, tools[field], rootManifest[field]);
  same("packages/tools/package.json bin's commands, as the kit's", Object.keys(tools.bin ?? {}), Object.keys(kit.bin ?? {}));
  same("packages/tools/package.json exports['.'], its types and main", tools.exports?.["."], { types: tools.types, default: tools.main });
  for (const [name, version] of Object.entries(tools.dependencies ?? {}))
    same(`packages/tools/package.json dependency ${name}`, version, name === kit.name ? kitVersionPlaceholder : installed(name));
  if (!Object.hasOwn(tools.dependencies ?? {}, kit.name)) drift.push(`packages/tools/package.json dependencies: no ${kit.name}`);
  for (const [where, manifest] of [
    ["packages/kit/package.json", kit],
    ["packages/tools/package.json", tools],
  ] as const)
    for (const field of ["version", "scripts", "devDependencies", "private", "workspaces"])
      if (Object.hasOwn(manifest, field)) drift.push(`${where} has ${field}, which only the root package.json has`);
  return drift;
}

/**
 * The tools' compiled imports of the kit's files, by relative path in the build, rewritten to the
 * kit's package name: `../http/exchange.js` becomes `kaleyra-whatsapp-video-kit/dist/src/http/exchange.js`.
 * Declarations name their sources (`../client/errors.ts`, `import("../client/errors.ts").X`): those
 * become the kit's `.js` path, which TypeScript resolves to the `.d.ts` beside it.
 */
export function rewriteImports(source: string, file: string, kitName: string): string {
  return source.replace(/(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(\.{1,2}\/[^"']+)\2/g, (whole, lead: string, quote: string, specifier: string) => {
    const target = relative(root, resolve(dirname(file), specifier))
      .split("\\")
      .join("/");
    return isKitPath(target) ? `${lead}${quote}${kitName}/${target.replace(/\.ts$/, ".js")}${quote}` : whole;
  });
}

/** Copies a package's `files` into `into`: each from the package's own folder if it is there, else from the build. */
function copy(pkg: "kit" | "tools", paths: string[], into: string, keep: (path: string) => boolean = () => true): void {
  for (const path of paths) {
    const from = existsSync(join(packagesFolder, pkg, path)) ? join(packagesFolder, pkg) : root;
    cpSync(join(from, path), join(into, path), { recursive: true, filter: (source) => keep(relative(from, source).split("\\").join("/")) });
  }
}

/**
 * The manifest npm gets: the package's own, with the root's version, and the versions its
 * dependencies' placeholders stand for. `files` stays behind: the assembled folder holds nothing else.
 */
function published({ name, files: _files, ...manifest }: Manifest, version: string, dependencies: Record<string, string> = {}): string {
  return `${JSON.stringify({ name, version, ...manifest, dependencies: { ...manifest.dependencies, ...dependencies } }, null, 2)}\n`;
}

/** `into`: build/packages/ by default; a test gives a folder of its own, so that two can assemble at once. */
export function assemble(into: string = out): { kit: string; tools: string } {
  if (!existsSync(join(root, "dist/src/cli/bin.js"))) throw new Error("build first: npm run build");
  const drift = manifestDrift(manifests);
  if (drift.length > 0) throw new Error(`the package manifests disagree (see packages/README.md):\n${drift.join("\n")}`);
  const version = manifests.root.version!;
  const kitName = manifests.kit.name;
  rmSync(into, { recursive: true, force: true });
  const kit = join(into, "kit");
  const tools = join(into, "tools");

  copy("kit", manifests.kit.files, kit, (path) => !toolsFolders.some((folder) => within(path, folder)));
  writeFileSync(join(kit, "package.json"), published(manifests.kit, version));

  copy("tools", manifests.tools.files, tools);
  // The code and its declarations alike: `startMock` is typed, and its types name the kit's.
  for (const file of walk(join(tools, "dist")).filter((path) => path.endsWith(".js") || path.endsWith(".d.ts"))) {
    // Resolved as if the file were still in the build, where the kit's files are its neighbours.
    const asBuilt = join(root, relative(tools, file));
    writeFileSync(file, rewriteImports(readFileSync(file, "utf8"), asBuilt, kitName));
  }
  writeFileSync(join(tools, "package.json"), published(manifests.tools, version, { [kitName]: version }));
  return { kit, tools };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { kit, tools } = assemble();
  for (const folder of [kit, tools]) {
    mkdirSync(out, { recursive: true });
    const packed = execFileSync("npm", ["pack", "--pack-destination", out, "--silent"], { cwd: folder, encoding: "utf8" }).trim();
    process.stdout.write(`${join(out, packed)}\n`);
  }
}
