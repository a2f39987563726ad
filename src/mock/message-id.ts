// Integration teams correlate sends and callbacks by message_id, so every accepted request gets a
// fresh one, shaped like the contract's example (same first character, same length).
import { randomBytes } from "node:crypto";

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
// The largest multiple of the alphabet's size below 256: bytes above it are dropped, so every
// character is equally likely.
const unbiasedBelow = 256 - (256 % alphabet.length);

// Randomness drawn in batches: one randomBytes call a request cost an eighth of the mock's time.
let pool = Buffer.alloc(0);
let offset = 0;
function nextByte(): number {
  if (offset >= pool.length) {
    pool = randomBytes(8192);
    offset = 0;
  }
  return pool[offset++]!;
}

export function freshMessageId(example: string): string {
  const length = Math.max(example.length, 20);
  let id = example.slice(0, 1);
  while (id.length < length) {
    const byte = nextByte();
    if (byte < unbiasedBelow) id += alphabet[byte % alphabet.length];
  }
  return id;
}
