// `npm run build`'s last step: the mock as `npm start` runs it, in one file. Node resolves, reads
// and compiles each module file on its own, and the mock's plain path needs about 150 of them
// (most of them Ajv's) before it listens: one file starts it in about two thirds of the time.
// Prism stays outside, loaded only when KALEYRA_MOCK_ENGINE=prism asks for it. The bundle sits
// as deep in dist/ as main.js, so the contract files it finds by relative path are the same ones,
// and outside the folders the packages ship.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { startPath } from "./start-file.ts";

await build({
  entryPoints: [fileURLToPath(new URL("../mock/main.ts", import.meta.url))],
  outfile: startPath,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: ["@stoplight/*"],
  // Ajv and its kin are CommonJS: their require() of Node's own modules needs one in an ES module.
  banner: { js: "import { createRequire as __kitCreateRequire } from 'node:module'; const require = __kitCreateRequire(import.meta.url);" },
  legalComments: "none",
  logLevel: "warning",
});
