// Splitting a stub into request/response fragments under the negotiated fragment size
// (C706 §12.6.3.2, MS-RPCE §2.2.2.6 alloc_hint, §2.2.2.11: every fragment carries its own trailer).
import { PFC_FIRST_FRAG, PFC_LAST_FRAG, RPC_C_AUTHN_LEVEL_PKT_INTEGRITY, SEC_TRAILER_SIZE } from './pdu/constants.js';
import type { ConnectionSecurity } from './security.js';

/** The most stub bytes one fragment can carry. `fixed` = 24 (or 40 with an object UUID). */
export function maxStubPerFragment(maxFrag: number, fixed: number, sec: ConnectionSecurity | undefined): number {
  if (!sec || sec.authLevel < RPC_C_AUTHN_LEVEL_PKT_INTEGRITY) return maxFrag - fixed;
  const room = maxFrag - fixed - SEC_TRAILER_SIZE - sec.ctx.signatureSize;
  // a multiple of 16 leaves no auth padding in any fragment but the last
  return room - (room % 16);
}

export interface Fragment {
  flags: number;
  allocHint: number;
  data: Buffer;
}

export function splitStub(stub: Buffer, perFragment: number): Fragment[] {
  if (stub.length <= perFragment) return [{ flags: PFC_FIRST_FRAG | PFC_LAST_FRAG, allocHint: stub.length, data: stub }];
  const out: Fragment[] = [];
  for (let o = 0; o < stub.length; o += perFragment) {
    const end = Math.min(o + perFragment, stub.length);
    let flags = 0;
    if (o === 0) flags |= PFC_FIRST_FRAG;
    if (end === stub.length) flags |= PFC_LAST_FRAG;
    out.push({ flags, allocHint: stub.length - o, data: stub.subarray(o, end) });
  }
  return out;
}
