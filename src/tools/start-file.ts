// The file `npm start` runs: package.json's start script is `node FILE`. The build writes the
// mock's bundle there, and the benchmarks and tests start what users start, from this one place.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** The start script's file, relative to the repository's root. */
export const startFile = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: { start: string } }).scripts.start.replace(/^node /, "");

/** The same, as an absolute path. */
export const startPath = join(root, startFile);
