// `npm run bench:install`: what each way of shipping the tools costs the project that installs it,
// side by side in one run (npm's cache warm, as on a developer's machine):
// - two packages (the choice): the kit alone, for a project that only sends; the kit and the tools;
// - one package with Prism and fast-check as real dependencies: every project pays for the tools.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assemble, installedVersion, toolsDependencies } from "../src/tools/pack.ts";

const work = mkdtempSync(join(tmpdir(), "kit-install-"));
const { kit, tools } = assemble();
const pack = (folder: string) => join(work, execFileSync("npm", ["pack", "--silent", "--pack-destination", work], { cwd: folder, encoding: "utf8" }).trim());
const kitTarball = pack(kit);
const toolsTarball = pack(tools);

function size(folder: string): number {
  return readdirSync(folder, { withFileTypes: true }).reduce((total, entry) => {
    const path = join(folder, entry.name);
    return total + (entry.isDirectory() ? size(path) : entry.isFile() ? statSync(path).size : 0);
  }, 0);
}

function install(name: string, specs: string[]): { seconds: number; megabytes: number } {
  const folder = join(work, name);
  mkdirSync(folder);
  writeFileSync(join(folder, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  const started = performance.now();
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--silent", ...specs], { cwd: folder });
  const seconds = (performance.now() - started) / 1000;
  return { seconds, megabytes: size(join(folder, "node_modules")) / 1024 / 1024 };
}

const rows = [
  ["two packages: the kit alone (a project that only sends)", install("kit", [kitTarball])],
  ["two packages: the kit and the tools", install("kit-and-tools", [kitTarball, toolsTarball])],
  [
    "one package, the tools' needs as real dependencies",
    install("one-package", [kitTarball, ...toolsDependencies.map((name) => `${name}@${installedVersion(name)}`)]),
  ],
] as const;
for (const [label, row] of rows) console.log(`${label}: ${row.megabytes.toFixed(1)} MB in node_modules, ${row.seconds.toFixed(1)} s`);
console.log(`a project that only sends installs ${(rows[2][1].megabytes / rows[0][1].megabytes).toFixed(1)}x less with two packages`);
