// The base of every NDR 2.0 type description (C706 ch. 14 with the MS-RPCE §2.2.4 extensions). Each
// description object is built once and carries its own read/write code.
//
// Decoded values: integers are numbers (hyper: bigint), arrays of bytes are Buffer slices of the
// stub, arrays of wchar_t are strings, GUIDs are strings, pointers are their pointee or null,
// unions are { tag, <arm name>: value }.
import { NdrError } from './errors.js';
import type { NdrReader, NdrWriter } from './stream.js';

export abstract class NdrType<T> {
  /** Phantom: the TypeScript type of a decoded value. */
  declare readonly _value: T;
  /** Alignment of the inline representation (1, 2, 4 or 8). */
  abstract get align(): number;
  /** The fewest bytes the inline representation can take (bounds array counts before allocating). */
  abstract get minSize(): number;
  /** Ends with a conformant array, whose max_count is hoisted to the front of the outermost struct. */
  get conformant(): boolean {
    return false;
  }
  /** Read the inline part; `conf` is a hoisted max_count already read by the enclosing struct, or -1. */
  abstract read(r: NdrReader, scope: any, conf: number): T;
  /** Write the inline part; `hoisted` when the enclosing struct already wrote the max_count. */
  abstract write(w: NdrWriter, v: T, scope: any, hoisted: boolean): void;
  /** Read into holder[key]; pointers override this to fill the slot once the pointee is read. */
  readInto(r: NdrReader, holder: any, key: string | number, scope: any): void {
    holder[key] = this.read(r, scope, -1);
  }
  /** The max_count that writing `v` hoists (conformant types only). */
  confCount(_v: T, _scope: any, _w: NdrWriter): number {
    throw new NdrError('ERR_NDR_ENCODE', -1, 'not a conformant type');
  }
}

/** The decoded TypeScript type of a description. */
export type Infer<X> = X extends NdrType<infer T> ? T : never;
