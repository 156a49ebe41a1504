// The context handle table: handles keyed by their decoded uuid, the same handle through the
// 20-byte wire form, faults for NULL/unknown/closed handles, rundown when the association ends.
import { describe, expect, it } from 'vitest';
import { contextHandleBytes, contextHandleValue, ContextHandleTable } from '../../src/rpc/context-handles.js';
import { RpcFault } from '../../src/rpc/errors.js';
import { STATUS } from '../../src/rpc/status.js';
import { contextHandle, ndrDecode, ndrEncode } from '../../src/ndr/index.js';

const mismatch = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(RpcFault);
    expect((err as RpcFault).status).toBe(STATUS.nca_s_fault_context_mismatch);
    return;
  }
  throw new Error('expected nca_s_fault_context_mismatch');
};

describe('ContextHandleTable', () => {
  it('opens distinct random handles and finds each value by the handle the NDR layer decodes', () => {
    const t = new ContextHandleTable();
    const a = t.open({ n: 1 });
    const b = t.open({ n: 2 });
    expect(a.attributes).toBe(0);
    expect(a.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(a.uuid).not.toBe(b.uuid);
    // the handle as a client sends it back: encoded and decoded by the NDR description
    const wire = ndrEncode(contextHandle(), a);
    expect(wire).toEqual(contextHandleBytes(a));
    expect(t.lookup<{ n: number }>(ndrDecode(contextHandle(), wire)).n).toBe(1);
    expect(t.get<{ n: number }>(wire).n).toBe(1);
    expect(contextHandleValue(wire)).toEqual(a);
    expect(t.size).toBe(2);
  });

  it('faults on a NULL, unknown, non-zero-attribute or closed handle', () => {
    const t = new ContextHandleTable();
    const h = t.open('v');
    mismatch(() => t.lookup({ attributes: 0, uuid: '00000000-0000-0000-0000-000000000000' }));
    mismatch(() => t.lookup({ attributes: 1, uuid: h.uuid }));
    mismatch(() => t.get(Buffer.alloc(19)));
    expect(t.contains(h)).toBe(true);
    expect(t.remove<string>(h)).toBe('v');
    expect(t.contains(h)).toBe(false);
    mismatch(() => t.lookup(h));
    mismatch(() => t.remove(h));
    mismatch(() => t.close(contextHandleBytes(h)));
  });

  it('a handle of one table is unknown to another', () => {
    const a = new ContextHandleTable();
    const b = new ContextHandleTable();
    const h = a.open('x');
    expect(b.has(contextHandleBytes(h))).toBe(false);
    mismatch(() => b.lookup(h));
  });

  it('runs down the open handles, not the closed ones, and survives a failing rundown', () => {
    const t = new ContextHandleTable();
    const seen: string[] = [];
    t.open('a', (v) => seen.push(v));
    const closed = t.open('b', (v) => seen.push(v));
    t.open('c', () => {
      throw new Error('boom');
    });
    t.open('d', (v) => seen.push(v));
    t.remove(closed);
    t.rundownAll();
    expect(seen.sort()).toEqual(['a', 'd']);
    expect(t.size).toBe(0);
  });

  it('refuses a uuid that is not one when converting to bytes', () => {
    mismatch(() => contextHandleBytes({ attributes: 0, uuid: 'not-a-uuid' }));
  });
});
