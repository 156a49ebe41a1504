// Numbers of MS-SMB2 §2.2 used by both client and server.

// §2.2.1.2 Command
export const Smb2Command = {
  NEGOTIATE: 0x0000,
  SESSION_SETUP: 0x0001,
  LOGOFF: 0x0002,
  TREE_CONNECT: 0x0003,
  TREE_DISCONNECT: 0x0004,
  CREATE: 0x0005,
  CLOSE: 0x0006,
  FLUSH: 0x0007,
  READ: 0x0008,
  WRITE: 0x0009,
  LOCK: 0x000a,
  IOCTL: 0x000b,
  CANCEL: 0x000c,
  ECHO: 0x000d,
  QUERY_DIRECTORY: 0x000e,
  CHANGE_NOTIFY: 0x000f,
  QUERY_INFO: 0x0010,
  SET_INFO: 0x0011,
  OPLOCK_BREAK: 0x0012,
} as const;

// §2.2.1.2 Flags
export const SMB2_FLAGS_SERVER_TO_REDIR = 0x00000001;
export const SMB2_FLAGS_ASYNC_COMMAND = 0x00000002;
export const SMB2_FLAGS_RELATED_OPERATIONS = 0x00000004;
export const SMB2_FLAGS_SIGNED = 0x00000008;
export const SMB2_FLAGS_DFS_OPERATIONS = 0x10000000;

// §2.2.3 Dialects
export const Dialect = {
  SMB202: 0x0202,
  SMB210: 0x0210,
  SMB300: 0x0300,
  SMB302: 0x0302,
  SMB311: 0x0311,
  /** §2.2.4 wildcard, answer to an SMB1 negotiate offering "SMB 2.???" */
  SMB2_WILDCARD: 0x02ff,
} as const;
export const ALL_DIALECTS: readonly number[] = [Dialect.SMB202, Dialect.SMB210, Dialect.SMB300, Dialect.SMB302, Dialect.SMB311];
export function isSmb3(dialect: number): boolean {
  return dialect >= Dialect.SMB300 && dialect !== Dialect.SMB2_WILDCARD;
}
export function dialectName(dialect: number): string {
  switch (dialect) {
    case Dialect.SMB202: return '2.0.2';
    case Dialect.SMB210: return '2.1';
    case Dialect.SMB300: return '3.0';
    case Dialect.SMB302: return '3.0.2';
    case Dialect.SMB311: return '3.1.1';
    default: return `0x${dialect.toString(16)}`;
  }
}

// §2.2.3 SecurityMode
export const SMB2_NEGOTIATE_SIGNING_ENABLED = 0x0001;
export const SMB2_NEGOTIATE_SIGNING_REQUIRED = 0x0002;

// §2.2.3 Capabilities
export const SMB2_GLOBAL_CAP_DFS = 0x00000001;
export const SMB2_GLOBAL_CAP_LEASING = 0x00000002;
export const SMB2_GLOBAL_CAP_LARGE_MTU = 0x00000004;
export const SMB2_GLOBAL_CAP_MULTI_CHANNEL = 0x00000008;
export const SMB2_GLOBAL_CAP_ENCRYPTION = 0x00000040;

// §2.2.3.1 negotiate context types
export const SMB2_PREAUTH_INTEGRITY_CAPABILITIES = 0x0001;
export const SMB2_ENCRYPTION_CAPABILITIES = 0x0002;
export const SMB2_COMPRESSION_CAPABILITIES = 0x0003;
export const SMB2_NETNAME_NEGOTIATE_CONTEXT_ID = 0x0005;
export const SMB2_SIGNING_CAPABILITIES = 0x0008;
/** §2.2.3.1.1 */
export const HASH_SHA512 = 0x0001;
/** §2.2.3.1.7 */
export const SigningAlgorithm = { HMAC_SHA256: 0x0000, AES_CMAC: 0x0001, AES_GMAC: 0x0002 } as const;

// §2.2.6 SessionFlags
export const SMB2_SESSION_FLAG_IS_GUEST = 0x0001;
export const SMB2_SESSION_FLAG_IS_NULL = 0x0002;
export const SMB2_SESSION_FLAG_ENCRYPT_DATA = 0x0004;
// §2.2.5 Flags
export const SMB2_SESSION_FLAG_BINDING = 0x01;

// §2.2.10 ShareType
export const SMB2_SHARE_TYPE_DISK = 0x01;
export const SMB2_SHARE_TYPE_PIPE = 0x02;
export const SMB2_SHARE_TYPE_PRINT = 0x03;

// §2.2.13 ImpersonationLevel, CreateDisposition, CreateOptions
export const ImpersonationLevel = { Anonymous: 0, Identification: 1, Impersonation: 2, Delegate: 3 } as const;
export const FILE_OPEN = 0x00000001;
export const FILE_NON_DIRECTORY_FILE = 0x00000040;
export const FILE_DIRECTORY_FILE = 0x00000001;
// §2.2.13.1.1 access mask bits
export const FILE_READ_DATA = 0x00000001;
export const FILE_WRITE_DATA = 0x00000002;
export const FILE_APPEND_DATA = 0x00000004;
export const FILE_READ_EA = 0x00000008;
export const FILE_WRITE_EA = 0x00000010;
export const FILE_READ_ATTRIBUTES = 0x00000080;
export const FILE_WRITE_ATTRIBUTES = 0x00000100;
export const READ_CONTROL = 0x00020000;
export const SYNCHRONIZE = 0x00100000;
export const FILE_SHARE_READ = 0x00000001;
export const FILE_SHARE_WRITE = 0x00000002;
export const FILE_SHARE_DELETE = 0x00000004;
export const FILE_ATTRIBUTE_NORMAL = 0x00000080;
// §2.2.14 CreateAction
export const FILE_OPENED = 0x00000001;

// §2.2.31 IOCTL
export const SMB2_0_IOCTL_IS_FSCTL = 0x00000001;
// MS-FSCC §2.3 FSCTL codes
export const FSCTL_PIPE_PEEK = 0x0011400c;
export const FSCTL_PIPE_TRANSCEIVE = 0x0011c017;
export const FSCTL_PIPE_WAIT = 0x00110018;
export const FSCTL_VALIDATE_NEGOTIATE_INFO = 0x00140204;
export const FSCTL_DFS_GET_REFERRALS = 0x00060194;

// §2.2.37 InfoType, MS-FSCC §2.4 info classes
export const SMB2_0_INFO_FILE = 0x01;
export const SMB2_0_INFO_FILESYSTEM = 0x02;
export const SMB2_0_INFO_SECURITY = 0x03;
export const FileBasicInformation = 4;
export const FileStandardInformation = 5;
export const FileInternalInformation = 6;
export const FilePipeInformation = 23;
export const FilePipeLocalInformation = 24;
export const FileNetworkOpenInformation = 34;

// §2.2.15 CLOSE Flags
export const SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB = 0x0001;
// §2.2.19 READ Flags
export const SMB2_READFLAG_READ_UNBUFFERED = 0x01;

/** A FileId that means "the file opened by the previous request of this related compound" (§3.2.4.1.4). */
export const RELATED_FILE_ID = Buffer.alloc(16, 0xff);
