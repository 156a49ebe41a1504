// Bytes of a .reg file → text. regedit writes version 5 files as UTF-16LE with a BOM and REGEDIT4
// files in the ANSI code page; Samba and hand-written files are often UTF-8 (with or without a BOM).

export type RegEncoding = 'utf16le' | 'utf8' | 'latin1';

export interface DecodedReg {
  text: string;
  encoding: RegEncoding;
  /** Bytes of BOM skipped before `text` (offsets in errors count from after it). */
  bomLength: number;
}

// windows-1252 bytes 0x80-0x9f; the rest of Latin-1 maps to itself
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/** ANSI (windows-1252) bytes → text. */
export function decodeAnsi(buf: Buffer): string {
  const s = buf.toString('latin1');
  return /[\x80-\x9f]/.test(s) ? s.replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!) : s;
}

/** Text → ANSI (windows-1252) bytes; characters it cannot hold become '?', as WideCharToMultiByte does. */
export function encodeAnsi(text: string): Buffer {
  const out = Buffer.allocUnsafe(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80 || (c >= 0xa0 && c <= 0xff)) out[i] = c;
    else {
      const j = CP1252_HIGH.indexOf(text[i]!);
      out[i] = j >= 0 ? 0x80 + j : 0x3f;
    }
  }
  return out;
}

export function decodeRegBytes(buf: Buffer): DecodedReg {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) {
    return { text: buf.toString('utf16le', 2, 2 + ((buf.length - 2) & ~1)), encoding: 'utf16le', bomLength: 2 };
  }
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
    return { text: buf.toString('utf8', 3), encoding: 'utf8', bomLength: 3 };
  }
  // UTF-16LE without a BOM: 'W\0' or 'R\0' at the start
  if (buf.length >= 2 && buf[1] === 0 && buf[0] !== 0) {
    return { text: buf.toString('utf16le', 0, buf.length & ~1), encoding: 'utf16le', bomLength: 0 };
  }
  const head = buf.toString('latin1', 0, Math.min(buf.length, 16));
  if (head.startsWith('REGEDIT4')) return { text: decodeAnsi(buf), encoding: 'latin1', bomLength: 0 };
  return { text: buf.toString('utf8'), encoding: 'utf8', bomLength: 0 };
}
