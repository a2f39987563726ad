// `npm run generate` step: each YAML contract as JSON in generated/, so that the runtime (client,
// CLI, mock) reads it without a YAML parser. `--check` fails when a committed copy has drifted.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const contracts = ["kaleyra-whatsapp-video", "kaleyra-mock-admin"];
const check = process.argv.includes("--check");
let drifted = false;

for (const name of contracts) {
  const source = fileURLToPath(new URL(`../../openapi/${name}.yaml`, import.meta.url));
  const target = fileURLToPath(new URL(`../../generated/${name}.json`, import.meta.url));
  const json = `${JSON.stringify(parse(readFileSync(source, "utf8")), null, 2)}\n`;
  if (check) {
    let committed = "";
    try {
      committed = readFileSync(target, "utf8");
    } catch {
      // Missing counts as drifted.
    }
    if (committed !== json) {
      process.stderr.write(`${target} is not up-to-date with ${source}: run npm run generate\n`);
      drifted = true;
    }
  } else {
    writeFileSync(target, json);
    process.stdout.write(`${source} → ${target}\n`);
  }
}
if (drifted) process.exit(1);
