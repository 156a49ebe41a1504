// The one way tests take an error they expect: run fn, require an error of class `type`, return it
// so that the test can check its fields (offset, expected, code).
import { expect } from 'vitest';

export function thrown<E extends Error>(type: abstract new (...args: never[]) => E, fn: () => unknown): E {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    return e as E;
  }
  throw new Error(`expected a ${type.name}, nothing was thrown`);
}
