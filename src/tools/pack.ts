// `npm run pack`: the two packages users install, assembled from one build into build/packages/
// and packed there as tarballs:
// - the kit (kaleyra-whatsapp-video-kit): the typed client, the admin client, the callback parser
//   and handler, the contracts, the `kaleyra-video` bin, the README and its guides (docs/); three
//   small runtime dependencies;
// - the tools (kaleyra-whatsapp-video-tools): the mock, the proxy and conformance, with Prism
//   and fast-check. It depends on the kit and imports it by package name: one copy of the code.
// Neither carries scripts: nothing runs when they are installed.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const out = join(root, "build", "packages");

interface Manifest {
  name: string;
  version: string;
  description: string;
  license: string;
  engines: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  bin: Record<string, string>;
  main: string;
  types: string;
  exports: Record<string, unknown>;
}

export const toolsName = "kaleyra-whatsapp-video-tools";

/** What the kit ships of the build; the tools ship the rest of it. */
export const kitFolders = ["dist/src/client", "dist/src/json", "dist/src/contract", "dist/src/http", "dist/src/callbacks", "dist/src/cli", "dist/generated"];
/** The tools' commands (`src/cli/tools/`) sit in the CLI's folder, and ship with the tools, not the kit. */
export const toolsFolders = ["dist/src/judge", "dist/src/mock", "dist/src/proxy", "dist/conformance", "dist/src/cli/tools"];

/** The kit's other files: its entry point, the contracts, and the README with the guides it links into. */
export const kitFiles = [
  "dist/src/index.js",
  "dist/src/index.d.ts",
  "openapi",
  "generated/kaleyra-whatsapp-video.json",
  "generated/kaleyra-mock-admin.json",
  "README.md",
  "docs",
];
const within = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);
/** Whether a built file is the kit's: in a kit folder, and in none of the tools' inside it. */
export const isKitPath = (path: string) =>
  [...kitFolders, ...kitFiles].some((folder) => within(path, folder)) && !toolsFolders.some((folder) => within(path, folder));
/** The development dependencies the tools need at run time. */
export const toolsDependencies = ["@stoplight/prism-http", "@stoplight/prism-core", "fast-check"];

/** The tools' main entry: startMock, for a mock in the test process. */
export const toolsEntry = "dist/src/mock/index";
const typed = (path: string) => ({ types: `./${path}.d.ts`, default: `./${path}.js` });

const walk = (folder: string): string[] =>
  readdirSync(folder, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(join(folder, entry.name)) : [join(folder, entry.name)]));

/** The version npm installed of a package, as the lock file pinned it. */
export function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
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

function copy(paths: string[], into: string, keep: (path: string) => boolean = () => true): void {
  for (const path of paths)
    cpSync(join(root, path), join(into, path), { recursive: true, filter: (source) => keep(relative(root, source).split("\\").join("/")) });
}

/** `into`: build/packages/ by default; a test gives a folder of its own, so that two can assemble at once. */
export function assemble(into: string = out): { kit: string; tools: string } {
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Manifest;
  if (!existsSync(join(root, "dist/src/cli/bin.js"))) throw new Error("build first: npm run build");
  rmSync(into, { recursive: true, force: true });
  const kit = join(into, "kit");
  const tools = join(into, "tools");

  copy([...kitFolders, ...kitFiles], kit, (path) => !toolsFolders.some((folder) => within(path, folder)));
  writeFileSync(
    join(kit, "package.json"),
    `${JSON.stringify(
      {
        name: manifest.name,
        version: manifest.version,
        description: manifest.description,
        type: "module",
        license: manifest.license,
        engines: manifest.engines,
        bin: manifest.bin,
        main: manifest.main,
        types: manifest.types,
        // ./dist/*: for the tools package, which imports the kit's own modules.
        exports: { ...manifest.exports, "./dist/*": "./dist/*" },
        dependencies: manifest.dependencies,
      },
      null,
      2,
    )}\n`,
  );

  copy(toolsFolders, tools);
  // The code and its declarations alike: `startMock` is typed, and its types name the kit's.
  for (const file of walk(join(tools, "dist")).filter((path) => path.endsWith(".js") || path.endsWith(".d.ts"))) {
    // Resolved as if the file were still in the build, where the kit's files are its neighbours.
    const asBuilt = join(root, relative(tools, file));
    writeFileSync(file, rewriteImports(readFileSync(file, "utf8"), asBuilt, manifest.name));
  }
  writeFileSync(
    join(tools, "bin.js"),
    `#!/usr/bin/env node\n// The kit's kaleyra-video, which finds this package's commands by its name.\nimport "${manifest.name}/dist/src/cli/bin.js";\n`,
    { mode: 0o755 },
  );
  writeFileSync(
    join(tools, "README.md"),
    `# ${toolsName}\n\nThe mock, the recording proxy and the conformance suite of [${manifest.name}](https://www.npmjs.com/package/${manifest.name}): \`npx kaleyra-video mock | conform | proxy\`, and \`import { startMock } from "${toolsName}"\` for a mock in the test process. See the kit's README.\n`,
  );
  writeFileSync(
    join(tools, "package.json"),
    `${JSON.stringify(
      {
        name: toolsName,
        version: manifest.version,
        description: `The mock, proxy and conformance suite of ${manifest.name}`,
        type: "module",
        license: manifest.license,
        engines: manifest.engines,
        bin: { "kaleyra-video": "bin.js" },
        main: `./${toolsEntry}.js`,
        types: `./${toolsEntry}.d.ts`,
        exports: {
          ".": typed(toolsEntry),
          // The commands, found by the kit's kaleyra-video by these names.
          "./mock": typed("dist/src/mock/run"),
          "./proxy": typed("dist/src/cli/tools/proxy"),
          "./conform": typed("dist/src/cli/tools/conform"),
          "./package.json": "./package.json",
        },
        dependencies: { [manifest.name]: manifest.version, ...Object.fromEntries(toolsDependencies.map((name) => [name, installedVersion(name)])) },
      },
      null,
      2,
    )}\n`,
  );
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
