// ncacn_ip_tcp (MS-RPCE §2.1.1.1): PDUs straight on a TCP stream, for the client and the server.
import net from 'node:net';
import type { Endpoint, RpcServer } from '../rpc/server.js';
import { HivewireError } from '../util/errors.js';

export class TransportError extends HivewireError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_RPC_TRANSPORT', message, options);
  }
}

/** Opens a TCP connection; rejects with TransportError on failure or timeout. */
export function connectTcp(host: string, port: number, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port, noDelay: true });
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const timer = setTimeout(() => fail(new TransportError(`connect to ${host}:${port} timed out after ${timeoutMs} ms`)), timeoutMs);
    const onAbort = () => fail(new TransportError(`connect to ${host}:${port} aborted`));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    function fail(err: Error) {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      sock.destroy();
      reject(err);
    }
    sock.once('error', (err) => fail(new TransportError(`connect to ${host}:${port}: ${err.message}`, { cause: err })));
    sock.once('connect', () => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      sock.removeAllListeners('error');
      resolve(sock);
    });
  });
}

export interface TcpListener {
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves `server` on host:port (port 0 = any free port); registers the endpoint for the EPM. */
export function listenTcp(server: RpcServer, host: string, port = 0): Promise<TcpListener> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer({ noDelay: true }, (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    server.serve(sock, {
      transport: 'ncacn_ip_tcp',
      ...(sock.remoteAddress ? { clientAddress: sock.remoteAddress } : {}),
      secAddr: String(sock.localPort ?? ''),
    });
  });
  return new Promise((resolve, reject) => {
    srv.once('error', (err) => reject(new TransportError(`listen on ${host}:${port}: ${err.message}`, { cause: err })));
    srv.listen(port, host, () => {
      const addr = srv.address() as net.AddressInfo;
      const endpoint: Endpoint = { protocol: 'ncacn_ip_tcp', endpoint: String(addr.port), address: host };
      server.addEndpoint(endpoint);
      resolve({
        address: host,
        port: addr.port,
        close: () =>
          new Promise<void>((res) => {
            server.removeEndpoint(endpoint);
            for (const s of sockets) s.destroy();
            srv.close(() => res());
          }),
      });
    });
  });
}
