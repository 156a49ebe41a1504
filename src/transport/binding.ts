// String bindings (C706 §2.4 / MS-RPCE §2.1): [object_uuid@]protseq:host[endpoint,option=value,...]
// e.g. `ncacn_ip_tcp:127.0.0.3[49153]`, `ncacn_np:server[\pipe\winreg]`, `ncacn_ip_tcp:host` (port via
// the endpoint mapper).
import { UsageError } from '../util/errors.js';
import { isUuid } from '../rpc/pdu/uuid.js';

export type ProtocolSequence = 'ncacn_ip_tcp' | 'ncacn_np';

export interface StringBinding {
  object?: string;
  protseq: ProtocolSequence;
  host: string;
  /** Port (TCP) or pipe name with `\pipe\` prefix (NP); undefined = ask the endpoint mapper / default. */
  endpoint?: string;
  options: Record<string, string>;
}

const RE = /^(?:([0-9a-fA-F-]{36})@)?(ncacn_ip_tcp|ncacn_np):([^[\]]*)(?:\[([^\]]*)\])?$/;

export function parseBinding(text: string): StringBinding {
  const m = RE.exec(text.trim());
  if (!m) throw new UsageError(`not a string binding: ${JSON.stringify(text)} (expected e.g. ncacn_ip_tcp:HOST[PORT] or ncacn_np:HOST[\\pipe\\NAME])`);
  const [, object, protseq, host, inner] = m;
  if (object !== undefined && !isUuid(object)) throw new UsageError(`bad object UUID in binding: ${object}`);
  if (!host) throw new UsageError(`string binding without a host: ${JSON.stringify(text)}`);
  const b: StringBinding = { protseq: protseq as ProtocolSequence, host, options: {} };
  if (object !== undefined) b.object = object.toLowerCase();
  if (inner !== undefined && inner.length > 0) {
    const parts = inner.split(',');
    let first = 0;
    if (!parts[0]!.includes('=')) {
      b.endpoint = parts[0]!.trim();
      first = 1;
    }
    for (const part of parts.slice(first)) {
      const eq = part.indexOf('=');
      if (eq <= 0) throw new UsageError(`bad binding option ${JSON.stringify(part)}`);
      const key = part.slice(0, eq).trim();
      const value = part.slice(eq + 1).trim();
      if (key === 'endpoint') b.endpoint = value;
      else b.options[key] = value;
    }
  }
  if (b.protseq === 'ncacn_ip_tcp' && b.endpoint !== undefined) {
    const port = Number(b.endpoint);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new UsageError(`bad TCP port in binding: ${b.endpoint}`);
  }
  if (b.protseq === 'ncacn_np' && b.endpoint !== undefined) b.endpoint = normalisePipe(b.endpoint);
  return b;
}

/** `winreg`, `\pipe\winreg`, `\PIPE\winreg` → `\pipe\winreg`. */
export function normalisePipe(name: string): string {
  const bare = name.replace(/^\\+/, '').replace(/^pipe\\/i, '');
  if (!bare || /[\\/]/.test(bare)) throw new UsageError(`bad pipe name ${JSON.stringify(name)}`);
  return `\\pipe\\${bare}`;
}

export function formatBinding(b: StringBinding): string {
  const opts = Object.entries(b.options).map(([k, v]) => `${k}=${v}`);
  const inner = [...(b.endpoint !== undefined ? [b.endpoint] : []), ...opts].join(',');
  return `${b.object ? `${b.object}@` : ''}${b.protseq}:${b.host}${inner ? `[${inner}]` : ''}`;
}
