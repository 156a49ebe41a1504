export { formatRights, SecurityDescriptor, Sid } from '../../src/security/index.js';
export { UsageError as UsageErrorForTest } from '../../src/util/errors.js';
