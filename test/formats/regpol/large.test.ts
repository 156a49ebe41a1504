import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const CHILD = new URL('./large-child.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'hivewire-large-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const node = (args: string[]) => JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', CHILD, ...args], { maxBuffer: 1 << 20 }).toString());

describe('registry.pol: a 100 MB file', () => {
  it('is read entry by entry in bounded memory (far less than the file)', () => {
    const path = join(dir, 'large.pol');
    const gen = node(['gen', path, '100']);
    expect(statSync(path).size).toBe(gen.size);
    expect(gen.size).toBeGreaterThan(100e6);
    const r = node(['read', path]);
    expect(r.entries).toBe(gen.entries);
    // the file is 95 MiB; what is held at any time is a chunk or two and not-yet-collected entries
    expect(r.peakBuffers / 2 ** 20).toBeLessThan(32);
    expect((r.peakHeap - r.baseHeap) / 2 ** 20).toBeLessThan(48);
  });
});
