// The few LSA methods (MS-LSAD) that Samba's `net rpc` calls before anything else: it opens a policy
// handle on \PIPE\lsarpc and asks for the domain name and SID. A registry server answers them for its
// own machine so that `net rpc registry` works against it; every other LSA opnum faults.
import { RPC_UNICODE_STRING } from '../ndr/dtyp.js';
import { byte, conformantArray, guidToBytes, guidToString, contextHandle, enum16, fixedArray, operation, ref, string, struct, switchIs, u16, u32, u8, union, unique, wchar, type ContextHandle } from '../ndr/index.js';
import type { CallContext, RpcInterface } from '../rpc/server.js';
import { Sid } from '../security/sid.js';

export const LSA_UUID = '12345778-1234-abcd-ef00-0123456789ab';
const NTSTATUS = u32;
const STATUS_SUCCESS = 0;
const STATUS_INVALID_PARAMETER = 0xc000000d;
const STATUS_INVALID_HANDLE = 0xc0000008;

const LSAPR_HANDLE = contextHandle(); // MS-LSAD §2.2.2.1
export const RPC_SID = struct({ // MS-DTYP §2.4.2.3
  Revision: u8,
  SubAuthorityCount: u8,
  IdentifierAuthority: fixedArray(u8, 6),
  SubAuthority: conformantArray(u32, { size: 'SubAuthorityCount' }),
});
const SECURITY_QUALITY_OF_SERVICE = struct({ Length: u32, ImpersonationLevel: enum16(), ContextTrackingMode: u8, EffectiveOnly: u8 }); // MS-LSAD §2.2.3.5
const LSAPR_SECURITY_DESCRIPTOR = struct({ Length: u32, SecurityDescriptor: unique(conformantArray(byte, { size: 'Length' })) }); // MS-LSAD §2.2.2.4 (self-relative bytes)
const LSAPR_OBJECT_ATTRIBUTES = struct({ // MS-LSAD §2.2.9
  Length: u32,
  RootDirectory: unique(u8),
  ObjectName: unique(RPC_UNICODE_STRING),
  Attributes: u32,
  SecurityDescriptor: unique(LSAPR_SECURITY_DESCRIPTOR),
  SecurityQualityOfService: unique(SECURITY_QUALITY_OF_SERVICE),
});
const DOMAIN_INFO = struct({ Name: RPC_UNICODE_STRING, Sid: unique(RPC_SID) }); // MS-LSAD §2.2.4.5 / §2.2.4.6
const LSAPR_POLICY_INFORMATION = union({ // MS-LSAD §2.2.4.2 (the two arms asked for here)
  switchType: u16,
  arms: { PolicyPrimaryDomainInfo: [3, DOMAIN_INFO], PolicyAccountDomainInfo: [5, DOMAIN_INFO] },
});

export const LsarClose = operation(0, { in: { ObjectHandle: LSAPR_HANDLE }, out: { ObjectHandle: LSAPR_HANDLE }, returns: NTSTATUS }); // MS-LSAD §3.1.4.9.4
export const LsarOpenPolicy = operation(6, { // MS-LSAD §3.1.4.4.2
  in: { SystemName: unique(wchar), ObjectAttributes: LSAPR_OBJECT_ATTRIBUTES, DesiredAccess: u32 },
  out: { PolicyHandle: LSAPR_HANDLE },
  returns: NTSTATUS,
});
export const LsarOpenPolicy2 = operation(44, { // MS-LSAD §3.1.4.4.1
  in: { SystemName: unique(string(wchar)), ObjectAttributes: LSAPR_OBJECT_ATTRIBUTES, DesiredAccess: u32 },
  out: { PolicyHandle: LSAPR_HANDLE },
  returns: NTSTATUS,
});
const queryInfo = (opnum: number) =>
  operation(opnum, {
    in: { PolicyHandle: LSAPR_HANDLE, InformationClass: enum16() },
    out: { PolicyInformation: ref(unique(switchIs(LSAPR_POLICY_INFORMATION, 'InformationClass'))) },
    returns: NTSTATUS,
  });
export const LsarQueryInformationPolicy = queryInfo(7); // MS-LSAD §3.1.4.4.4
export const LsarQueryInformationPolicy2 = queryInfo(46); // MS-LSAD §3.1.4.4.3

const NULL_HANDLE: ContextHandle = { attributes: 0, uuid: '00000000-0000-0000-0000-000000000000' };

function toBuf(h: ContextHandle): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt32LE(h.attributes >>> 0, 0);
  guidToBytes(h.uuid, b, 4);
  return b;
}
function toCtx(b: Buffer): ContextHandle {
  return { attributes: b.readUInt32LE(0), uuid: guidToString(b, 4) };
}

function rpcSid(sid: string) {
  const s = Sid.parse(sid);
  const auth = Buffer.alloc(6);
  auth.writeUIntBE(s.authority, 0, 6);
  return { Revision: 1, SubAuthorityCount: s.subAuthorities.length, IdentifierAuthority: auth, SubAuthority: [...s.subAuthorities] };
}

/** lsarpc for a standalone server named `name` whose machine (account domain) SID is `sid`. */
export function lsaInterface(name: string, sid: string): RpcInterface {
  const info = { Name: { Length: name.length * 2, MaximumLength: (name.length + 1) * 2, Buffer: name }, Sid: rpcSid(sid) };
  const open = (op: typeof LsarOpenPolicy | typeof LsarOpenPolicy2) => (stub: Buffer, call: CallContext) => {
    op.decodeRequest(stub);
    if (call.identity.anonymous) return op.encodeResponse({ PolicyHandle: NULL_HANDLE, returns: 0xc0000022 }); // STATUS_ACCESS_DENIED
    return op.encodeResponse({ PolicyHandle: toCtx(call.handles.create({ policy: true })), returns: STATUS_SUCCESS });
  };
  const query = (op: typeof LsarQueryInformationPolicy) => (stub: Buffer, call: CallContext) => {
    const req = op.decodeRequest(stub);
    if (!call.handles.has(toBuf(req.PolicyHandle))) return op.encodeResponse({ PolicyInformation: null, returns: STATUS_INVALID_HANDLE }, req);
    const cls = req.InformationClass;
    if (cls === 3) return op.encodeResponse({ PolicyInformation: { tag: 3, PolicyPrimaryDomainInfo: info }, returns: STATUS_SUCCESS }, req);
    if (cls === 5) return op.encodeResponse({ PolicyInformation: { tag: 5, PolicyAccountDomainInfo: info }, returns: STATUS_SUCCESS }, req);
    return op.encodeResponse({ PolicyInformation: null, returns: STATUS_INVALID_PARAMETER }, req);
  };
  return {
    uuid: LSA_UUID,
    version: 0,
    minor: 0,
    name: 'lsarpc',
    opnums: {
      0: (stub, call) => {
        const req = LsarClose.decodeRequest(stub);
        call.handles.close(toBuf(req.ObjectHandle));
        return LsarClose.encodeResponse({ ObjectHandle: NULL_HANDLE, returns: STATUS_SUCCESS });
      },
      6: open(LsarOpenPolicy),
      44: open(LsarOpenPolicy2),
      7: query(LsarQueryInformationPolicy),
      46: query(LsarQueryInformationPolicy2),
    },
  };
}
