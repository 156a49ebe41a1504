import { describe, expect, it } from 'vitest';
import { Acl, SecurityDescriptor } from '../../src/security/index.js';
import { FormatError } from '../../src/util/errors.js';
import { fixture, formatError } from './helpers.js';

const FIXTURES = ['msdtyp-2.5.1.4.hex', 'msdrsr-5.16.3.16.hex', 'samba-registry-hklm-software.hex'];

/** Deterministic pseudo-random numbers (a fixed LCG) so that a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

describe('bad binary security descriptors', () => {
  it.each(FIXTURES)('every truncation of %s is a FormatError', (name) => {
    const bytes = fixture(name);
    for (let n = 0; n < bytes.length; n++) {
      const e = formatError(() => SecurityDescriptor.fromBinary(bytes.subarray(0, n)));
      expect(e.format).toBe('security descriptor');
      expect(e.offset).toBeGreaterThanOrEqual(0);
      expect(e.offset).toBeLessThanOrEqual(n);
    }
  });

  const sd = () => Buffer.from(fixture('samba-registry-hklm-software.hex')); // owner@20 group@36 dacl@48
  const DACL = 48;

  it('offsets past the end name the offset field', () => {
    const b = sd();
    b.writeUInt32LE(b.length + 10, 4);
    const e = formatError(() => SecurityDescriptor.fromBinary(b));
    expect(e.offset).toBe(4);
    const c = sd();
    c.writeUInt32LE(8, 16); // DACL inside the header
    expect(formatError(() => SecurityDescriptor.fromBinary(c)).offset).toBe(16);
    const d = sd();
    d.writeUInt32LE(b.length - 4, 8); // group SID header runs past the end
    expect(formatError(() => SecurityDescriptor.fromBinary(d)).offset).toBe(b.length - 4);
  });

  it('an ACE smaller than its header is reported at its AceSize', () => {
    const b = sd();
    b.writeUInt16LE(2, DACL + 8 + 2);
    const e = formatError(() => SecurityDescriptor.fromBinary(b));
    expect(e.offset).toBe(DACL + 10);
    expect(e.expected).toMatch(/AceSize of at least 4/);
    const c = sd();
    c.writeUInt16LE(6, DACL + 8 + 2); // room for the header but not the mask
    expect(formatError(() => SecurityDescriptor.fromBinary(c)).offset).toBe(DACL + 12);
  });

  it('an ACE whose SID runs past AceSize is reported', () => {
    const b = sd();
    b.writeUInt16LE(16, DACL + 8 + 2); // the ACE is 20 bytes: 8 + a 12-byte SID
    // the next ACE header now starts in the middle of this SID: either way it is a FormatError
    expect(formatError(() => SecurityDescriptor.fromBinary(b)).format).toBe('security descriptor');
    const acl = Buffer.from(b.subarray(DACL));
    // ACE at 8..24, its SID at 16: the 8-byte SID header fits, its sub-authority at 24 does not
    const e = formatError(() => Acl.fromBinary(acl));
    expect(e.offset).toBe(24);
    expect(e.expected).toMatch(/sub-authorit/);
  });

  it('an AceCount that cannot fit, or that runs past the ACL, is reported at the count', () => {
    const b = sd();
    b.writeUInt16LE(60000, DACL + 4);
    const e = formatError(() => SecurityDescriptor.fromBinary(b));
    expect(e.offset).toBe(DACL + 4);
    expect(e.expected).toMatch(/AceCount/);
    const c = sd();
    c.writeUInt16LE(4, DACL + 4); // one more ACE than there is: its header would lie outside the ACL
    expect(formatError(() => SecurityDescriptor.fromBinary(c)).offset).toBe(b.length);
  });

  it('an AclSize past the end or below 8 is reported at the size', () => {
    const b = sd();
    b.writeUInt16LE(0x400, DACL + 2);
    expect(formatError(() => SecurityDescriptor.fromBinary(b)).offset).toBe(DACL + 2);
    const c = sd();
    c.writeUInt16LE(4, DACL + 2);
    expect(formatError(() => SecurityDescriptor.fromBinary(c)).offset).toBe(DACL + 2);
  });

  it('rejects a wrong revision, a bad ACL revision, and an offset without its present flag', () => {
    const b = sd();
    b[0] = 2;
    expect(formatError(() => SecurityDescriptor.fromBinary(b)).offset).toBe(0);
    const c = sd();
    c[DACL] = 9;
    expect(formatError(() => SecurityDescriptor.fromBinary(c)).offset).toBe(DACL);
    const d = sd();
    d.writeUInt16LE(d.readUInt16LE(2) & ~0x4, 2);
    expect(formatError(() => SecurityDescriptor.fromBinary(d)).offset).toBe(16);
  });

  it('random corruption of real descriptors gives a descriptor or a FormatError, nothing else (sample)', () => {
    const next = rng(0x5eed);
    let decoded = 0;
    let rejected = 0;
    const bases = FIXTURES.map(fixture);
    for (let i = 0; i < 3000; i++) {
      const base = bases[i % bases.length]!;
      const b = Buffer.from(base);
      const flips = 1 + next(4);
      for (let k = 0; k < flips; k++) b[next(b.length)] = next(256);
      const cut = next(4) === 0 ? b.subarray(0, next(b.length + 1)) : b;
      let sd: SecurityDescriptor;
      try {
        sd = SecurityDescriptor.fromBinary(cut);
      } catch (e) {
        if (!(e instanceof FormatError)) throw e;
        rejected++;
        continue;
      }
      decoded++;
      const again = SecurityDescriptor.fromBinary(sd.toBinary());
      expect(again.equals(sd)).toBe(true);
    }
    expect(decoded).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(100);
  });
});
