export { parseReg, type RegFile, type RegOp } from './parser.js';
export { decodeRegBytes, decodeAnsi, encodeAnsi, type RegEncoding } from './decode.js';
export {
  regToTree,
  treeToReg,
  treeToRegText,
  encodeRegText,
  regTextChunks,
  formatKeyBlock,
  splitKeyPath,
  type RegExportOptions,
  type RegToTreeOptions,
} from './tree.js';
export * from './writer.js';
