// A hive (or one of its subtrees) as .reg text, streamed key by key so that a hive of any size can be
// exported without building its tree.

import { regTextChunks, type RegExportOptions } from '../regtext/tree.js';
import type { Hive, HiveKey } from './reader.js';

/** `rootPath` names the starting key in the output (e.g. 'HKEY_LOCAL_MACHINE\SOFTWARE'). */
export function* hiveToRegChunks(hive: Hive, rootPath: string, from?: HiveKey, opts: RegExportOptions = {}): Generator<string> {
  function* keys() {
    for (const { key, path } of hive.walk(from)) {
      yield { path: path.length === 0 ? rootPath : rootPath + '\\' + path.join('\\'), values: hive.values(key) };
    }
  }
  yield* regTextChunks(keys(), opts);
}
