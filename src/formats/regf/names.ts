// Key and value names as regf stores them, and the lh list hash.

import { upcaseName } from '../tree.js';

/** Names with no unit above U+00FF are stored "compressed": one Latin-1 byte per character. */
export function isCompressible(name: string): boolean {
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) > 0xff) return false;
  return true;
}

/** The hash an lh list keeps next to each subkey offset: over the upcased name, h = h * 37 + unit. */
export function lhHash(name: string): number {
  return lhHashUpcased(upcaseName(name));
}

/** Writes `name` at `at` as stored (Latin-1 bytes or UTF-16LE units); returns the byte length. */
export function writeName(b: Buffer, at: number, name: string, compressed: boolean): number {
  if (compressed) {
    for (let i = 0; i < name.length; i++) b[at + i] = name.charCodeAt(i);
    return name.length;
  }
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    b[at + 2 * i] = c & 0xff;
    b[at + 2 * i + 1] = c >>> 8;
  }
  return name.length * 2;
}

/** lhHash of a name already upcased. */
export function lhHashUpcased(u: string): number {
  let h = 0;
  for (let i = 0; i < u.length; i++) h = (Math.imul(h, 37) + u.charCodeAt(i)) >>> 0;
  return h;
}
