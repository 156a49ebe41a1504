// Third-party clients (impacket, Samba's rpcclient) against our RPC server and endpoint mapper on
// 127.0.0.30:135, over ncacn_ip_tcp, at auth levels none/connect/integrity/privacy with NTLM.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEndpointMapper, type RunningEndpointMapper } from '../../../src/interfaces/epm/server.js';
import { RpcServer } from '../../../src/rpc/server.js';
import { listenTcp, type TcpListener } from '../../../src/transport/tcp.js';
import { ECHO_UUID, echoInterface, ntlmServerFactory, TEST_USER } from '../../rpc/helpers.js';

const run = promisify(execFile);
const ADDR = '127.0.0.30';
const PY = '/usr/bin/python3';
const RPCDUMP = '/usr/share/doc/python3-impacket/examples/rpcdump.py';
const CLIENT = new URL('../../rpc/impacket-client.py', import.meta.url).pathname;

function requirePeers(): void {
  const missing: string[] = [];
  if (!existsSync(RPCDUMP)) missing.push('python3-impacket');
  if (!existsSync('/usr/bin/rpcclient')) missing.push('samba-common-bin');
  if (missing.length) throw new Error(`interop peers missing: run \`apt-get install -y ${missing.join(' ')}\` (or .ci/run)`);
}

let app: RpcServer;
let listener: TcpListener;
let epm: RunningEndpointMapper;
const errors: unknown[] = [];

beforeAll(async () => {
  requirePeers();
  app = new RpcServer({ security: ntlmServerFactory(), onError: (e) => errors.push(e) });
  app.register(echoInterface());
  listener = await listenTcp(app, ADDR, 0);
  epm = await startEndpointMapper(ADDR, { servers: [app], rpc: { security: ntlmServerFactory() } });
});

afterAll(async () => {
  await epm?.close();
  await listener?.close();
  app?.closeAll();
});

describe('impacket against our server', () => {
  it('rpcdump.py lists the registered interface through our endpoint mapper', async () => {
    const { stdout } = await run(PY, [RPCDUMP, ADDR], { timeout: 60_000 });
    expect(stdout).toContain(`UUID    : ${ECHO_UUID.toUpperCase()} v1.0 hivewire-test-echo`);
    expect(stdout).toContain(`ncacn_ip_tcp:${ADDR}[${listener.port}]`);
    expect(stdout).toContain('Received one endpoint');
  });

  for (const level of [1, 2, 5, 6]) {
    it(`impacket DCERPC_v5 binds with NTLM at level ${level} and calls ept_lookup and a fragmented echo`, async () => {
      const { stdout } = await run(
        PY,
        [CLIENT, ADDR, '135', String(listener.port), ECHO_UUID, TEST_USER.user, TEST_USER.password, TEST_USER.domain, String(level)],
        { timeout: 60_000 },
      );
      const out = JSON.parse(stdout.trim().split('\n').pop()!);
      expect(out.lookup).toEqual([{ annotation: 'hivewire-test-echo', binding: `ncacn_ip_tcp:${ADDR}[${listener.port}]` }]);
      expect(out.small).toBe(true);
      expect(out.big).toBe(true);
    });
  }
});

describe("Samba's rpcclient against our endpoint mapper", () => {
  for (const opt of ['', '[connect,ntlm]', '[sign,ntlm]', '[seal,ntlm]', '[sign,spnego]', '[seal,spnego]']) {
    it(`epmlookup over ncacn_ip_tcp:${ADDR}${opt}`, async () => {
      const { stdout, stderr } = await run('rpcclient', ['-U', `${TEST_USER.domain}/${TEST_USER.user}%${TEST_USER.password}`, `ncacn_ip_tcp:${ADDR}${opt}`, '-c', 'epmlookup'], {
        timeout: 60_000,
      });
      const all = stdout + stderr;
      expect(all).toContain(`ncacn_ip_tcp:${ADDR}[${listener.port},abstract_syntax=${ECHO_UUID}/0x00000001]: hivewire-test-echo`);
      expect(all).toContain('epm_Lookup no more entries');
    });
  }

  it('rpcclient with a wrong password is refused', async () => {
    const r = await run('rpcclient', ['-U', `${TEST_USER.domain}/${TEST_USER.user}%wrong`, `ncacn_ip_tcp:${ADDR}[seal,ntlm]`, '-c', 'epmlookup'], {
      timeout: 60_000,
    }).catch((e: { stdout: string; stderr: string }) => e);
    expect(`${r.stdout}${r.stderr}`).toMatch(/ACCESS_DENIED/);
  });
});
