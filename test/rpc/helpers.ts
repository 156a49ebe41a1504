// Shared helpers for the RPC tests: an in-memory duplex pair, a test interface, NTLM contexts.
import { Duplex } from 'node:stream';
import { NtlmClient } from '../../src/auth/ntlm/index.js';
import { serverSecurity } from '../../src/rpc/auth.js';
import type { SecurityContext } from '../../src/auth/types.js';
import type { RpcInterface } from '../../src/rpc/server.js';

/** Two connected in-memory streams (Node 20 has no stream.duplexPair). */
export function duplexPair(): [Duplex, Duplex] {
  let a!: Duplex;
  let b!: Duplex;
  const make = (peer: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        const p = peer();
        setImmediate(() => {
          if (!p.destroyed) p.push(Buffer.from(chunk));
        });
        cb();
      },
      final(cb) {
        const p = peer();
        setImmediate(() => p.push(null));
        cb();
      },
      destroy(err, cb) {
        const p = peer();
        setImmediate(() => {
          if (!p.destroyed) p.destroy();
        });
        cb(err);
      },
    });
  a = make(() => b);
  b = make(() => a);
  return [a, b];
}

export const TEST_USER = { user: 'rpcuser', domain: 'HIVE', password: 'Pa55word!' };

/** NTLM (10) and SPNEGO (9) acceptors for the test account. */
export function ntlmServerFactory(): (authType: number) => SecurityContext | undefined {
  return serverSecurity({
    accounts: [{ user: TEST_USER.user, domain: TEST_USER.domain, password: TEST_USER.password, sid: 'S-1-5-21-1-2-3-1001', groups: ['S-1-5-32-544'] }],
    netbiosDomainName: 'HIVE',
    netbiosComputerName: 'HIVEWIRE',
  });
}

export function ntlmClient(password = TEST_USER.password): NtlmClient {
  return new NtlmClient({ user: TEST_USER.user, domain: TEST_USER.domain, password });
}

/** A tiny interface for tests: 0 echo, 1 reverse, 2 open handle, 3 close handle, 4 slow echo, 5 throws. */
export const ECHO_UUID = 'a3b2c1d0-4e5f-4a6b-9c8d-0123456789ab';
export function echoInterface(log: string[] = []): RpcInterface {
  return {
    uuid: ECHO_UUID,
    version: 1,
    name: 'hivewire-test-echo',
    opnums: {
      0: (stub) => stub,
      1: (stub) => Buffer.from(stub).reverse(),
      2: (stub, call) => call.handles.create(stub.toString(), (v) => log.push(`rundown ${v}`)),
      3: (stub, call) => {
        call.handles.close(stub);
        return Buffer.alloc(20);
      },
      4: async (stub, call) => {
        const ms = stub.readUInt32LE(0);
        await new Promise<void>((res) => {
          const t = setTimeout(res, ms);
          call.signal.addEventListener('abort', () => {
            clearTimeout(t);
            res();
          });
        });
        return stub;
      },
      5: () => {
        throw new RangeError('bad stub');
      },
      6: (_stub, call) => Buffer.from(JSON.stringify(call.identity)),
    },
  };
}
