// The real IDL types the NDR tests exercise (MS-RRP §6, MS-RPCE §2.2.1.2 + C706 App. O, MS-DRSR §7),
// taken from the interface folders so that the tests check the descriptions the product uses.
export { BaseRegEnumKey, BaseRegOpenKey, BaseRegQueryValue, OpenLocalMachine } from '../../src/interfaces/rrp/types.js';
export { ept_lookup, ept_map, twr_t } from '../../src/interfaces/epm/types.js';
export {
  DRS_MSG_GETCHGREPLY_V6, DRS_MSG_GETCHGREQ_V8, IDL_DRSBind, IDL_DRSGetNCChanges, type REPLENTINFLIST_t,
} from '../../src/interfaces/drsr/types.js';

/** The named arm of a decoded union, or a test failure when the union holds another arm. */
export function arm<U extends object, K extends string>(u: U, name: K): U extends Record<K, infer T> ? T : never {
  if (!(name in u)) throw new Error(`union holds ${Object.keys(u).join('/')}, not ${name}`);
  return (u as Record<string, unknown>)[name] as U extends Record<K, infer T> ? T : never;
}
