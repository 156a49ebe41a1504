// One instruction of a registry.pol file (MS-GPREG §2.2.1): [key;value;type;size;data].

import { decodeValue, regTypeName, type RegValue } from '../value.js';
import { parseDirective, type PolDirective } from './directive.js';

/** The fields that make an instruction; what the serializer needs. */
export interface PolInstruction {
  key: string;
  valueName: string;
  type: number;
  /** The Data field exactly as stored (Size = data.length). */
  data: Buffer;
}

export class PolEntry implements PolInstruction {
  constructor(
    readonly key: string,
    readonly valueName: string,
    readonly type: number,
    readonly data: Buffer,
    /** Byte offset of the instruction's '[' in the file (-1 when built in memory). */
    readonly offset: number = -1,
  ) {}

  /** 'REG_SZ', …, or 'REG_UNKNOWN' (the code stays in `type`). */
  get typeName(): string {
    return regTypeName(this.type);
  }

  /** The data decoded by type: string, string[], number, bigint or bytes. Computed on each access. */
  get value(): RegValue {
    return decodeValue(this.type, this.data);
  }

  /** Set for special value names (**del., **delvals., …); undefined for ordinary values. */
  get directive(): PolDirective | undefined {
    return parseDirective(this.valueName, this.type, this.data);
  }
}
