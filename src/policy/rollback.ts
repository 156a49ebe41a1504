// Undo what applyPolicy recorded: the changes in reverse order, each put back as it was before.

import type { RegistryStore } from '../registry/index.js';
import { SecurityDescriptor } from '../security/index.js';
import type { ApplyResult } from './apply.js';
import { restoreKey } from './snapshot.js';

export interface RollbackResult {
  reverted: number;
}

export async function rollbackPolicy(store: RegistryStore, applied: Pick<ApplyResult, 'changes'>): Promise<RollbackResult> {
  let reverted = 0;
  await store.transaction(async (tx) => {
    reverted = 0; // the transaction may run again after a conflict (shared store)
    for (const c of [...applied.changes].reverse()) {
      switch (c.op) {
        case 'createKey':
          if (await tx.keyExists(c.key)) await tx.deleteKey(c.key, { recursive: true });
          break;
        case 'setValue':
          if (c.before) await tx.setValue(c.key, c.name, c.before.type, Buffer.from(c.before.data, 'hex'));
          else await tx.deleteValue(c.key, c.name);
          break;
        case 'deleteValue':
          await tx.setValue(c.key, c.name, c.before.type, Buffer.from(c.before.data, 'hex'));
          break;
        case 'deleteKey':
          await restoreKey(tx, c.key, c.before);
          break;
        case 'setSecurity':
          await tx.setSecurity(c.key, SecurityDescriptor.fromSddl(c.before).toBinary(), 0x4);
          break;
      }
      reverted++;
    }
  });
  return { reverted };
}
