import { describe, expect, it } from 'vitest';
import { EpmClient } from '../../../src/interfaces/epm/client.js';
import { endpointMapperInterface } from '../../../src/interfaces/epm/server.js';
import { buildTower, decodeTower } from '../../../src/interfaces/epm/tower.js';
import {
  decode_ept_lookup_out,
  decode_ept_map_out,
  encode_ept_lookup_in,
  encode_ept_map_in,
  EPM_SYNTAX,
  NULL_HANDLE,
  OP_ept_lookup,
  OP_ept_lookup_handle_free,
  OP_ept_map,
} from '../../../src/interfaces/epm/types.js';
import { RpcClient } from '../../../src/rpc/client.js';
import { RpcServer } from '../../../src/rpc/server.js';
import { STATUS } from '../../../src/rpc/status.js';
import { duplexPair } from '../../rpc/helpers.js';

const A = { uuid: 'aaaaaaaa-0000-1111-2222-333333333333', version: 1, minor: 2 };
const B = { uuid: 'bbbbbbbb-0000-1111-2222-333333333333', version: 3, minor: 0 };

function setup() {
  const app = new RpcServer();
  app.register({ ...A, name: 'alpha', opnums: {} });
  app.register({ ...B, name: 'beta', opnums: {} });
  app.addEndpoint({ protocol: 'ncacn_ip_tcp', endpoint: '49999', address: '127.0.0.30' });
  app.addEndpoint({ protocol: 'ncacn_np', endpoint: '\\pipe\\alpha', address: '127.0.0.30' });
  const epm = new RpcServer();
  epm.register(endpointMapperInterface({ servers: [app], hostName: 'HOST' }));
  return epm;
}

async function client(epm: RpcServer): Promise<RpcClient> {
  const [a, b] = duplexPair();
  epm.serve(b, { transport: 'other', clientAddress: 'x' });
  return RpcClient.bind(a, EPM_SYNTAX);
}

describe('towers (C706 App. L)', () => {
  it('encodes a TCP tower with a big-endian port and IPv4 address', () => {
    const t = buildTower(A, { protocol: 'ncacn_ip_tcp', port: 0x1234, address: '10.1.2.3' });
    expect(t.readUInt16LE(0)).toBe(5);
    // floor 4: lhs_len 1, 0x07, rhs_len 2, port 0x1234 big-endian; floor 5: lhs_len 1, 0x09, rhs_len 4, 10.1.2.3
    expect(t.subarray(-16).toString('hex')).toBe('0100070200123401000904000a010203');
    expect(decodeTower(t)).toMatchObject({ protocol: 'ncacn_ip_tcp', port: 0x1234, address: '10.1.2.3', interface: A });
  });

  it('decodes a named-pipe tower (0x0F + 0x11 floors)', () => {
    const t = decodeTower(buildTower(B, { protocol: 'ncacn_np', pipe: '\\PIPE\\beta', host: '\\\\HOST' }));
    expect(t).toMatchObject({ protocol: 'ncacn_np', pipe: '\\PIPE\\beta', host: '\\\\HOST', interface: B });
  });

  it('refuses more than 6 floors and truncated floors', () => {
    const t = Buffer.from(buildTower(A, { protocol: 'ncacn_ip_tcp', port: 1, address: '1.2.3.4' }));
    t.writeUInt16LE(7, 0);
    expect(() => decodeTower(t)).toThrow(/at most 6 floors/);
    expect(() => decodeTower(buildTower(A, { protocol: 'ncacn_ip_tcp', port: 1, address: '1.2.3.4' }).subarray(0, 30))).toThrow(/floor/);
  });
});

describe('endpoint mapper server', () => {
  it('ept_lookup pages with the entry handle and ends with EPT_S_NOT_REGISTERED; all entries appear once', async () => {
    const c = await client(setup());
    let handle = NULL_HANDLE;
    const seen: string[] = [];
    for (let i = 0; i < 10; i++) {
      const out = decode_ept_lookup_out(
        await c.call(OP_ept_lookup, encode_ept_lookup_in({ inquiry_type: 0, object: null, Ifid: null, vers_option: 1, entry_handle: handle, max_ents: 1 })),
      );
      if (out.status !== 0) {
        expect(out.status).toBe(STATUS.EPT_S_NOT_REGISTERED);
        expect(out.entry_handle.equals(NULL_HANDLE)).toBe(true);
        break;
      }
      for (const e of out.entries) seen.push(`${e.annotation} ${decodeTower(e.tower!).protocol}`);
      handle = out.entry_handle;
    }
    expect(seen.sort()).toEqual(['alpha ncacn_ip_tcp', 'alpha ncacn_np', 'beta ncacn_ip_tcp', 'beta ncacn_np']);
    c.close();
  });

  it('ept_lookup by interface, and handle free', async () => {
    const c = await client(setup());
    const out = decode_ept_lookup_out(
      await c.call(OP_ept_lookup, encode_ept_lookup_in({ inquiry_type: 1, object: null, Ifid: { Uuid: B.uuid, VersMajor: 3, VersMinor: 0 }, vers_option: 3, entry_handle: NULL_HANDLE, max_ents: 1 })),
    );
    expect(out.entries.map((e) => e.annotation)).toEqual(['beta']);
    // a full page returns a handle; freeing it works once, then it is unknown
    expect(out.entry_handle.equals(NULL_HANDLE)).toBe(false);
    await c.call(OP_ept_lookup_handle_free, out.entry_handle);
    await expect(c.call(OP_ept_lookup_handle_free, out.entry_handle)).rejects.toMatchObject({ status: STATUS.nca_s_fault_context_mismatch });
    c.close();
  });

  it('ept_map answers the TCP tower of a registered interface, not-registered otherwise', async () => {
    const epm = setup();
    const [a, b] = duplexPair();
    epm.serve(b);
    const c = new (EpmClient as unknown as { new (rpc: RpcClient): EpmClient })(await RpcClient.bind(a, EPM_SYNTAX));
    const towers = await c.map({ ...A, minor: 1 });
    expect(towers).toHaveLength(1);
    expect(towers[0]).toMatchObject({ protocol: 'ncacn_ip_tcp', port: 49999, address: '127.0.0.30' });
    await expect(c.map({ ...A, minor: 3 })).rejects.toMatchObject({ code: 'ERR_EPT_NOT_REGISTERED', status: STATUS.EPT_S_NOT_REGISTERED });
    const raw = decode_ept_map_out(await c.rpc.call(OP_ept_map, encode_ept_map_in({ obj: null, map_tower: Buffer.from('junk'), entry_handle: NULL_HANDLE, max_towers: 3 })));
    expect(raw).toMatchObject({ towers: [], status: STATUS.EPT_S_NOT_REGISTERED });
    c.close();
  });

  it('faults max_towers above range(0,500) with RPC_X_BAD_STUB_DATA', async () => {
    const c = await client(setup());
    const stub = Buffer.from(encode_ept_map_in({ obj: null, map_tower: null, entry_handle: NULL_HANDLE, max_towers: 500 }));
    stub.writeUInt32LE(501, stub.length - 4);
    await expect(c.call(OP_ept_map, stub)).rejects.toMatchObject({ status: STATUS.RPC_X_BAD_STUB_DATA });
    c.close();
  });
});
