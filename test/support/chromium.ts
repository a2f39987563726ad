// The Chromium the browser tests drive. In order: CHROMIUM_PATH if set (any Chromium you have);
// else the build of the @sparticuz/chromium package, a development dependency that npm installs
// with the rest (it unpacks into the temp folder on first use, with the few system libraries it
// needs: no root, no download); else Debian's /usr/bin/chromium. None: an error saying what to run.
import { existsSync } from "node:fs";

export interface ChromiumChoice {
  executablePath: string;
  args: string[];
  source: string;
}

// No background traffic: this machine has no network beyond the package registries.
const quiet = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

interface Sparticuz {
  executablePath(): Promise<string>;
  args: string[];
}

export const noChromium =
  "No Chromium for the docs check. Run `npm install` (it installs @sparticuz/chromium, which needs no root), or `apt-get install -y chromium`, or point CHROMIUM_PATH at a Chromium you have.";

export async function findChromium(
  env: NodeJS.ProcessEnv = process.env,
  exists: (path: string) => boolean = existsSync,
  loadSparticuz: () => Promise<Sparticuz> = async () => ((await import("@sparticuz/chromium")) as { default: Sparticuz }).default,
): Promise<ChromiumChoice> {
  if (env.CHROMIUM_PATH) {
    if (!exists(env.CHROMIUM_PATH)) throw new Error(`CHROMIUM_PATH is ${env.CHROMIUM_PATH}, and nothing is there. ${noChromium}`);
    return { executablePath: env.CHROMIUM_PATH, args: quiet, source: "CHROMIUM_PATH" };
  }
  try {
    const sparticuz = await loadSparticuz();
    return {
      executablePath: await sparticuz.executablePath(),
      args: [...sparticuz.args.filter((arg) => arg !== "--single-process"), ...quiet],
      source: "@sparticuz/chromium",
    };
  } catch {
    // Not installed, or it cannot unpack here: Debian's, if the machine has it.
  }
  if (exists("/usr/bin/chromium")) return { executablePath: "/usr/bin/chromium", args: quiet, source: "Debian's chromium" };
  throw new Error(noChromium);
}
