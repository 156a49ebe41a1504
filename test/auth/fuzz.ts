// Mutation fuzzing of the NTLM and SPNEGO decoders (shared by the CI sample in fuzz.test.ts and the full
// run in bench/auth-fuzz.ts). Inputs are valid tokens from a real exchange; mutations are byte flips,
// truncations, insertions and edits of length/offset fields. The only acceptable failure is a
// HivewireError.
import { NtlmClient, NtlmServer, decodeAuthenticateMessage, decodeAvPairs, decodeChallengeMessage, decodeNegotiateMessage, decodeNtlmv2Response } from '../../src/auth/ntlm/index.js';
import { SpnegoClient, SpnegoServer } from '../../src/auth/spnego/context.js';
import { decodeNegotiationToken } from '../../src/auth/spnego/tokens.js';
import { HivewireError } from '../../src/util/errors.js';
import { Rng } from '../harness/rng.js';

const ACCOUNTS = [{ user: 'alice', password: 'Secret#1' }];

export interface Target {
  name: string;
  seeds: Buffer[];
  run: (input: Buffer) => unknown;
}

/** Valid tokens captured from one NTLM and one SPNEGO exchange of our client and server. */
export function buildTargets(): Target[] {
  const c = new NtlmClient({ user: 'alice', domain: 'HIVEWIRE', password: 'Secret#1', workstation: 'WS1' });
  // A deterministic server (fixed challenge and clock) so that a replayed AUTHENTICATE is valid again.
  const hooks = { randomBytes: (n: number) => Buffer.alloc(n, 1), now: () => Date.UTC(2026, 0, 1) };
  const serverOpts = { accounts: ACCOUNTS, dnsDomainName: 'lab.example', dnsComputerName: 'srv.lab.example', testHooks: hooks };
  const s = new NtlmServer(serverOpts);
  const neg = c.step(undefined).output!;
  const chal = s.step(neg).output!;
  const auth = c.step(chal).output!;
  s.step(auth);
  const nt = decodeAuthenticateMessage(auth).NtChallengeResponse;

  const sc = new SpnegoClient({ user: 'alice', domain: '', password: 'Secret#1' });
  const ss = new SpnegoServer({ accounts: ACCOUNTS });
  const init = sc.step(SpnegoServer.hintToken()).output!;
  const resp1 = ss.step(init).output!;
  const resp2 = sc.step(resp1).output!;
  const fin = ss.step(resp2).output!;

  // A server that has sent its CHALLENGE, to be fed a mutated AUTHENTICATE (the whole verification path).
  const acceptAuth = (input: Buffer) => {
    const srv = new NtlmServer(serverOpts);
    srv.step(neg);
    return srv.step(input);
  };
  const acceptSpnego = (input: Buffer) => new SpnegoServer({ accounts: ACCOUNTS }).step(input);
  // Clients face hostile servers too: a mutated CHALLENGE / NegTokenResp after our first token.
  const clientChallenge = (input: Buffer) => {
    const cl = new NtlmClient({ user: 'alice', domain: '', password: 'Secret#1' });
    cl.step(undefined);
    return cl.step(input);
  };
  const spnegoClientResp = (input: Buffer) => {
    const cl = new SpnegoClient({ user: 'alice', domain: '', password: 'Secret#1' });
    cl.step(undefined);
    return cl.step(input);
  };

  return [
    { name: 'NTLM NEGOTIATE_MESSAGE', seeds: [neg], run: decodeNegotiateMessage },
    { name: 'NTLM CHALLENGE_MESSAGE', seeds: [chal], run: decodeChallengeMessage },
    { name: 'NTLM AUTHENTICATE_MESSAGE', seeds: [auth], run: decodeAuthenticateMessage },
    { name: 'NTLMv2_RESPONSE', seeds: [nt], run: decodeNtlmv2Response },
    { name: 'AV_PAIR list', seeds: [chal.subarray(chal.readUInt32LE(44), chal.readUInt32LE(44) + chal.readUInt16LE(40))], run: (b) => decodeAvPairs(b) },
    { name: 'SPNEGO tokens', seeds: [init, resp1, resp2, fin, SpnegoServer.hintToken()], run: decodeNegotiationToken },
    { name: 'NtlmServer AUTHENTICATE', seeds: [auth], run: acceptAuth },
    { name: 'SpnegoServer first token', seeds: [init, neg], run: acceptSpnego },
    { name: 'NtlmClient CHALLENGE', seeds: [chal], run: clientChallenge },
    { name: 'SpnegoClient NegTokenResp', seeds: [resp1], run: spnegoClientResp },
  ];
}


const INTERESTING16 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xfffe, 0xffff];

export function mutate(seed: Buffer, rng: Rng): Buffer {
  const b = Buffer.from(seed);
  const rounds = 1 + rng.int(3);
  let out = b;
  for (let r = 0; r < rounds; r++) {
    if (out.length === 0) return out;
    const at = rng.int(out.length);
    switch (rng.int(8)) {
      case 0: // bit flip
        out[at] = out[at]! ^ (1 << rng.int(8));
        break;
      case 1: // random byte
        out[at] = rng.int(256);
        break;
      case 2: // truncate
        out = out.subarray(0, rng.int(out.length));
        break;
      case 3: // 16-bit length/offset field edit (NTLM fields are little-endian)
        if (at + 2 <= out.length) out.writeUInt16LE(INTERESTING16[rng.int(INTERESTING16.length)]!, at);
        break;
      case 4: // 32-bit offset edit
        if (at + 4 <= out.length) out.writeUInt32LE([0, 0xffffffff, out.length, out.length - 1, 0x80000000][rng.int(5)]! >>> 0, at);
        break;
      case 5: // DER length byte edit: long forms, indefinite, off by one
        out[at] = [0x80, 0x81, 0x82, 0x84, 0x85, 0xff, 0x7f, (out[at]! + 1) & 0xff, (out[at]! - 1) & 0xff][rng.int(9)]!;
        break;
      case 6: // insert random bytes
        out = Buffer.concat([out.subarray(0, at), Buffer.from(Array.from({ length: 1 + rng.int(8) }, () => rng.int(256))), out.subarray(at)]);
        break;
      default: // delete a run
        out = Buffer.concat([out.subarray(0, at), out.subarray(Math.min(out.length, at + 1 + rng.int(16)))]);
    }
  }
  return out;
}

export interface FuzzResult {
  cases: number;
  typedErrors: number;
  accepted: number;
  failures: { target: string; input: string; error: string }[];
  slowestMs: number;
  /** The slowest case, to replay it alone when it looks suspicious. */
  slowest?: { target: string; input: string };
}

/** Runs `perTarget` mutated cases against every target. */
export function fuzz(targets: Target[], perTarget: number, seed = 0x5eed): FuzzResult {
  const rng = new Rng(seed);
  const res: FuzzResult = { cases: 0, typedErrors: 0, accepted: 0, failures: [], slowestMs: 0 };
  for (const t of targets) {
    for (let i = 0; i < perTarget; i++) {
      const input = mutate(t.seeds[rng.int(t.seeds.length)]!, rng);
      const t0 = performance.now();
      try {
        t.run(input);
        res.accepted++;
      } catch (err) {
        if (err instanceof HivewireError) res.typedErrors++;
        else if (res.failures.length < 20) res.failures.push({ target: t.name, input: input.toString('hex'), error: String(err) });
      }
      const dt = performance.now() - t0;
      if (dt > res.slowestMs) {
        res.slowestMs = dt;
        res.slowest = { target: t.name, input: input.toString('hex') };
      }
      res.cases++;
    }
  }
  return res;
}
