// What Node 20's OpenSSL 3 default provider lacks, for NTLM, SMB 3.x and DRSR.
export { md4 } from './md4.js';
export { Rc4, rc4 } from './rc4.js';
export { desEncrypt, desDecrypt, expandDesKey } from './des.js';
export { aesCmac, cmacSubkeys } from './cmac.js';
export { crc32 } from './crc32.js';
