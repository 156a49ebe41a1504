// RPC transports: string bindings, ncacn_ip_tcp, ncacn_np over SMB2.
export { parseBinding, formatBinding, normalisePipe, type StringBinding, type ProtocolSequence } from './binding.js';
export { connectTcp, listenTcp, TransportError, type TcpListener } from './tcp.js';
export { connectRpc, type ConnectOptions } from './connect.js';
export { serveNamedPipes, smbPipeOpener, type SmbCredentials } from './np.js';
