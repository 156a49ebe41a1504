// SMB2 round trips per second, measured in one run: our Smb2Client against our Smb2Server
// (127.0.0.20) and against Samba's smbd (127.0.0.2, started by the test harness), same dialect,
// signed (or encrypted). Loads: ECHO one at a time and 32 in flight; and pipe TRANSCEIVE round trips carrying a
// winreg BaseRegGetVersion request (44 bytes): Samba's rpcd_winreg answers it (after a bind and
// OpenLocalMachine), ours goes to an echo pipe, so the figure is the SMB2 pipe path plus the RPC answer.
// Our server runs in a child process of its own (as Samba's smbd does), so client and server do not
// share one event loop.
// Usage: npm run bench:smb2 [-- SECONDS_PER_CASE]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Smb2Client } from '../src/smb2/client.js';
import { Dialect } from '../src/smb2/constants.js';
import { Smb2Server } from '../src/smb2/server.js';
import { addLoopback, removeLoopback } from '../test/harness/peers.js';
import { startSambaRegistry } from '../test/harness/samba-registry.js';
import { getVersion, openLocalMachine, responseStub, winregBind } from '../test/smb2/winreg-bind.js';

let seconds = Number(process.argv[2] ?? 1);
const ROUNDS = 5;
const OUR_IP = '127.0.0.20';
const USER = 'tester';
const PASS = 'LabTest123';

async function rate(fn: () => Promise<unknown>, inFlight: number): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const worker = async () => {
    while (performance.now() < end) {
      await fn();
      n++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return n / ((performance.now() - t0) / 1000);
}

/** One connected client per server with what each case needs. */
async function setup(host: string, pipeName: string) {
  const c = await Smb2Client.connect({ host, user: USER, password: PASS, dialects: [Dialect.SMB311], signing: 'required' });
  const e = await Smb2Client.connect({ host, user: USER, password: PASS, dialects: [Dialect.SMB311], encrypt: true });
  const pipe = await c.openPipe(pipeName);
  await pipe.transact(winregBind(1));
  const handle = Buffer.from(responseStub(await pipe.transact(openLocalMachine(2))).subarray(0, 20));
  let callId = 3;
  const cases = {
    echo1: () => rate(() => c.echo(), 1),
    echo32: () => rate(() => c.echo(), 32),
    echoEnc: () => rate(() => e.echo(), 1),
    trans: () => rate(async () => {
      const stub = responseStub(await pipe.transact(getVersion(callId++, handle)));
      if (stub.length < 8) throw new Error('short BaseRegGetVersion response');
    }, 1),
  };
  for (const run of Object.values(cases)) await rateWarm(run);
  return { cases, close: async () => { pipe.destroy(); await c.close(); await e.close(); } };
}

async function rateWarm(run: () => Promise<number>): Promise<void> {
  const saved = seconds;
  seconds = 0.3;
  await run();
  seconds = saved;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function serve(): Promise<void> {
  const server = new Smb2Server({ accounts: [{ user: USER, password: PASS }], signing: 'required' });
  // answers every request PDU with a response PDU of the same call: a stand-in for an RPC server
  server.registerPipe('echo', (pipe) => pipe.on('data', (d: Buffer) => {
    const out = Buffer.from(d);
    if (out[2] === 0) out[2] = 2; // request → response
    if (out[2] === 11) out[2] = 12; // bind → bind_ack
    pipe.write(out);
  }));
  await server.listen(445, OUR_IP);
  process.stdout.write('ready\n');
  process.stdin.resume();
  process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
}

async function main(): Promise<void> {
  const addedIp = addLoopback(OUR_IP);
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let samba: Awaited<ReturnType<typeof startSambaRegistry>> | null = null;
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`our server exited (${code})`)));
    });
    samba = await startSambaRegistry();
    const ours = await setup(OUR_IP, 'echo');
    const theirs = await setup(samba.ip, 'winreg');
    const line = (what: string, a: number, b: number) =>
      console.log(`${what.padEnd(50)} ours ${a.toFixed(0).padStart(7)}/s   samba ${b.toFixed(0).padStart(7)}/s   ratio ${(a / b).toFixed(2)}x`);
    console.log(`SMB 3.1.1, our Smb2Client as the client; median of ${ROUNDS} alternating ${seconds} s runs per case`);
    const names: Record<keyof typeof ours.cases, string> = {
      echo1: 'ECHO round trips, signed (AES-CMAC), 1 in flight',
      echo32: 'ECHO round trips, signed, 32 in flight',
      echoEnc: 'ECHO round trips, encrypted (AES-GCM), 1 in flight',
      trans: 'pipe TRANSCEIVE round trips (winreg call)',
    };
    for (const k of Object.keys(names) as Array<keyof typeof names>) {
      const a: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        a.push(await ours.cases[k]());
        b.push(await theirs.cases[k]());
      }
      line(names[k], median(a), median(b));
    }
    await ours.close();
    await theirs.close();
  } finally {
    await samba?.stop();
    child.stdin!.end();
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    if (addedIp) removeLoopback(OUR_IP);
  }
}

if (process.argv.includes('--serve')) await serve();
else await main();
