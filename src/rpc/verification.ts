// The verification trailer (MS-RPCE §2.2.2.13) that Windows clients append to the stub of a request:
// 8-byte signature, then SEC_VT commands (bitmask 0x0001, pcontext 0x0002, header2 0x0003; bit 0x4000
// ends the list, 0x8000 = must process). The server strips it so that strict NDR decoders do not see
// it as trailing bytes; its content is advisory here (the signed PDU already protects what it repeats).

const SIGNATURE = Buffer.from([0x8a, 0xe3, 0x13, 0x71, 0x02, 0xf4, 0x36, 0x71]);
const SEC_VT_COMMAND_END = 0x4000;
const SEC_VT_MUST_PROCESS = 0x8000;
const KNOWN = new Set([0x0001, 0x0002, 0x0003]);

export interface VerificationTrailer {
  /** The stub without the trailer. */
  stub: Buffer;
  /** A must-process command we do not know was present (MS-RPCE §2.2.2.13: reject the call). */
  unknownMustProcess: boolean;
}

/**
 * Finds a well-formed verification trailer at the end of `stub` (4-byte aligned, commands running
 * exactly to the end); returns undefined when there is none.
 */
export function splitVerificationTrailer(stub: Buffer): VerificationTrailer | undefined {
  let at = stub.lastIndexOf(SIGNATURE);
  while (at >= 0) {
    if (at % 4 === 0) {
      const parsed = parseCommands(stub, at + SIGNATURE.length);
      if (parsed) return { stub: stub.subarray(0, at), unknownMustProcess: parsed.unknownMustProcess };
    }
    at = at > 0 ? stub.lastIndexOf(SIGNATURE, at - 1) : -1;
  }
  return undefined;
}

function parseCommands(stub: Buffer, start: number): { unknownMustProcess: boolean } | undefined {
  let o = start;
  let unknownMustProcess = false;
  for (let n = 0; n < 64; n++) {
    if (o + 4 > stub.length) return undefined;
    const command = stub.readUInt16LE(o);
    const length = stub.readUInt16LE(o + 2);
    o += 4 + length;
    if (o > stub.length) return undefined;
    if (!KNOWN.has(command & 0x3fff) && command & SEC_VT_MUST_PROCESS) unknownMustProcess = true;
    if (command & SEC_VT_COMMAND_END) return o === stub.length ? { unknownMustProcess } : undefined;
  }
  return undefined;
}
