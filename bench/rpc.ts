// Round trips per second for a minimal call — ept_map of drsuapi on an endpoint mapper — at each auth
// level, over TCP and over an SMB2 named pipe (\pipe\epmapper): our server (127.0.0.36) against Samba
// AD DC's epmapper (127.0.0.3) in the same run, with our client in both cases. Then the load test:
// 200 concurrent clients x 1,000 calls over TCP and over SMB2 pipes against our server, with
// open context handles and memory after disconnect.
// Usage: npm run bench:rpc [-- --quick]
import { ntlmAuth } from '../src/rpc/auth.js';
import type { ClientAuth, RpcClient } from '../src/rpc/client.js';
import { RpcServer } from '../src/rpc/server.js';
import { Smb2Server } from '../src/smb2/server.js';
import { connectRpc } from '../src/transport/connect.js';
import { serveNamedPipes, smbPipeOpener } from '../src/transport/np.js';
import { listenTcp } from '../src/transport/tcp.js';
import { endpointMapperInterface } from '../src/interfaces/epm/server.js';
import { EPM_SYNTAX, NULL_HANDLE, encode_ept_map_in, decode_ept_map_out, OP_ept_map } from '../src/interfaces/epm/types.js';
import { buildTower } from '../src/interfaces/epm/tower.js';
import { startSambaDc } from '../test/harness/samba-dc.js';
import { ECHO_UUID, echoInterface } from '../test/rpc/helpers.js';
import { NtlmServer } from '../src/auth/ntlm/index.js';

const quick = process.argv.includes('--quick');
const OURS = '127.0.0.36';
const DRSUAPI = { uuid: 'e3514235-4b06-11d1-ab04-00c04fc2dcd2', version: 4, minor: 0 };
const USER = { user: 'benchuser', domain: 'HIVE', password: 'Bench123!' };
const LEVELS: [string, number][] = [
  ['none', 0],
  ['connect', 2],
  ['integrity', 5],
  ['privacy', 6],
];
const CALLS = quick ? 300 : 2000;
const IN_FLIGHT = 8;

const stub = encode_ept_map_in({
  obj: '00000000-0000-0000-0000-000000000000',
  map_tower: buildTower(DRSUAPI, { protocol: 'ncacn_ip_tcp', port: 0, address: '0.0.0.0' }),
  entry_handle: NULL_HANDLE,
  max_towers: 4,
});

/**
 * Sequential round trips/s and pipelined (8 in flight) calls/s of ept_map on one association; each is
 * the best of 3 rounds, because the machine is shared and one slow round says little about the server.
 */
async function measure(c: RpcClient): Promise<{ seq: number; pipelined: number }> {
  const check = (out: Buffer) => {
    if (decode_ept_map_out(out).towers.length === 0) throw new Error('ept_map found nothing');
  };
  for (let i = 0; i < 20; i++) check(await c.call(OP_ept_map, stub)); // warm up
  const round = Math.ceil(CALLS / 3);
  let seq = 0;
  let pipelined = 0;
  for (let k = 0; k < 3; k++) {
    let t = performance.now();
    for (let i = 0; i < round; i++) check(await c.call(OP_ept_map, stub));
    seq = Math.max(seq, round / ((performance.now() - t) / 1000));
    t = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next++ < round) check(await c.call(OP_ept_map, stub));
      }),
    );
    pipelined = Math.max(pipelined, round / ((performance.now() - t) / 1000));
  }
  return { seq, pipelined };
}

function auth(level: number, creds: { user: string; domain: string; password: string }): ClientAuth | undefined {
  return level ? ntlmAuth(creds, level) : undefined;
}

const fmt = (n: number) => n.toFixed(0).padStart(7);

