// The endpoint mapper server (MS-RPCE §2.1.1.1, §2.2.1.2): answers ept_lookup and ept_map for the
// interfaces and endpoints of the RpcServers it advertises, on ADDR:135.
import { RpcFault } from '../../rpc/errors.js';
import type { CallContext, RpcInterface } from '../../rpc/server.js';
import { RpcServer, type RpcServerOptions } from '../../rpc/server.js';
import { STATUS } from '../../rpc/status.js';
import { listenTcp, type TcpListener } from '../../transport/tcp.js';
import { buildTower, decodeTower, type TowerEndpoint } from './tower.js';
import {
  decode_ept_lookup_handle_free_in,
  decode_ept_lookup_in,
  decode_ept_map_in,
  encode_ept_lookup_handle_free_out,
  encode_ept_lookup_out,
  encode_ept_map_out,
  EPM_PORT,
  EPM_SYNTAX,
  EPM_UUID,
  NIL_UUID,
  NULL_HANDLE,
  OP_ept_lookup,
  OP_ept_lookup_handle_free,
  OP_ept_map,
  RPC_C_EP_ALL_ELTS,
  RPC_C_EP_MATCH_BY_BOTH,
  RPC_C_EP_MATCH_BY_IF,
  RPC_C_EP_MATCH_BY_OBJ,
  RPC_C_VERS_COMPATIBLE,
  RPC_C_VERS_EXACT,
  RPC_C_VERS_MAJOR_ONLY,
  RPC_C_VERS_UPTO,
  type ept_entry_t,
  type RPC_IF_ID,
} from './types.js';

interface MapEntry {
  iface: RpcInterface;
  endpoint: TowerEndpoint;
}

/** Every (interface, endpoint) pair of the advertised servers, the mapper itself excluded. */
function entries(servers: () => RpcServer[], hostName: string): MapEntry[] {
  const out: MapEntry[] = [];
  for (const s of servers()) {
    for (const iface of s.interfaces()) {
      if (iface.uuid === EPM_UUID) continue;
      for (const e of s.endpoints) {
        const endpoint: TowerEndpoint =
          e.protocol === 'ncacn_ip_tcp'
            ? { protocol: 'ncacn_ip_tcp', port: Number(e.endpoint), address: e.address }
            : { protocol: 'ncacn_np', pipe: e.endpoint.replace(/^\\pipe\\/i, '\\PIPE\\'), host: `\\\\${hostName}` };
        out.push({ iface, endpoint });
      }
    }
  }
  return out;
}

function versionMatches(ifid: RPC_IF_ID, iface: RpcInterface, option: number): boolean {
  const major = iface.version;
  const minor = iface.minor ?? 0;
  switch (option) {
    case RPC_C_VERS_COMPATIBLE:
      return major === ifid.VersMajor && minor >= ifid.VersMinor;
    case RPC_C_VERS_EXACT:
      return major === ifid.VersMajor && minor === ifid.VersMinor;
    case RPC_C_VERS_MAJOR_ONLY:
      return major === ifid.VersMajor;
    case RPC_C_VERS_UPTO:
      return major < ifid.VersMajor || (major === ifid.VersMajor && minor <= ifid.VersMinor);
    default:
      return true; // RPC_C_VERS_ALL
  }
}

export interface EndpointMapperOptions {
  /** The servers whose interfaces and endpoints are advertised (a function: they may change). */
  servers: RpcServer[] | (() => RpcServer[]);
  /** NetBIOS host name put in named-pipe towers. */
  hostName?: string;
}

