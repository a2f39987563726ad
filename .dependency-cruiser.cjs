// The kit's layering, enforced (`npm run lint:layers`, part of `npm test`). A room is a folder; a
// room imports only from the rooms below it, never beside or above. Bottom to top:
//   0. src/json/ (the bounded JSON reader: nothing of the kit at all)
//   1. ground: src/contract/, src/http/ (nothing of the kit but src/json/ and generated/, and not each other)
//   2. src/client/
//   3. src/callbacks/
//   4. src/judge/ (what the proxy and conformance share)
//   5. src/mock/, src/proxy/, conformance/ (independent of one another)
//   6. src/cli/ and src/index.ts, the kit's entry point
// src/tools/ (build scripts), test/ and bench/ may import anything; they are not cruised.
// ARCHITECTURE.md explains each room.

/** The rooms, each a path pattern relative to the root. */
const room = {
  json: "^src/json/",
  contract: "^src/contract/",
  http: "^src/http/",
  client: "^src/client/",
  callbacks: "^src/callbacks/",
  judge: "^src/judge/",
  mock: "^src/mock/",
  proxy: "^src/proxy/",
  conformance: "^conformance/",
  cli: "^src/cli/",
  entry: "^src/index\\.ts$",
  tools: "^src/tools/",
};

/** What a room may not import: every room beside or above it. */
const forbidden = {
  json: ["contract", "http", "client", "callbacks", "judge", "mock", "proxy", "conformance", "cli", "entry", "tools"],
  contract: ["http", "client", "callbacks", "judge", "mock", "proxy", "conformance", "cli", "entry", "tools"],
  http: ["contract", "client", "callbacks", "judge", "mock", "proxy", "conformance", "cli", "entry", "tools"],
  client: ["callbacks", "judge", "mock", "proxy", "conformance", "cli", "entry", "tools"],
  callbacks: ["judge", "mock", "proxy", "conformance", "cli", "entry", "tools"],
  judge: ["mock", "proxy", "conformance", "cli", "entry", "tools"],
  mock: ["proxy", "conformance", "cli", "entry", "tools"],
  proxy: ["mock", "conformance", "cli", "entry", "tools"],
  conformance: ["mock", "proxy", "cli", "entry", "tools"],
  cli: ["entry", "tools"],
  entry: ["judge", "mock", "proxy", "conformance", "cli", "tools"],
};

const either = (names) => names.map((name) => `(${room[name]})`).join("|");

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A cycle makes two files one unit that can be neither read nor tested alone.",
      from: {},
      to: { circular: true },
    },
    ...Object.entries(forbidden).map(([name, above]) => ({
      name: `${name}-imports-down-only`,
      severity: "error",
      comment: `${name} (${room[name]}) imports only the rooms below it: not ${above.join(", ")}.`,
      from: { path: room[name] },
      to: { path: either(above) },
    })),
  ],
  options: {
    // Type-only imports are dependencies too: a type from above ties the rooms as a value does.
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
    // Tests sit beside conformance's code and may import anything.
    exclude: { path: "\\.test\\.ts$" },
    // Only the kit's own modules: Node's built-ins and packages are outside the layering.
    includeOnly: "^(src|conformance|generated)/",
  },
};
