// Security descriptor of a new object from its parent's: MS-DTYP §2.5.3.4 (CreateSecurityDescriptor,
// ComputeACL, ComputeInheritedACLfromParent, PostProcessACL), with the choices Windows makes for
// registry keys where the pseudocode is loose:
// - an inheritable parent ACE that needs no rewriting (no CREATOR OWNER/GROUP, no GENERIC_* bits) is
//   inherited as ONE ACE that is both effective and inheritable (table in §2.5.3.4.4: CI → CI);
//   otherwise as two adjacent ACEs: the effective one (SIDs substituted, generics mapped, no inherit
//   flags) followed by an inherit-only copy kept as it was for the grandchildren;
// - INHERIT_ONLY on the parent ACE means "not for the parent", not "not for the children";
// - the child's DACL/SACL is marked auto-inherited (AI) whenever inherited ACEs were merged in;
// - owner: the creator's explicit owner, else the token's default owner (Administrators for an
//   administrator, as Windows' elevated tokens say; LocalSystem for SYSTEM; the user otherwise), see
//   token.ts defaultOwner(); group: explicit, else the token's primary group.
// The same function serves SetKeySecurity: pass the key's new descriptor as `explicit` and its
// inherited (ID) ACEs are dropped and recomputed from the parent unless the new DACL is protected.

import {
  CONTAINER_INHERIT_ACE, FAILED_ACCESS_ACE_FLAG, INHERITED_ACE, INHERIT_ONLY_ACE, NO_PROPAGATE_INHERIT_ACE,
  OBJECT_INHERIT_ACE, SUCCESSFUL_ACCESS_ACE_FLAG, isOpaqueAce, type Ace, type AnyAce,
} from './ace.js';
import { GENERIC_ALL, GENERIC_EXECUTE, GENERIC_READ, GENERIC_WRITE, KEY_GENERIC_MAPPING, mapGenericMask, type GenericMapping } from './access.js';
import { Acl } from './acl.js';
import {
  SE_DACL_AUTO_INHERITED, SE_DACL_PROTECTED, SE_SACL_AUTO_INHERITED, SE_SACL_PROTECTED, SE_SELF_RELATIVE,
} from './control.js';
import { SecurityDescriptor } from './descriptor.js';
import { WellKnownSids, type Sid } from './sid.js';
import { defaultDacl, defaultGroup, defaultOwner, type Token } from './token.js';

const GENERIC_BITS = GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL;
const AUDIT_FLAGS = SUCCESSFUL_ACCESS_ACE_FLAG | FAILED_ACCESS_ACE_FLAG;
const INHERIT_FLAGS = OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE;

export interface CreateChildOptions {
  mapping?: GenericMapping;
}

export function createChildDescriptor(
  parent: SecurityDescriptor | undefined,
  explicit: SecurityDescriptor | undefined,
  token: Token,
  isContainer = true,
  options: CreateChildOptions = {},
): SecurityDescriptor {
  const mapping = options.mapping ?? KEY_GENERIC_MAPPING;
  const owner = explicit?.owner ?? defaultOwner(token);
  const group = explicit?.group ?? defaultGroup(token);
  const ctx = { isContainer, owner, group, mapping };

  const d = computeAcl(parent?.dacl, explicit, 'dacl', ctx);
  const s = computeAcl(parent?.sacl, explicit, 'sacl', ctx);
  // Nothing inherited and nothing given: the token's default DACL (MS-DTYP §2.5.3.4.2).
  const dacl = d.acl !== undefined ? d.acl : new Acl(postProcess(defaultDacl(token).aces, ctx));
  const control = SE_SELF_RELATIVE | d.control | s.control;
  return new SecurityDescriptor({ owner, group, dacl, sacl: s.acl, control });
}

interface Ctx {
  isContainer: boolean;
  owner: Sid;
  group: Sid;
  mapping: GenericMapping;
}