export function endpointMapperInterface(opts: EndpointMapperOptions): RpcInterface {
  const servers = typeof opts.servers === 'function' ? opts.servers : () => opts.servers as RpcServer[];
  const hostName = opts.hostName ?? 'HIVEWIRE';

  function lookup(stub: Buffer, call: CallContext): Buffer {
    const req = decode_ept_lookup_in(stub);
    const all = entries(servers, hostName).filter(({ iface }) => {
      const byIf = req.inquiry_type === RPC_C_EP_MATCH_BY_IF || req.inquiry_type === RPC_C_EP_MATCH_BY_BOTH;
      const byObj = req.inquiry_type === RPC_C_EP_MATCH_BY_OBJ || req.inquiry_type === RPC_C_EP_MATCH_BY_BOTH;
      if (req.inquiry_type !== RPC_C_EP_ALL_ELTS && !byIf && !byObj) return false;
      if (byIf && req.Ifid && (req.Ifid.Uuid !== iface.uuid || !versionMatches(req.Ifid, iface, req.vers_option))) return false;
      // we register every interface with the nil object UUID: it matches only a nil object query
      if (byObj && req.object && req.object !== NIL_UUID) return false;
      return true;
    });
    // paging (C706 App. O): a full page hands back a handle to continue from; a short page ends the
    // walk with a NULL handle, and a continuation that finds nothing answers EPT_S_NOT_REGISTERED
    // (impacket stops on the NULL handle, Samba's rpcclient on the status)
    let start = 0;
    const resuming = !req.entry_handle.equals(NULL_HANDLE);
    if (resuming) start = call.handles.get<{ next: number }>(req.entry_handle).next;
    const page = all.slice(start, start + req.max_ents);
    let handle = NULL_HANDLE;
    if (page.length > 0 && page.length === req.max_ents) {
      if (resuming) {
        call.handles.get<{ next: number }>(req.entry_handle).next = start + page.length;
        handle = req.entry_handle;
      } else handle = call.handles.create({ next: start + page.length });
    } else if (resuming) call.handles.close(req.entry_handle);
    const out: ept_entry_t[] = page.map(({ iface, endpoint }) => ({
      object: NIL_UUID,
      tower: buildTower({ uuid: iface.uuid, version: iface.version, minor: iface.minor ?? 0 }, endpoint),
      annotation: iface.name ?? '',
    }));
    return encode_ept_lookup_out(
      { entry_handle: handle, entries: out, status: out.length > 0 ? 0 : STATUS.EPT_S_NOT_REGISTERED },
      req.max_ents,
    );
  }

  function map(stub: Buffer): Buffer {
    const req = decode_ept_map_in(stub);
    const notFound = encode_ept_map_out({ entry_handle: NULL_HANDLE, towers: [], status: STATUS.EPT_S_NOT_REGISTERED }, req.max_towers);
    if (!req.map_tower) return notFound;
    let tower;
    try {
      tower = decodeTower(req.map_tower);
    } catch {
      return notFound; // a tower we cannot read maps to nothing (MS-RPCE §3.1.3.5.3)
    }
    const want = tower.interface;
    const towers = entries(servers, hostName)
      .filter(({ iface, endpoint }) =>
        iface.uuid === want.uuid && iface.version === want.version && (iface.minor ?? 0) >= want.minor && endpoint.protocol === tower.protocol,
      )
      .slice(0, req.max_towers)
      .map(({ iface, endpoint }) => buildTower({ uuid: iface.uuid, version: iface.version, minor: iface.minor ?? 0 }, endpoint));
    if (towers.length === 0) return notFound;
    return encode_ept_map_out({ entry_handle: NULL_HANDLE, towers, status: 0 }, req.max_towers);
  }

  function handleFree(stub: Buffer, call: CallContext): Buffer {
    const { entry_handle } = decode_ept_lookup_handle_free_in(stub);
    if (!entry_handle.equals(NULL_HANDLE)) {
      if (!call.handles.has(entry_handle)) throw new RpcFault(STATUS.nca_s_fault_context_mismatch);
      call.handles.close(entry_handle);
    }
    return encode_ept_lookup_handle_free_out(0);
  }

  return {
    ...EPM_SYNTAX,
    name: 'Endpoint Mapper',
    opnums: { [OP_ept_lookup]: lookup, [OP_ept_map]: map, [OP_ept_lookup_handle_free]: handleFree },
  };
}

export interface RunningEndpointMapper {
  server: RpcServer;
  listener: TcpListener;
  close(): Promise<void>;
}

/** Starts an endpoint mapper on host:135 (or `port`) advertising `servers`. */
export async function startEndpointMapper(
  host: string,
  opts: EndpointMapperOptions & { port?: number; rpc?: RpcServerOptions },
): Promise<RunningEndpointMapper> {
  const server = new RpcServer(opts.rpc);
  server.register(endpointMapperInterface(opts));
  const listener = await listenTcp(server, host, opts.port ?? EPM_PORT);
  return {
    server,
    listener,
    close: async () => {
      await listener.close();
      server.closeAll();
    },
  };
}
