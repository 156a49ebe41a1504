// The store's SecurityModel (src/registry/security.ts) on src/security: Windows' access check with the
// key generic mapping (MS-DTYP §2.5.3.2), inheritance for new keys (§2.5.3.4), Windows' default
// descriptors for the predefined keys. The store's own default is permissive; a server facing
// clients uses this one.
import type { SecurityModel, Token as StoreToken } from '../registry/index.js';
import { accessCheck, KEY_GENERIC_MAPPING } from '../security/access.js';
import { SecurityDescriptor } from '../security/descriptor.js';
import { createChildDescriptor } from '../security/inherit.js';
import { defaultDescriptorFor, REGISTRY_DEFAULT_SDDL } from '../security/registry-defaults.js';
import { Sid } from '../security/sid.js';
import type { Token } from '../security/token.js';

const SYSTEM = 'S-1-5-18';

// Every open checks access: a session's token is converted once, a descriptor parsed once per distinct
// contents (a backend may hand out a fresh Buffer per read, and most keys share an inherited
// descriptor), and the check's answer kept per token, contents and desired access.
const tokens = new WeakMap<StoreToken, Token>();
const MAX_CACHED = 4096;
const descriptors = new Map<string, SecurityDescriptor | null>();
type AccessAnswer = ReturnType<SecurityModel['accessCheck']>;
const answers = new WeakMap<StoreToken, Map<string, AccessAnswer>>();

function tokenOf(t: StoreToken | undefined): Token {
  if (!t) return { user: Sid.parse(SYSTEM), groups: [Sid.parse('S-1-5-32-544')], privileges: new Set() };
  let tok = tokens.get(t);
  if (!tok) {
    tok = { user: Sid.parse(t.user.toString()), groups: t.groups.map((g) => Sid.parse(g.toString())), privileges: new Set(t.privileges) };
    tokens.set(t, tok);
  }
  return tok;
}

// Callers never mutate what this returns (subset/merge/createChild build new descriptors).
function parse(sd: Buffer): SecurityDescriptor | undefined {
  const key = sd.toString('latin1');
  let d = descriptors.get(key);
  if (d === undefined) {
    try {
      d = SecurityDescriptor.fromBinary(sd);
    } catch {
      d = null;
    }
    if (descriptors.size >= MAX_CACHED) descriptors.clear();
    descriptors.set(key, d);
  }
  return d ?? undefined;
}

// the store names keys below \Registry: Machine\SOFTWARE, User\S-1-5-...
function toolPath(path: string): string {
  const [top, ...rest] = path.split('\\');
  const root = (top ?? '').toUpperCase() === 'MACHINE' ? 'HKEY_LOCAL_MACHINE' : (top ?? '').toUpperCase() === 'USER' ? 'HKEY_USERS' : top ?? '';
  return [root, ...rest].join('\\');
}

// Everyone may read, administrators and SYSTEM may do anything: for keys Windows has no default for.
const FALLBACK_SDDL = 'O:BAG:SYD:(A;CI;KA;;;SY)(A;CI;KA;;;BA)(A;CI;KR;;;WD)';

export function windowsSecurityModel(): SecurityModel {
  return {
    accessCheck(token, sd, desired, intent) {
      const plain = token && !intent.backupIntent && !intent.restoreIntent;
      const key = plain ? `${desired}|${sd.toString('latin1')}` : '';
      let mine = plain ? answers.get(token) : undefined;
      const known = mine?.get(key);
      if (known) return { ...known };
      const d = parse(sd);
      const res = d ? accessCheck(tokenOf(token), d, desired, KEY_GENERIC_MAPPING, intent) : { granted: 0, allowed: false };
      if (plain) {
        if (!mine) answers.set(token, (mine = new Map()));
        if (mine.size >= MAX_CACHED) mine.clear();
        mine.set(key, { ...res });
      }
      return res;
    },
    createChild(parentSd, explicitSd, token) {
      const parent = parse(parentSd);
      const explicit = explicitSd ? parse(explicitSd) : undefined;
      return createChildDescriptor(parent, explicit, tokenOf(token), true).toBinary();
    },
    defaultFor(path) {
      const tp = toolPath(path);
      const d = defaultDescriptorFor(tp) ?? (REGISTRY_DEFAULT_SDDL[tp] ? undefined : SecurityDescriptor.fromSddl(FALLBACK_SDDL));
      return (d ?? SecurityDescriptor.fromSddl(FALLBACK_SDDL)).toBinary();
    },
    subset(sd, secInfo) {
      const d = parse(sd);
      return d ? d.subset(secInfo).toBinary() : sd;
    },
    merge(sd, update, secInfo) {
      const a = parse(sd);
      const b = parse(update);
      if (!a || !b) return update;
      return a.merge(b, secInfo).toBinary();
    },
    isValid(sd) {
      return parse(sd) !== undefined;
    },
  };
}
