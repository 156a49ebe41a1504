// SMB2 round trips per second, measured in one run: our Smb2Client against our Smb2Server
// (127.0.0.20) and against Samba's smbd (127.0.0.2, started by the test harness), same dialect,
// signing on. Loads: ECHO one at a time and 32 in flight; and pipe TRANSCEIVE round trips carrying a
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

const seconds = Number(process.argv[2] ?? 3);
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
  for (let i = 0; i < 50; i++) await fn(); // warm-up
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return n / ((performance.now() - t0) / 1000);
}

async function measure(host: string, pipeName: string) {
  const c = await Smb2Client.connect({ host, user: USER, password: PASS, dialects: [Dialect.SMB311], signing: 'required' });
  try {
    const echo1 = await rate(() => c.echo(), 1);
    const echo32 = await rate(() => c.echo(), 32);
    const pipe = await c.openPipe(pipeName);
    await pipe.transact(winregBind(1));
    const handle = Buffer.from(responseStub(await pipe.transact(openLocalMachine(2))).subarray(0, 20));
    let callId = 3;
    const trans = await rate(async () => {
      const stub = responseStub(await pipe.transact(getVersion(callId++, handle)));
      if (stub.length < 8) throw new Error('short BaseRegGetVersion response');
    }, 1);
    pipe.destroy();
    return { echo1, echo32, trans };
  } finally {
    await c.close();
  }
}

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
    const ours = await measure(OUR_IP, 'echo');
    const theirs = await measure(samba.ip, 'winreg');
    const line = (what: string, a: number, b: number) =>
      console.log(`${what.padEnd(44)} ours ${a.toFixed(0).padStart(7)}/s   samba ${b.toFixed(0).padStart(7)}/s   ratio ${(a / b).toFixed(2)}x`);
    console.log(`SMB 3.1.1, signing (AES-CMAC), our Smb2Client as the client, ${seconds} s per case`);
    line('ECHO round trips, 1 in flight', ours.echo1, theirs.echo1);
    line('ECHO round trips, 32 in flight', ours.echo32, theirs.echo32);
    line('pipe TRANSCEIVE round trips (winreg call)', ours.trans, theirs.trans);
  } finally {
    await samba?.stop();
    child.stdin!.end();
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    if (addedIp) removeLoopback(OUR_IP);
  }
}

if (process.argv.includes('--serve')) await serve();
else await main();
