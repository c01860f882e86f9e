/**
 * Repairs UTF-8 text that was decoded as Windows-1252 (or Latin-1) somewhere upstream:
 * `â€”` back to `—`, `Ã©` back to `é`. Pure.
 *
 * Method: every maximal run of characters that Windows-1252 can encode as a byte
 * above 0x7F is turned back into those bytes, and each well-formed UTF-8 sequence in
 * the bytes is decoded. Bytes that do not form one keep their original character, so
 * correct text (a lone `é`, a lone `’`) is left alone. ASCII never takes part: UTF-8
 * multi-byte sequences contain no ASCII bytes.
 */

/** Windows-1252 bytes 0x80–0x9F. The five holes (0x81, 0x8D, 0x8F, 0x90, 0x9D) decode to C1 controls in lenient decoders, as here. */
const CP1252_HIGH: readonly number[] = [
  0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039,
  0x0152, 0x008d, 0x017d, 0x008f, 0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
  0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
];

/** Code point → byte for every character a Windows-1252 (or Latin-1) decoder can produce from a byte ≥ 0x80. */
const TO_BYTE: ReadonlyMap<number, number> = (() => {
  const map = new Map<number, number>();
  // Latin-1 readings of 0x80–0x9F are included too: some pipelines decode as ISO-8859-1.
  for (let byte = 0x80; byte <= 0xff; byte++) map.set(byte, byte);
  CP1252_HIGH.forEach((codePoint, i) => {
    map.set(codePoint, 0x80 + i);
  });
  return map;
})();

/** Decoding a byte with Windows-1252, exported so tests can check the table against a reference decoder. */
export function decodeCp1252Byte(byte: number): string {
  if (byte < 0 || byte > 0xff || !Number.isInteger(byte))
    throw new RangeError(`not a byte: ${byte}`);
  if (byte >= 0x80 && byte <= 0x9f) return String.fromCharCode(CP1252_HIGH[byte - 0x80] as number);
  return String.fromCharCode(byte);
}

const RUN = new RegExp(
  `[${[...TO_BYTE.keys()]
    .sort((a, b) => a - b)
    .map((cp) => `\\u${cp.toString(16).padStart(4, "0")}`)
    .join("")}]+`,
  "g",
);

/** Double-encoded text (mojibake of mojibake) needs one pass per layer; three covers what is seen in practice. */
const MAX_PASSES = 3;

export function repairMojibake(text: string): string {
  let current = text;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const next = current.replace(RUN, repairRun);
    if (next === current) return current;
    current = next;
  }
  return current;
}

/** True when `repairMojibake` would change the text. */
export function hasMojibake(text: string): boolean {
  return repairMojibake(text) !== text;
}

function repairRun(run: string): string {
  // Every character in a run is in the BMP, so string indices and byte indices line up.
  const bytes = Array.from(run, (char) => TO_BYTE.get(char.charCodeAt(0)) as number);
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const decoded = decodeSequence(bytes, i, run);
    if (decoded) {
      out += String.fromCodePoint(decoded.codePoint);
      i += decoded.length;
    } else {
      out += run[i];
      i += 1;
    }
  }
  return out;
}

const isContinuation = (byte: number | undefined): byte is number =>
  byte !== undefined && byte >= 0x80 && byte <= 0xbf;

/**
 * One strictly well-formed UTF-8 sequence starting at `start` (no overlongs, no
 * surrogates, nothing above U+10FFFF), or null.
 */
function decodeSequence(
  bytes: readonly number[],
  start: number,
  run: string,
): { codePoint: number; length: number } | null {
  const b0 = bytes[start] as number;
  const b1 = bytes[start + 1];
  const b2 = bytes[start + 2];
  const b3 = bytes[start + 3];

  if (b0 >= 0xc2 && b0 <= 0xdf) {
    if (!isContinuation(b1)) return null;
    const codePoint = ((b0 & 0x1f) << 6) | (b1 & 0x3f);
    // U+0080–U+009F are C1 controls. Produced from `Â` plus a printable symbol they
    // are far likelier to be a legitimate `Â€` than intended text; produced from `Â`
    // plus a control character they are one layer of doubly mangled text.
    const second = run.charCodeAt(start + 1);
    if (codePoint < 0xa0 && !(second >= 0x80 && second <= 0x9f)) return null;
    return { codePoint, length: 2 };
  }

  if (b0 >= 0xe0 && b0 <= 0xef) {
    const low = b0 === 0xe0 ? 0xa0 : 0x80;
    const high = b0 === 0xed ? 0x9f : 0xbf;
    if (b1 === undefined || b1 < low || b1 > high) return null;
    if (!isContinuation(b2)) {
      // `â€` then a non-continuation: the third byte was 0x9D, which Windows-1252
      // leaves undefined, so strict decoders dropped it. E2 80 9D is `”`.
      if (b0 === 0xe2 && b1 === 0x80) return { codePoint: 0x201d, length: 2 };
      return null;
    }
    return { codePoint: ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f), length: 3 };
  }

  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const low = b0 === 0xf0 ? 0x90 : 0x80;
    const high = b0 === 0xf4 ? 0x8f : 0xbf;
    if (b1 === undefined || b1 < low || b1 > high) return null;
    if (!isContinuation(b2) || !isContinuation(b3)) return null;
    return {
      codePoint: ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f),
      length: 4,
    };
  }

  return null;
}