/** MS-DTYP §2.5.3.4.2 ComputeACL for one of the two ACLs. `acl` undefined: the object gets none. */
function computeAcl(
  parentAcl: Acl | null | undefined,
  explicit: SecurityDescriptor | undefined,
  which: 'dacl' | 'sacl',
  ctx: Ctx,
): { acl: Acl | null | undefined; control: number } {
  const protectedBit = which === 'dacl' ? SE_DACL_PROTECTED : SE_SACL_PROTECTED;
  const autoBit = which === 'dacl' ? SE_DACL_AUTO_INHERITED : SE_SACL_AUTO_INHERITED;
  const creatorAcl = explicit?.[which];
  const creatorGiven = explicit !== undefined && creatorAcl !== undefined;
  const isProtected = creatorGiven && (explicit.control & protectedBit) !== 0;
  const inherited = parentAcl ? inheritFromParent(parentAcl.aces, ctx) : [];
  const parentHasInheritable = !!parentAcl && parentAcl.aces.some((a) => a.flags & INHERIT_FLAGS);

  if (creatorGiven) {
    if (isProtected) {
      // A protected ACL takes nothing from the parent; its own ID flags are reset (MS-DTYP §2.5.3.4).
      if (creatorAcl === null) return { acl: null, control: protectedBit };
      const own = creatorAcl.aces.map((a) => ({ ...a, flags: a.flags & ~INHERITED_ACE }));
      return { acl: new Acl(postProcess(own, ctx)), control: protectedBit };
    }
    const own = creatorAcl === null ? [] : creatorAcl.aces.filter((a) => !(a.flags & INHERITED_ACE)); // PreProcessACLfromCreator
    if (creatorAcl === null && !parentHasInheritable) return { acl: null, control: 0 };
    const aces = [...postProcess(own, ctx), ...inherited];
    return { acl: new Acl(aces), control: parentHasInheritable ? autoBit : 0 };
  }
  if (parentHasInheritable) return { acl: new Acl(inherited), control: autoBit };
  return { acl: undefined, control: 0 };
}

/** MS-DTYP §2.5.3.4.4 ComputeInheritedACLfromParent with PostProcessACL, Windows-style (see the top). */
function inheritFromParent(parentAces: readonly AnyAce[], ctx: Ctx): AnyAce[] {
  const out: AnyAce[] = [];
  for (const ace of parentAces) {
    const flags = ace.flags;
    if (!(flags & INHERIT_FLAGS)) continue;
    // CI reaches containers (keys); OI reaches leaf objects. For a key, OI alone only passes through.
    const applies = ctx.isContainer ? (flags & CONTAINER_INHERIT_ACE) !== 0 : (flags & OBJECT_INHERIT_ACE) !== 0;
    const propagates = ctx.isContainer && !(flags & NO_PROPAGATE_INHERIT_ACE);
    const audit = flags & AUDIT_FLAGS;
    if (isOpaqueAce(ace)) {
      if (applies || propagates) out.push({ ...ace, flags: (propagates ? (flags & ~INHERIT_ONLY_ACE) | (applies ? 0 : INHERIT_ONLY_ACE) : audit) | INHERITED_ACE });
      continue;
    }
    // An object ACE limited to a child class never applies to a registry key; it only passes through.
    const appliesHere = applies && ace.inheritedObjectType === undefined;
    const effective = appliesHere ? concrete(ace, ctx) : undefined;
    const unchanged = effective !== undefined && effective.mask === (ace.mask >>> 0) && effective.sid.equals(ace.sid);
    if (effective && propagates && unchanged) {
      out.push({ ...ace, flags: (flags & ~INHERIT_ONLY_ACE & ~NO_PROPAGATE_INHERIT_ACE) | INHERITED_ACE });
      continue;
    }
    if (effective) out.push({ ...effective, flags: audit | INHERITED_ACE });
    if (propagates) out.push({ ...ace, flags: flags | INHERIT_ONLY_ACE | INHERITED_ACE });
  }
  return out;
}

/**
 * PostProcessACL for the creator's ACEs: generics mapped and creator SIDs substituted in effective ACEs.
 * An effective ACE that is also inheritable and needs rewriting is split like an inherited one, so that
 * the children still inherit the generic form.
 */
function postProcess(aces: readonly AnyAce[], ctx: Ctx): AnyAce[] {
  const out: AnyAce[] = [];
  for (const a of aces) {
    if (isOpaqueAce(a) || a.flags & INHERIT_ONLY_ACE) {
      out.push({ ...a });
      continue;
    }
    const c = concrete(a, ctx);
    const unchanged = c.mask === (a.mask >>> 0) && c.sid.equals(a.sid);
    if (unchanged || !(a.flags & INHERIT_FLAGS)) {
      out.push(c);
      continue;
    }
    out.push({ ...c, flags: a.flags & ~(INHERIT_FLAGS | NO_PROPAGATE_INHERIT_ACE) });
    out.push({ ...a, flags: a.flags | INHERIT_ONLY_ACE });
  }
  return out;
}

/** The ACE as it takes effect on the new object: CREATOR OWNER/GROUP replaced, GENERIC_* mapped. */
function concrete(ace: Ace, ctx: Ctx): Ace {
  let sid = ace.sid;
  if (sid.equals(WellKnownSids.CreatorOwner)) sid = ctx.owner;
  else if (sid.equals(WellKnownSids.CreatorGroup)) sid = ctx.group;
  const mask = ace.mask & GENERIC_BITS ? mapGenericMask(ace.mask, ctx.mapping) : ace.mask >>> 0;
  return { ...ace, sid, mask };
}
