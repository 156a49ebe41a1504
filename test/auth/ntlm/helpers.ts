// Test helpers: run a client/server pair to completion, and build an RPC-shaped message.
import { NtlmClient, NtlmServer, type NtlmClientOptions, type NtlmServerOptions } from '../../../src/auth/ntlm/index.js';
import type { SecurityContext } from '../../../src/auth/types.js';

export const ACCOUNTS = [
  { user: 'alice', password: 'Secret#1', sid: 'S-1-5-21-1-2-3-1001' },
  { user: 'bob', domain: 'LAB', ntHash: Buffer.from('a4f49c406510bdcab6824ee7c30fd852', 'hex') }, // "Password"
];

export function pair(client: Partial<NtlmClientOptions> = {}, server: Partial<NtlmServerOptions> = {}) {
  const c = new NtlmClient({ user: 'alice', domain: 'HIVEWIRE', password: 'Secret#1', workstation: 'WS1', ...client });
  const s = new NtlmServer({ accounts: ACCOUNTS, ...server });
  return { c, s };
}

/** Runs the exchange; `tamper` may rewrite each token in flight (index 0 = NEGOTIATE, 1 = CHALLENGE, 2 = AUTHENTICATE). */
export function run(c: SecurityContext, s: SecurityContext, tamper?: (i: number, token: Buffer) => Buffer): void {
  const t = (i: number, b: Buffer) => (tamper ? tamper(i, Buffer.from(b)) : b);
  const neg = c.step(undefined).output!;
  const chal = s.step(t(0, neg)).output!;
  const auth = c.step(t(1, chal)).output!;
  s.step(t(2, auth));
}

/** A DCE/RPC request-shaped PDU: 24-byte header, stub, 8-byte sec_trailer; returns it and the stub range. */
export function rpcPdu(stubLen: number, seed = 1): { pdu: Buffer; start: number; end: number } {
  const pdu = Buffer.alloc(24 + stubLen + 8);
  for (let i = 0; i < pdu.length; i++) pdu[i] = (i * 31 + seed * 7) & 0xff;
  return { pdu, start: 24, end: 24 + stubLen };
}
