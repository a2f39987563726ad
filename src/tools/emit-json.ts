// `npm run generate` step: the YAML contract as JSON in generated/, so that the runtime (client,
// CLI, mock) reads it without a YAML parser. `--check` fails when the committed copy has drifted.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const source = fileURLToPath(new URL("../../openapi/kaleyra-whatsapp-video.yaml", import.meta.url));
const target = fileURLToPath(new URL("../../generated/kaleyra-whatsapp-video.json", import.meta.url));

const json = JSON.stringify(parse(readFileSync(source, "utf8")), null, 2) + "\n";
if (process.argv.includes("--check")) {
  let committed = "";
  try {
    committed = readFileSync(target, "utf8");
  } catch {
    // Missing counts as drifted.
  }
  if (committed !== json) {
    process.stderr.write(`${target} is not up-to-date with ${source}: run npm run generate\n`);
    process.exit(1);
  }
} else {
  writeFileSync(target, json);
  process.stdout.write(`${source} → ${target}\n`);
}
