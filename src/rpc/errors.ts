// Typed errors of the RPC layer. The protocol status stays a number; its name comes from status.ts.
import { hex32 } from '../util/codes.js';
import { HivewireError } from '../util/errors.js';
import { statusName } from './status.js';

/** A fault PDU from the peer (C706 §12.6.4.7), or a fault our server is about to send. */
export class RpcFault extends HivewireError {
  readonly status: number;
  readonly statusName: string;
  /** PFC_DID_NOT_EXECUTE was set: the server never ran the call. */
  readonly didNotExecute: boolean;
  constructor(status: number, options?: { didNotExecute?: boolean; cause?: unknown }) {
    const name = statusName(status);
    super('ERR_RPC_FAULT', `RPC fault ${name} (${hex32(status)})`, options);
    this.status = status >>> 0;
    this.statusName = name;
    this.didNotExecute = options?.didNotExecute ?? false;
  }
}

/** The server refused the bind (bind_nak) or accepted none of the proposed presentation contexts. */
export class RpcBindError extends HivewireError {
  /** bind_nak provider_reject_reason, or the p_cont_def result reason of the rejected context. */
  readonly reason: number;
  constructor(message: string, reason: number) {
    super('ERR_RPC_BIND', message);
    this.reason = reason;
  }
}

/** Authentication failed, or a signed/sealed PDU did not verify. */
export class RpcSecurityError extends HivewireError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_RPC_SECURITY', message, options);
  }
}

/** The peer broke the protocol (a well-formed PDU at the wrong time, a bad fragment sequence...). */
export class RpcProtocolError extends HivewireError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_RPC_PROTOCOL', message, options);
  }
}

/** The connection closed before the call completed (or the client was closed). */
export class RpcConnectionClosedError extends HivewireError {
  constructor(message = 'RPC connection closed', options?: { cause?: unknown }) {
    super('ERR_RPC_CLOSED', message, options);
  }
}

export class RpcTimeoutError extends HivewireError {
  constructor(ms: number) {
    super('ERR_RPC_TIMEOUT', `RPC call timed out after ${ms} ms`);
  }
}

export class RpcAbortedError extends HivewireError {
  constructor(options?: { cause?: unknown }) {
    super('ERR_RPC_ABORTED', 'RPC call aborted', options);
  }
}
