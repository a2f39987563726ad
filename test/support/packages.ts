// The two packages as `npm run pack` makes them, packed into a test's own folder (each test
// assembles apart, so two can run at once), and empty projects that install them as a user does.
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { assemble } from "../../src/tools/pack.ts";

export const run = promisify(execFile);

export interface PackedPackage {
  /** The tarball's path. */
  tarball: string;
  /** The paths in it, as npm pack lists them. */
  files: string[];
}

/** The kit and the tools, assembled from the build (npm test's) and packed into `work`. */
export async function packPackages(work: string): Promise<{ kit: PackedPackage; tools: PackedPackage }> {
  const { kit, tools } = assemble(join(work, "assembled"));
  const pack = async (folder: string): Promise<PackedPackage> => {
    const [packed] = JSON.parse((await run("npm", ["pack", "--json", "--pack-destination", work], { cwd: folder })).stdout) as {
      filename: string;
      files: { path: string }[];
    }[];
    return { tarball: join(work, packed!.filename), files: packed!.files.map((file) => file.path) };
  };
  return { kit: await pack(kit), tools: await pack(tools) };
}

/** The version of a development dependency the repo pins, for a consumer project to install the same. */
export function pinnedVersion(name: string): string {
  const manifest = JSON.parse(readFileSync("package.json", "utf8")) as { devDependencies: Record<string, string> };
  const version = manifest.devDependencies[name];
  if (version === undefined) throw new Error(`${name} is not a development dependency of the repo`);
  return version;
}

/**
 * An empty ESM project in `folder` with these installed (tarballs, or `name@version` from npm's
 * cache, the registry only for what it lacks). Resolves to npm's output.
 */
export async function installProject(folder: string, specs: string[]): Promise<string> {
  mkdirSync(folder);
  writeFileSync(join(folder, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  const { stdout, stderr } = await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", ...specs], { cwd: folder });
  return stdout + stderr;
}
