// Interop with Samba's gensec (C; a peer we did not write) as the client: SPNEGO + NTLMSSP against our
// SpnegoServer (mechListMIC both ways), then signatures and GSS wrap/unwrap in both directions; and raw
// NTLMSSP against our NtlmServer. Fails (does not skip) when python3-samba is missing.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NtlmServer } from '../../../src/auth/ntlm/index.js';
import { SpnegoServer } from '../../../src/auth/spnego/context.js';
import { decodeNegotiationToken } from '../../../src/auth/spnego/tokens.js';
import type { SecurityContext } from '../../../src/auth/types.js';
import { ACCOUNTS } from '../ntlm/helpers.js';
import { requireSambaPython, SambaPeer } from './samba-peer.js';

beforeAll(() => requireSambaPython());

let peer: SambaPeer | undefined;
afterEach(() => {
  peer?.close();
  peer = undefined;
});

async function logon(server: SecurityContext, mech: string, password = 'Secret#1') {
  peer = new SambaPeer();
  await peer.call('start', { user: 'alice', password, domain: 'HIVEWIRE', mech });
  let toClient: Buffer = Buffer.alloc(0);
  const tokens: Buffer[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await peer.call('update', { token: toClient.toString('hex') });
    if (r.done && r.token === '') break;
    const fromClient = Buffer.from(r.token, 'hex');
    tokens.push(fromClient);
    const s = server.step(fromClient);
    if (s.output) {
      tokens.push(s.output);
      toClient = s.output;
    }
    if (r.done) break;
    if (s.complete && !s.output) break;
  }
  return { peer, tokens };
}

async function traffic(p: SambaPeer, server: SecurityContext) {
  // Samba signs, we verify; we sign, Samba verifies (several messages: sequence numbers advance alike).
  for (let i = 0; i < 3; i++) {
    const m = Buffer.from(`client message ${i}`);
    const { signature } = await p.call('sign', { data: m.toString('hex') });
    server.verify(m, Buffer.from(signature, 'hex'));
    const r = Buffer.from(`server message ${i}`);
    await p.call('check', { data: r.toString('hex'), signature: server.sign(r).toString('hex') });
  }
  // GSS wrap = signature ‖ sealed data (whole message sealed and signed).
  const plain = Buffer.from('sealed by samba '.repeat(20));
  const wrapped = Buffer.from((await p.call('wrap', { data: plain.toString('hex') })).data, 'hex');
  const body = Buffer.from(wrapped.subarray(16));
  server.unsealInPlace(body, 0, body.length, wrapped.subarray(0, 16));
  expect(body.equals(plain)).toBe(true);
  const ours = Buffer.from('sealed by hivewire '.repeat(20));
  const sig = server.sealInPlace(ours, 0, ours.length);
  const opened = Buffer.from((await p.call('unwrap', { data: Buffer.concat([sig, ours]).toString('hex') })).data, 'hex');
  expect(opened.toString()).toBe('sealed by hivewire '.repeat(20));
}

describe('interop: Samba gensec client → our servers', () => {
  it('SPNEGO: Samba logs on to SpnegoServer; mechListMIC verified both ways; same session key; sign and seal both ways', async () => {
    const server = new SpnegoServer({ accounts: ACCOUNTS });
    const { peer: p, tokens } = await logon(server, 'spnego');
    expect(server.complete).toBe(true);
    expect(server.identity).toMatchObject({ user: 'alice', domain: 'HIVEWIRE', workstation: 'SAMBACLI', anonymous: false });
    // Samba sent a mechListMIC with its AUTHENTICATE, and we answered with ours.
    expect(decodeNegotiationToken(tokens[2]!).resp!.mechListMIC).toHaveLength(16);
    expect(decodeNegotiationToken(tokens[3]!).resp!.mechListMIC).toHaveLength(16);
    expect((await p.call('session_key')).key).toBe(server.sessionKey.toString('hex'));
    await traffic(p, server);
  });

  it('raw NTLMSSP: Samba logs on to NtlmServer; sign and seal both ways', async () => {
    const server = new NtlmServer({ accounts: ACCOUNTS });
    const { peer: p } = await logon(server, 'ntlmssp');
    expect(server.complete).toBe(true);
    expect((await p.call('session_key')).key).toBe(server.sessionKey.toString('hex'));
    await traffic(p, server);
  });

  it('a wrong password from Samba is refused with STATUS_LOGON_FAILURE', async () => {
    const server = new SpnegoServer({ accounts: ACCOUNTS });
    await expect(logon(server, 'spnego', 'wrong')).rejects.toMatchObject({ code: 'ERR_AUTH_LOGON_FAILURE', status: 0xc000006d });
  });
});
