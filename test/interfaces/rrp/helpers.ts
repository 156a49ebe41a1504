// Calls the RRP server's handlers in process, through the same stubs a client sends (types.ts), with a
// CallContext per "association" (its own context handle table).
import { RrpServer, type RrpServerOptions } from '../../../src/interfaces/rrp/server.js';
import * as T from '../../../src/interfaces/rrp/types.js';
import { RegistryStore } from '../../../src/registry/index.js';
import { ContextHandleTable } from '../../../src/rpc/context-handles.js';
import type { CallContext, CallIdentity } from '../../../src/rpc/server.js';
import { windowsSecurityModel } from '../../../src/serve/security-model.js';

export const ADMIN: CallIdentity = {
  user: 'admin', domain: 'HW', sid: 'S-1-5-21-1-2-3-500', groups: ['S-1-5-32-544', 'S-1-5-32-545'],
  privileges: ['SeBackupPrivilege', 'SeRestorePrivilege'], anonymous: false, source: 'rpc',
};
export const READER: CallIdentity = {
  user: 'reader', domain: 'HW', sid: 'S-1-5-21-1-2-3-1001', groups: ['S-1-5-32-545'], privileges: [], anonymous: false, source: 'rpc',
};
export const ANONYMOUS: CallIdentity = { user: '', domain: '', groups: [], privileges: [], anonymous: true, source: 'none' };

type Op = { opnum: number; encodeRequest(v: any): Buffer; decodeResponse(b: Buffer, inV?: any): any };

export class Assoc {
  readonly handles = new ContextHandleTable();
  constructor(readonly server: RrpServer, public identity: CallIdentity) {}
  async call<O extends Op>(op: O, req: Parameters<O['encodeRequest']>[0]): Promise<ReturnType<O['decodeResponse']>> {
    const handler = this.server.iface.opnums[op.opnum];
    if (!handler) throw new Error(`no handler for opnum ${op.opnum}`);
    const ctx = { opnum: op.opnum, callId: 1, iface: this.server.iface, identity: this.identity, authLevel: 6, handles: this.handles, signal: new AbortController().signal } as CallContext;
    const out = await handler(op.encodeRequest(req), ctx);
    // only QueryMultipleValues2 sizes an [out] array by an [in] parameter
    return op.decodeResponse(out, op.opnum === 34 ? req : undefined);
  }
  /** Runs the association down (the client went away). */
  end(): void {
    this.handles.rundownAll();
  }
}

export async function makeServer(opts: Partial<RrpServerOptions> = {}) {
  const store = await RegistryStore.open({ security: windowsSecurityModel() });
  const server = new RrpServer({ store, ...opts });
  return { store, server, assoc: (id: CallIdentity = ADMIN) => new Assoc(server, id) };
}

/** An RRP_UNICODE_STRING the way Windows clients send names: NUL-terminated, Length counting it. */
export function us(s: string): T.RRP_UNICODE_STRING {
  const n = (s.length + 1) * 2;
  return { Length: n, MaximumLength: n, Buffer: `${s}\0` };
}
export const sizeHint = (bytes: number): T.RRP_UNICODE_STRING => ({ Length: 0, MaximumLength: bytes, Buffer: null });
