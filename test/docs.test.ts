// The rendered API docs, as a reader sees them in a real browser (a Chromium found by
// support/chromium.ts, driven by playwright-core). `npm run docs` builds them; this test builds them too.
import { execFile } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { promisify } from "node:util";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAdminDocument, loadDocument } from "../src/contract/document.ts";
import { operation, operationId } from "../src/contract/operation.ts";
import { webhook } from "../src/contract/webhook.ts";
import { findChromium, noChromium } from "./support/chromium.ts";
import { until } from "./support/wait.ts";
import { operationRoute } from "../src/tools/docs-open-on-operation.ts";

const html = "build/docs/index.html";
const screenshot = "build/docs/screenshot.png";

let browser: Browser;
let page: Page;
const seen: string[] = [];
const visibleText = async () => seen.push(await page.locator("body").innerText());

beforeAll(async () => {
  // Never skipped: without a Chromium the test fails, saying what to run.
  const { executablePath, args } = await findChromium();
  await promisify(execFile)("npm", ["run", "--silent", "docs"]);
  browser = await chromium.launch({ executablePath, args });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`file://${process.cwd()}/${html}`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe("the rendered docs", () => {
  it("are one self-contained HTML file: the Redoc scripts are inlined", () => {
    expect(statSync(html).size).toBeGreaterThan(500_000);
    expect(readFileSync(html, "utf8")).not.toMatch(/<script[^>]+src="https?:/);
  });

  it("open on the operation, not on the overview, with no clicks", async () => {
    // The page this suite opened in beforeAll, before any click.
    expect(new URL(page.url()).hash).toBe(operationRoute(loadDocument(), operationId));
    await page.getByRole("heading", { name: "Send a video message" }).waitFor();
    const text = await page.locator("body").innerText();
    expect(text).toContain("messaging_object");
    expect(text).toMatch(/^Request$/m);
    const admin = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    admin.setDefaultTimeout(5_000);
    try {
      await admin.goto(`file://${process.cwd()}/build/docs/admin.html`);
      await admin.getByRole("heading", { name: "Prove this is the kit's mock" }).waitFor();
      // A link to a section of its own is kept.
      await admin.goto(`file://${process.cwd()}/build/docs/index.html#/callbacks`);
      expect(new URL(admin.url()).hash).toBe("#/callbacks");
    } finally {
      await admin.close();
    }
  });

  it("show the pods on the overview, in plain text (no raw Markdown)", async () => {
    await page.getByText("Kaleyra WhatsApp v2 — Send Video Message", { exact: true }).first().click();
    const hosts = ["api.in.kaleyra.io", "api.kaleyra.io", "api.eu.kaleyra.io", "api.na.kaleyra.ai"];
    // Redoc renders the overview after the click's scroll settles: wait for the text itself, not a step count.
    const text = await until("the overview showing every pod", async () => {
      const body = await page.locator("body").innerText();
      return hosts.every((host) => body.includes(host)) ? body : undefined;
    });
    seen.push(text);
    for (const host of hosts) expect(seen.at(-1)).toContain(host);
    // Markdown rendered, never shown as source: no code-span backticks, no bold stars.
    expect(seen.at(-1)).not.toMatch(/`|\*\*[A-Za-z]|[A-Za-z]\*\*/);
  });

  it("lead a reader to the operation, its auth header, its limits and every documented answer", async () => {
    // As a reader would: the sidebar, then what each tab and disclosure shows.
    await page.getByText("Messages", { exact: true }).first().click();
    await page.getByText("Send a video message").first().click();
    await page.getByRole("heading", { name: "Send a video message" }).waitFor();
    await page.getByText("Expand all").first().click();
    await page.getByText("Video by media id", { exact: true }).first().click();
    await visibleText();
    for (const status of operation().statuses) {
      await page
        .getByRole("button", { name: String(status), exact: true })
        .first()
        .click();
      await visibleText();
    }
    await page.screenshot({ path: screenshot });
    // Last: the security details open over the page.
    await page.getByText("View security details").first().click();
    await page.getByText("Header parameter name:").first().waitFor();
    await visibleText();

    const text = seen.join("\n");
    expect(text).toContain("Send a video message");
    expect(text).toMatch(/Header parameter name:\s*api-key/);
    expect(text).toContain("<= 1024 characters");
    expect(text).toContain("<= 255 characters");
    for (const code of ["WA202", "WA400", "E110", "RBC001", "WA401", "WA-401", "WA500"]) expect(text, code).toContain(code);
    expect(text).not.toMatch(/`|\*\*[A-Za-z]|[A-Za-z]\*\*/);
    expect(existsSync(screenshot)).toBe(true);
  });

  it("show the status callback webhook, with an example per status", async () => {
    const source = readFileSync(html, "utf8");
    expect(source).toContain("Receive a delivery status");
    for (const status of webhook().statuses) expect(source, status).toContain(JSON.stringify(status));
    const fresh = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    fresh.setDefaultTimeout(5_000);
    try {
      await fresh.goto(`file://${process.cwd()}/${html}`);
      await fresh.getByText("Callbacks", { exact: true }).first().click();
      await fresh.getByText("Receive a delivery status").first().click();
      await fresh.getByRole("heading", { name: "Receive a delivery status" }).waitFor();
      const text = await fresh.locator("body").innerText();
      for (const field of ["meta_object", "extra_info", "message_id"]) expect(text, field).toContain(field);
    } finally {
      await fresh.close();
    }
  });

  it("carry every named example of every response", () => {
    const source = readFileSync(html, "utf8");
    for (const example of operation().examples) expect(source, example.name).toContain(JSON.stringify(example.summary).slice(1, -1));
  });
});

describe("the admin API's rendered docs", () => {
  it("lead a reader to every operation of the admin contract, and to its problems", async () => {
    const admin = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // Short limits: a missing element fails in seconds, with its name, not at the test's time-out.
    admin.setDefaultTimeout(5_000);
    try {
      await admin.goto(`file://${process.cwd()}/build/docs/admin.html`);
      const doc = loadAdminDocument();
      const texts: string[] = [];
      const all = Object.values(doc.paths).flatMap((item) => Object.values(item) as { summary: string; tags?: string[] }[]);
      for (const tag of (doc.tags as { name: string }[]).map((t) => t.name)) {
        await admin.getByText(tag, { exact: true }).first().click();
        // The tag's operations render after the click: wait for them (a busy machine is slow), then read.
        for (const op of all.filter((candidate) => candidate.tags?.includes(tag))) await admin.getByText(op.summary).first().waitFor({ state: "attached" });
        texts.push(await admin.locator("body").innerText());
      }
      const operations = all.map((op) => op.summary);
      expect(operations).toHaveLength(11);
      for (const summary of operations) expect(texts.join("\n"), summary).toContain(summary);
      expect(texts.join("\n")).not.toMatch(/`|\*\*[A-Za-z]|[A-Za-z]\*\*/);
      await admin.getByText("Scenarios", { exact: true }).first().click();
      await admin.getByText("Add a scenario").first().click();
      await admin.getByRole("heading", { name: "Add a scenario" }).waitFor();
      await admin.getByRole("button", { name: "400", exact: true }).first().click();
      const problem = await admin.locator("body").innerText();
      expect(problem).toContain("application/problem+json");
      expect(problem).toContain("respond.example");
      // No raw Markdown in what a reader sees.
      expect(problem).not.toMatch(/`[^`\n]+`/);
      expect(readFileSync("build/docs/admin.html", "utf8")).not.toMatch(/<script[^>]+src="https?:/);
    } finally {
      await admin.close();
    }
  });
});

describe("the Chromium it uses", () => {
  const sparticuz = async () => ({ executablePath: async () => "/tmp/chromium", args: ["--single-process", "--headless='shell'"] });
  const none = async (): Promise<never> => {
    throw new Error("not installed");
  };
  it("CHROMIUM_PATH first, then @sparticuz/chromium (no root), then Debian's; none: what to run", async () => {
    expect((await findChromium({ CHROMIUM_PATH: "/opt/c" }, (path) => path === "/opt/c", sparticuz)).source).toBe("CHROMIUM_PATH");
    await expect(findChromium({ CHROMIUM_PATH: "/opt/c" }, () => false, sparticuz)).rejects.toThrow(
      `CHROMIUM_PATH is /opt/c, and nothing is there. ${noChromium}`,
    );
    const packaged = await findChromium({}, () => true, sparticuz);
    expect([packaged.source, packaged.executablePath, packaged.args.includes("--single-process"), packaged.args.includes("--headless='shell'")]).toEqual([
      "@sparticuz/chromium",
      "/tmp/chromium",
      false,
      true,
    ]);
    expect((await findChromium({}, (path) => path === "/usr/bin/chromium", none)).source).toBe("Debian's chromium");
    await expect(findChromium({}, () => false, none)).rejects.toThrow(noChromium);
  });
});
