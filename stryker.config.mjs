// StrykerJS's settings. MUTATE_AREA (set by `npm run mutate`, src/tools/mutate.ts) narrows a run to
// one area of mutation-areas.json: its folder's files, its own incremental file and reports. Without
// it, `npx stryker run` mutates everything against every in-process test (hours on two cores).
import { readFileSync } from "node:fs";

const { areas, thresholds, processOnly } = JSON.parse(readFileSync(new URL("./mutation-areas.json", import.meta.url), "utf8"));
const name = process.env.MUTATE_AREA;
const area = name ? areas[name] : undefined;
if (name && !area) throw new Error(`MUTATE_AREA=${name} is not an area of mutation-areas.json`);
const out = area ? `reports/mutation/areas/${name}` : "reports/mutation/all";
// MUTATE_FILES (comma-separated) narrows a run to some files of the area; the incremental file keeps
// the results of the area's other files from before, so a file changed alone is re-run alone.
const only = process.env.MUTATE_FILES?.split(",").map((file) => file.trim()).filter(Boolean);

// Entry points and build-time tools run only in other processes, where no mutant can reach.
const never = ["!**/*.test.ts", "!src/tools/**", ...processOnly.map((file) => `!${file}`)];

export default {
  $schema: "./node_modules/@stryker-mutator/core/schema/stryker-schema.json",
  packageManager: "npm",
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutate.config.ts" },
  checkers: ["typescript"],
  // Only where mutants are: a "@ts-nocheck" in generated/ would fail the test that the generated
  // types are in step with the contract (npm run generate:check).
  disableTypeChecks: "{src,conformance}/**/*.ts",
  tsconfigFile: "tsconfig.mutate.json",
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: only?.length ? [...only, ...never] : area ? [`${area.folder}/*.ts`, ...never] : ["src/**/*.ts", "conformance/**/*.ts", ...never],
  coverageAnalysis: "perTest",
  incremental: true,
  incrementalFile: `${out}.incremental.json`,
  // Two on these 2-core machines; the tests mostly wait on timers, so MUTATE_CONCURRENCY=3 suits a machine left alone.
  concurrency: Number(process.env.MUTATE_CONCURRENCY ?? 2),
  // A mutant that makes a run wait out its limits costs this much over the baseline, and a runner
  // restart: MUTATE_TIMEOUT_MS lowers it for areas whose tests wait on servers.
  timeoutMS: Number(process.env.MUTATE_TIMEOUT_MS ?? 15000),
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: `${out}.html` },
  jsonReporter: { fileName: `${out}.json` },
  thresholds: { ...thresholds, break: null },
  tempDirName: ".stryker-tmp",
  // Module-level ("static") mutants run against every test of the area, switched on before
  // anything loads: with ignoreStatic, those a test also reaches ran with only the tests that
  // first loaded their module, and after it had loaded, so they never switched on
  // (stryker-js#6144). Killed ones die at the first quick test file that fails; a survivor costs a
  // whole run of the area's tests.
  ignoreStatic: false,
};