async function main() {
  // --- our server: an app server with drsuapi's UUID registered (so ept_map finds it) + the mapper
  const accounts = [{ user: USER.user, domain: USER.domain, password: USER.password }];
  const security = (t: number) => (t === 10 ? new NtlmServer({ accounts, netbiosDomainName: 'HIVE' }) : undefined);
  const app = new RpcServer({ security });
  app.register({ ...DRSUAPI, name: 'drsuapi (bench stand-in)', opnums: {} });
  app.register(echoInterface());
  const appListener = await listenTcp(app, OURS, 0);
  const epm = new RpcServer({ security, limits: { maxCallsInFlight: 256 } });
  epm.register(endpointMapperInterface({ servers: [app] }));
  const epmListener = await listenTcp(epm, OURS, 135);
  const smb = new Smb2Server({ accounts, domain: 'HIVE' });
  serveNamedPipes(smb, epm, ['epmapper'], OURS);
  await smb.listen(445, OURS);

  const dc = await startSambaDc();
  const dcCreds = { user: dc.user, domain: dc.domain, password: dc.password };
  try {
    // Samba's dynamic listeners come up after 135 answers
    for (let i = 0; i < 100; i++) {
      try {
        const c = await connectRpc(`ncacn_ip_tcp:${dc.ip}[135]`, EPM_SYNTAX);
        const ok = decode_ept_map_out(await c.call(OP_ept_map, stub)).towers.length > 0;
        c.close();
        if (ok) break;
      } catch {
        // not yet
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    console.log(`ept_map round trips/s, one association, our client (best of 3 x ${Math.ceil(CALLS / 3)} calls; "x8" = 8 calls in flight)`);
    for (const transport of ['tcp', 'smb2'] as const) {
      for (const [name, level] of LEVELS) {
        const open = (host: string, creds: typeof USER) =>
          transport === 'tcp'
            ? connectRpc(`ncacn_ip_tcp:${host}[135]`, EPM_SYNTAX, { ...(auth(level, creds) ? { auth: auth(level, creds)! } : {}) })
            : connectRpc(`ncacn_np:${host}[\\pipe\\epmapper]`, EPM_SYNTAX, { openPipe: smbPipeOpener(creds), ...(auth(level, creds) ? { auth: auth(level, creds)! } : {}) });
        const ours = await open(OURS, USER);
        const o = await measure(ours);
        ours.close();
        let s: { seq: number; pipelined: number } | undefined;
        let err = '';
        try {
          const samba = await open(dc.ip, dcCreds);
          s = await measure(samba);
          samba.close();
        } catch (e) {
          err = (e as Error).message;
        }
        const label = `${transport.padEnd(4)} ${name.padEnd(9)}`;
        if (s) {
          console.log(
            `${label} hivewire ${fmt(o.seq)}/s  x8 ${fmt(o.pipelined)}/s | samba ${fmt(s.seq)}/s  x8 ${fmt(s.pipelined)}/s | ratio ${(o.seq / s.seq).toFixed(2)}x  x8 ${(o.pipelined / s.pipelined).toFixed(2)}x`,
          );
        } else {
          console.log(`${label} hivewire ${fmt(o.seq)}/s  x8 ${fmt(o.pipelined)}/s | samba: failed (${err})`);
        }
      }
    }
  } finally {
    await dc.stop();
  }

  // --- load: many concurrent clients, each opening a context handle and making calls
  const load = async (transport: 'tcp' | 'smb2', clients: number, calls: number) => {
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    const t = performance.now();
    let errors = 0;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        try {
          const c =
            transport === 'tcp'
              ? await connectRpc(`ncacn_ip_tcp:${OURS}[${appListener.port}]`, { uuid: ECHO_UUID, version: 1, minor: 0 })
              : await connectRpc(`ncacn_np:${OURS}[\\pipe\\hwecho]`, { uuid: ECHO_UUID, version: 1, minor: 0 }, { openPipe: smbPipeOpener(USER) });
          await c.call(2, Buffer.from('load'));
          const payload = Buffer.alloc(64, 1);
          for (let i = 0; i < calls; i++) {
            const r = await c.call(0, payload);
            if (r.length !== 64) errors++;
          }
          c.close();
        } catch {
          errors++;
        }
      }),
    );
    const secs = (performance.now() - t) / 1000;
    await new Promise((r) => setTimeout(r, 500));
    global.gc?.();
    const after = process.memoryUsage().heapUsed;
    const st = app.stats();
    console.log(
      `load ${transport}: ${clients} clients x ${calls} calls in ${secs.toFixed(1)} s = ${fmt((clients * calls) / secs)} calls/s, errors ${errors}, ` +
        `after disconnect: connections ${st.connections}, context handles ${st.contextHandles}, heap ${((after - before) / 1048576).toFixed(1)} MiB vs before`,
    );
  };
  serveNamedPipes(smb, app, ['hwecho'], OURS);
  await load('tcp', quick ? 50 : 200, quick ? 100 : 1000);
  await load('smb2', quick ? 20 : 200, quick ? 50 : 1000);

  await smb.close();
  await epmListener.close();
  await appListener.close();
  app.closeAll();
  epm.closeAll();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
