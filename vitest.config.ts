import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "conformance/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests that spawn processes or run CLIs compete for the 2 cores; a few at a time is faster.
    maxWorkers: 2,
  },
});
