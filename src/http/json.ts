// The bounded JSON reader moved to the ground's own room, `src/json/read.ts`, which the contract
// and HTTP rooms both import. This re-export keeps the mock's imports working until its next
// change imports `../json/read.ts` itself; nothing else in the kit imports this file.
export { type JsonRead, maxBodyDepth, maxJsonDepth, nestsDeeperThan, parseJson } from "../json/read.ts";
