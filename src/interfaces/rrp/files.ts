// Where BaseRegSaveKey/SaveKeyEx/RestoreKey/LoadKey/ReplaceKey may touch files (§3.1.5.14, §3.1.5.18–
// §3.1.5.20, §3.1.5.27): only inside one configured directory. Clients name files the Windows way
// (<22>: server-local paths); we accept only names relative to that directory, so nothing a client
// sends can reach outside it — `..`, absolute and drive paths, UNC names and alternate data streams
// (`file:stream`) are all ERROR_ACCESS_DENIED.
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { win32 } from '../../util/win32.js';

/** <22>, <24>, <26>: file names are at most 255 characters. */
export const MAX_FILE_NAME = 255;

export class FileConfinement {
  readonly root: string;
  constructor(dir: string) {
    this.root = realpathSync(path.resolve(dir));
  }

  /** The local path for a client's file name, or Win32Error ERROR_ACCESS_DENIED. */
  resolve(name: string): string {
    const n = name.replace(/\0+$/, '');
    if (n.length === 0 || n.length > MAX_FILE_NAME) throw win32('ERROR_INVALID_PARAMETER', 'file name length');
    if (/[\0-\x1f:*?"<>|]/.test(n)) throw win32('ERROR_ACCESS_DENIED', `file name ${JSON.stringify(n)} has a drive, stream or reserved character`);
    if (/^[\\/]/.test(n)) throw win32('ERROR_ACCESS_DENIED', `file name ${JSON.stringify(n)} is absolute or UNC`);
    const parts = n.split(/[\\/]+/);
    for (const p of parts) {
      if (p === '..' || p === '.' || p === '') throw win32('ERROR_ACCESS_DENIED', `file name ${JSON.stringify(n)} leaves the files directory`);
      // Windows drops trailing dots and spaces: "..." or ".. " would name the parent there
      if (/^[. ]+$/.test(p) || /[. ]$/.test(p)) throw win32('ERROR_ACCESS_DENIED', `file name component ${JSON.stringify(p)}`);
    }
    const full = path.join(this.root, ...parts);
    const rel = path.relative(this.root, full);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw win32('ERROR_ACCESS_DENIED', `file name ${JSON.stringify(n)} leaves the files directory`);
    // a symlink planted inside the directory must not lead out of it either
    let real: string;
    try {
      real = realpathSync(path.dirname(full));
    } catch {
      return full; // parent missing: the operation itself reports it
    }
    if (real !== this.root && !real.startsWith(this.root + path.sep)) throw win32('ERROR_ACCESS_DENIED', `file name ${JSON.stringify(n)} leaves the files directory`);
    return full;
  }
}
