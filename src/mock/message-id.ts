// Integration teams correlate sends and callbacks by message_id, so every accepted request gets a
// fresh one, shaped like the contract's example (same first character, same length).
import { randomBytes } from "node:crypto";

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
// The largest multiple of the alphabet's size below 256: bytes above it are dropped, so every
// character is equally likely.
const unbiasedBelow = 256 - (256 % alphabet.length);

export function freshMessageId(example: string): string {
  const prefix = example.slice(0, 1);
  const length = Math.max(example.length, 20);
  let id = prefix;
  while (id.length < length) {
    for (const byte of randomBytes(length)) {
      if (byte < unbiasedBelow && id.length < length) id += alphabet[byte % alphabet.length];
    }
  }
  return id;
}
