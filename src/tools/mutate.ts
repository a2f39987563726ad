// `npm run mutate [-- AREA…] [--force] [--scores]`: StrykerJS over src/ and conformance/, one area of
// mutation-areas.json at a time (its folder against its tests, its own incremental file), then one
// merged report: reports/mutation/mutation.json and the score table reports/mutation/scores.md.
// Exit 1 when the whole score is under the "high" threshold of mutation-areas.json.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

interface Area {
  folder: string;
  tests: string[];
}
interface Mutant {
  status: string;
  static?: boolean;
  testsCompleted?: number;
  coveredBy?: string[];
}
interface FileResult {
  language: string;
  source: string;
  mutants: Mutant[];
}
export interface Report {
  schemaVersion: string;
  thresholds: { high: number; low: number };
  files: Record<string, FileResult>;
}

const root = fileURLToPath(new URL("../..", import.meta.url));
const { areas, thresholds, processOnly } = JSON.parse(readFileSync(join(root, "mutation-areas.json"), "utf8")) as {
  areas: Record<string, Area>;
  processOnly: string[];
  thresholds: { high: number; low: number };
};
const areaReport = (name: string) => join(root, "reports/mutation/areas", `${name}.incremental.json`);

/** Folders holding code Stryker mutates that no area, or more than one, claims. */
export { areas };

export function unclaimedFolders(folders: string[], claimed: string[]): string[] {
  const counts = new Map<string, number>();
  for (const folder of claimed) counts.set(folder, (counts.get(folder) ?? 0) + 1);
  return folders.filter((folder) => counts.get(folder) !== 1);
}

/**
 * A file of types and re-exports only (an entry point, a model of types) holds nothing Stryker can
 * mutate, so it is never "not run": Stryker leaves a file without mutants out of its report.
 */
export function nothingToMutate(file: string): boolean {
  const source = ts.createSourceFile(file, readFileSync(join(root, file), "utf8"), ts.ScriptTarget.Latest);
  return source.statements.every(
    (statement) =>
      ts.isInterfaceDeclaration(statement) ||
      ts.isTypeAliasDeclaration(statement) ||
      (ts.isImportDeclaration(statement) && statement.importClause?.isTypeOnly === true) ||
      (ts.isExportDeclaration(statement) && (statement.isTypeOnly || statement.moduleSpecifier !== undefined)),
  );
}

/** The files of one folder that Stryker mutates. */
function mutatedFiles(folder: string): string[] {
  return readdirSync(join(root, folder))
    .filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"))
    .map((name) => `${folder}/${name}`)
    .filter((file) => !processOnly.includes(file))
    .sort();
}

/** The folders of src/ and conformance/ holding code Stryker mutates (tests, tools, process entry points and re-export entry points left out). */
export function mutatedFolders(): string[] {
  const found = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (path !== join("src", "tools")) walk(path);
      } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) {
        // An entry point of re-exports (src/index.ts) or a model of types holds nothing to mutate, and so no area's.
        if (!processOnly.includes(path) && !nothingToMutate(path)) found.add(dir);
      }
    }
  };
  walk("src");
  walk("conformance");
  return [...found].sort();
}

interface Tally {
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
}

export function tally(mutants: Mutant[]): Tally {
  const t: Tally = { killed: 0, timeout: 0, survived: 0, noCoverage: 0 };
  for (const m of mutants) {
    if (m.status === "Killed") t.killed++;
    else if (m.status === "Timeout") t.timeout++;
    else if (m.status === "Survived") t.survived++;
    else if (m.status === "NoCoverage") t.noCoverage++;
  }
  return t;
}

/** Stryker's mutation score: detected over detected plus undetected (compile errors and ignored mutants left out). */
export function score(t: Tally): number {
  const detected = t.killed + t.timeout;
  const all = detected + t.survived + t.noCoverage;
  return all === 0 ? 100 : (100 * detected) / all;
}

function sum(tallies: Tally[]): Tally {
  return tallies.reduce(
    (a, b) => ({
      killed: a.killed + b.killed,
      timeout: a.timeout + b.timeout,
      survived: a.survived + b.survived,
      noCoverage: a.noCoverage + b.noCoverage,
    }),
    { killed: 0, timeout: 0, survived: 0, noCoverage: 0 },
  );
}

// A module-level ("static") mutant that a test also reaches is "hybrid": with ignoreStatic,
// Stryker runs it with only the tests that happened to load its module, after they have loaded
// it, so it never switches on and "survives" tests that fail when it is planted by hand
// (stryker-js#6144). stryker.config.mjs runs static mutants against every test of the area, with
// the mutant on before anything loads; survivors of the old plan are tested again once.
/**
 * Static mutants that survived having run only the tests that cover them (no more tests completed
 * than cover it), in the files this run mutates: dropped, so that Stryker tests them again
 * against every test. Other results are kept as they are.
 */
export function withoutStaticSurvivors(report: Report, mutated: (file: string) => boolean): { report: Report; dropped: number } {
  let dropped = 0;
  const files: Record<string, FileResult> = {};
  const ranFiltered = (mutant: Mutant) =>
    mutant.static === true && mutant.status === "Survived" && (mutant.testsCompleted ?? 0) <= (mutant.coveredBy?.length ?? 0);
  for (const [file, result] of Object.entries(report.files)) {
    const mutants = mutated(file) ? result.mutants.filter((mutant) => !ranFiltered(mutant)) : result.mutants;
    dropped += result.mutants.length - mutants.length;
    files[file] = { ...result, mutants };
  }
  return { report: { ...report, files }, dropped };
}

