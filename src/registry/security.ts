// The store's one door to access control (MS-RRP §3.1.1.10; MS-DTYP §2.4.6, §2.5.3.2). Keys hold their
// security descriptor as self-relative bytes; every decision goes through a SecurityModel, so the
// rules live in src/security and the store only says where they apply.
//
// SECURITY HOOK: until src/security/index.js lands, `defaultSecurityModel()` is the permissive model
// below (null DACL: everyone granted what they ask). Switching to the real model is this file only.

/** The caller of the handle API (MS-DTYP §2.5.2 Token, reduced to what the store needs). Mirrors
 * src/security's `Token` ({ user: Sid; groups: Sid[]; privileges: Set<string> }). */
export interface Token {
  /** The caller's SID; its string form (S-1-5-21-...) names HKEY_CURRENT_USER (§3.1.1.8). */
  user: { toString(): string };
  groups: readonly { toString(): string }[];
  privileges: ReadonlySet<string>;
}

export interface AccessResult {
  granted: number;
  allowed: boolean;
}

export interface SecurityModel {
  /** MS-DTYP §2.5.3.2 with the key generic mapping, MAXIMUM_ALLOWED and backup/restore intent. */
  accessCheck(token: Token, sd: Buffer, desired: number, intent: { backupIntent?: boolean; restoreIntent?: boolean }): AccessResult;
  /** The descriptor of a new key: inherited from the parent, or built from an explicit one (§3.1.5.7). */
  createChild(parentSd: Buffer, explicitSd: Buffer | undefined, token: Token | undefined): Buffer;
  /** Windows' default descriptor for a predefined key path ("Machine\SOFTWARE", "User"). */
  defaultFor(path: string): Buffer;
  /** The parts of `sd` selected by SECURITY_INFORMATION (BaseRegGetKeySecurity §3.1.5.13). */
  subset(sd: Buffer, secInfo: number): Buffer;
  /** `sd` with the parts selected by secInfo replaced from `update` (BaseRegSetKeySecurity §3.1.5.21). */
  merge(sd: Buffer, update: Buffer, secInfo: number): Buffer;
  /** True when `sd` is a well-formed self-relative descriptor. */
  isValid(sd: Buffer): boolean;
}

// A self-relative descriptor with SE_DACL_PRESENT and a NULL DACL: grants everyone everything.
const NULL_DACL_SD = Buffer.from([1, 0, 0x04, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

/** SECURITY HOOK (placeholder until src/security lands): allow all, inherit the parent's bytes. */
export const permissiveSecurity: SecurityModel = {
  accessCheck: (_t, _sd, desired) => ({ granted: desired, allowed: true }),
  createChild: (parentSd, explicitSd) => explicitSd ?? parentSd,
  defaultFor: () => NULL_DACL_SD,
  subset: (sd) => sd,
  merge: (_sd, update) => update,
  isValid: (sd) => sd.length >= 20 && sd[0] === 1 && (sd.readUInt16LE(2) & 0x8000) !== 0,
};

export function defaultSecurityModel(): SecurityModel {
  return permissiveSecurity;
}
