// Endpoint mapper client: ept_map to resolve an interface's dynamic TCP port (works against Samba,
// which answers ept_map but not ept_lookup), and ept_lookup to list a mapper's entries.
import { RpcClient } from '../../rpc/client.js';
import { HivewireError } from '../../util/errors.js';
import { statusName } from '../../rpc/status.js';
import type { SyntaxId } from '../../rpc/pdu/types.js';
import { connectRpc, type ConnectOptions } from '../../transport/connect.js';
import type { StringBinding } from '../../transport/binding.js';
import { buildTower, decodeTower, type Tower } from './tower.js';
import {
  decode_ept_lookup_out,
  decode_ept_map_out,
  encode_ept_lookup_in,
  encode_ept_map_in,
  EPM_PORT,
  EPM_SYNTAX,
  EPT_MAX_ENTRIES,
  NIL_UUID,
  NULL_HANDLE,
  OP_ept_lookup,
  OP_ept_map,
  RPC_C_EP_ALL_ELTS,
  RPC_C_VERS_ALL,
} from './types.js';

/** The mapper answered but has no matching entry (status EPT_S_NOT_REGISTERED or another failure). */
export class EndpointNotFoundError extends HivewireError {
  readonly status: number;
  constructor(what: string, status: number) {
    super('ERR_EPT_NOT_REGISTERED', `endpoint mapper: ${what}: ${statusName(status)}`);
    this.status = status;
  }
}

export interface EpmEntry {
  object: string;
  annotation: string;
  tower: Tower | null;
  towerBytes: Buffer | null;
}

export class EpmClient {
  private constructor(readonly rpc: RpcClient) {}

  static async connect(host: string, opts: ConnectOptions & { port?: number } = {}): Promise<EpmClient> {
    return new EpmClient(await connectRpc(`ncacn_ip_tcp:${host}[${opts.port ?? EPM_PORT}]`, EPM_SYNTAX, opts));
  }

  /** ept_map for `syntax` over ncacn_ip_tcp: the towers the mapper returns (MS-RPCE §2.2.1.2.5). */
  async map(syntax: SyntaxId, maxTowers = 4): Promise<Tower[]> {
    const map_tower = buildTower(syntax, { protocol: 'ncacn_ip_tcp', port: 0, address: '0.0.0.0' });
    const out = decode_ept_map_out(
      await this.rpc.call(OP_ept_map, encode_ept_map_in({ obj: NIL_UUID, map_tower, entry_handle: NULL_HANDLE, max_towers: maxTowers })),
    );
    if (out.status !== 0) throw new EndpointNotFoundError(`ept_map ${syntax.uuid} v${syntax.version}.${syntax.minor}`, out.status);
    return out.towers.filter((t): t is Buffer => t !== null).map((t) => decodeTower(t));
  }

  /** ept_lookup of every entry (RPC_C_EP_ALL_ELTS), following the entry handle page by page. */
  async lookupAll(): Promise<EpmEntry[]> {
    const all: EpmEntry[] = [];
    let handle = NULL_HANDLE;
    for (let page = 0; page < 1000; page++) {
      const out = decode_ept_lookup_out(
        await this.rpc.call(
          OP_ept_lookup,
          encode_ept_lookup_in({ inquiry_type: RPC_C_EP_ALL_ELTS, object: null, Ifid: null, vers_option: RPC_C_VERS_ALL, entry_handle: handle, max_ents: EPT_MAX_ENTRIES }),
        ),
      );
      if (out.status !== 0) {
        if (all.length === 0) throw new EndpointNotFoundError('ept_lookup', out.status);
        break;
      }
      for (const e of out.entries) {
        let tower: Tower | null = null;
        try {
          tower = e.tower ? decodeTower(e.tower, 16) : null;
        } catch {
          tower = null;
        }
        all.push({ object: e.object, annotation: e.annotation, tower, towerBytes: e.tower });
      }
      handle = out.entry_handle;
      if (handle.equals(NULL_HANDLE)) break;
    }
    return all;
  }

  close(): void {
    this.rpc.close();
  }
}

/** The TCP port of `interfaceUuid` v`version` on `host`, from the endpoint mapper on host:135. */
export async function resolvePort(
  host: string,
  interfaceUuid: string,
  version: number | { major: number; minor: number },
  opts: ConnectOptions & { port?: number } = {},
): Promise<number> {
  const syntax: SyntaxId =
    typeof version === 'number' ? { uuid: interfaceUuid, version, minor: 0 } : { uuid: interfaceUuid, version: version.major, minor: version.minor };
  const epm = await EpmClient.connect(host, opts);
  try {
    const towers = await epm.map(syntax);
    const tcp = towers.find((t) => t.protocol === 'ncacn_ip_tcp' && t.port);
    if (!tcp?.port) throw new EndpointNotFoundError(`ept_map ${interfaceUuid}: no TCP tower`, 0x16c9a0d6);
    return tcp.port;
  } finally {
    epm.close();
  }
}

/** An endpoint resolver for connectRpc: asks the mapper on the binding's host. */
export function epmResolver(opts: ConnectOptions & { port?: number } = {}) {
  return async (b: StringBinding, syntax: SyntaxId): Promise<string> =>
    String(await resolvePort(b.host, syntax.uuid, { major: syntax.version, minor: syntax.minor }, opts));
}