/**
 * The files an area's report measures: its own folder's (an incremental file can carry results
 * of other folders: Stryker keeps what it was seeded with), and only those still in the tree (a
 * file moved or removed keeps its old results in the file until the area runs again).
 */
export function measuredFiles(report: Report, folder: string, exists: (file: string) => boolean): [string, Report["files"][string]][] {
  return Object.entries(report.files)
    .filter(([file]) => dirname(relative(root, join(root, file))) === folder && exists(relative(root, join(root, file))))
    .sort(([a], [b]) => a.localeCompare(b));
}

function prepareStryker(areaNames: string[]): void {
  // Read as stryker.config.mjs reads it: the files a narrowed run mutates.
  const only = process.env.MUTATE_FILES?.split(",")
    .map((file) => file.trim())
    .filter(Boolean);
  for (const name of areaNames) {
    if (!existsSync(areaReport(name))) continue;
    const folder = areas[name]!.folder;
    const mutated = (file: string) => (only?.length ? only.includes(file) : dirname(file) === folder);
    const { report, dropped } = withoutStaticSurvivors(JSON.parse(readFileSync(areaReport(name), "utf8")) as Report, mutated);
    if (dropped) {
      writeFileSync(areaReport(name), JSON.stringify(report));
      process.stdout.write(`${name}: ${dropped} static mutants that ran with only their covering tests, tested again with every test\n`);
    }
  }
}

const row = (name: string, t: Tally) => `| ${name} | ${score(t).toFixed(1)}% | ${t.killed} | ${t.timeout} | ${t.survived} | ${t.noCoverage} |`;

function main(): number {
  const args = process.argv.slice(2);
  const force = args.includes("--force");
  // --scores: no run, only the table from the areas' incremental files as they are.
  const scoresOnly = args.includes("--scores");
  const chosen = args.filter((arg) => !arg.startsWith("--"));
  const unknown = chosen.filter((name) => !(name in areas));
  if (unknown.length) {
    process.stderr.write(`Unknown area ${unknown.join(", ")}; the areas are: ${Object.keys(areas).join(", ")}\n`);
    return 2;
  }
  const stray = unclaimedFolders(
    mutatedFolders(),
    Object.values(areas).map((a) => a.folder),
  );
  if (stray.length) {
    process.stderr.write(`${stray.join(", ")}: not in exactly one area of mutation-areas.json\n`);
    return 2;
  }

  const timings: string[] = [];
  const running = scoresOnly ? [] : chosen.length ? chosen : Object.keys(areas);
  if (running.length) prepareStryker(running);
  for (const name of running) {
    const area = areas[name]!;
    const started = Date.now();
    process.stdout.write(`\n== area ${name}: ${area.folder}/*.ts against ${area.tests.join(", ")}\n`);
    const run = spawnSync(join(root, "node_modules/.bin/stryker"), ["run", ...(force ? ["--force"] : [])], {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, MUTATE_AREA: name },
    });
    if (run.status !== 0) {
      process.stderr.write(`Stryker failed on area ${name} (exit ${run.status ?? run.signal})\n`);
      return 1;
    }
    timings.push(`${name} ${Math.round((Date.now() - started) / 60_000)} min`);
  }

  const merged: Report = { schemaVersion: "1.0", thresholds: thresholds, files: {} };
  const rows: string[] = [];
  const areaTallies: Tally[] = [];
  const missing: string[] = [];
  const unmeasured: string[] = [];
  for (const name of Object.keys(areas)) {
    if (!existsSync(areaReport(name))) {
      missing.push(name);
      for (const file of mutatedFiles(areas[name]!.folder)) rows.push(`| ${file} | not run yet | | | | |`);
      continue;
    }
    const report = JSON.parse(readFileSync(areaReport(name), "utf8")) as Report;
    const folder = areas[name]!.folder;
    const files = measuredFiles(report, folder, (file) => existsSync(join(root, file)));
    const t = sum(files.map(([, f]) => tally(f.mutants)));
    areaTallies.push(t);
    rows.push(row(`**${name}**`, t));
    for (const [file, result] of files) {
      merged.files[relative(root, join(root, file))] = result;
      rows.push(row(file, tally(result.mutants)));
    }
    const measured = new Set(files.map(([file]) => relative(root, join(root, file))));
    for (const file of mutatedFiles(folder).filter((file) => !measured.has(file) && !nothingToMutate(file))) {
      unmeasured.push(file);
      rows.push(`| ${file} | not run yet | | | | |`);
    }
  }
  const total = sum(areaTallies);
  const lines = [
    "# Mutation scores",
    "",
    `Written by \`npm run mutate\` (src/tools/mutate.ts) from reports/mutation/areas/*.incremental.json${missing.length ? `; no report yet for ${missing.join(", ")}` : ""}${unmeasured.length ? `; ${unmeasured.length} files of the other areas not run yet` : ""}. The score counts measured files only.`,
    "",
    "| area / file | score | killed | timed out | survived | not covered |",
    "| --- | --- | --- | --- | --- | --- |",
    row("**all areas**", total),
    ...rows,
  ];
  writeFileSync(join(root, "reports/mutation/mutation.json"), JSON.stringify(merged));
  writeFileSync(join(root, "reports/mutation/scores.md"), `${lines.join("\n")}\n`);
  if (timings.length) process.stdout.write(`\nTime: ${timings.join(", ")}\n`);
  const notRun = [...missing, ...unmeasured];
  process.stdout.write(
    `Mutation score, all areas: ${score(total).toFixed(1)}% (threshold ${thresholds.high}%)${notRun.length ? `; not run yet: ${notRun.join(", ")}` : ""}\n`,
  );
  process.stdout.write("Per area and file: reports/mutation/scores.md\n");
  return score(total) >= thresholds.high && notRun.length === 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main();
