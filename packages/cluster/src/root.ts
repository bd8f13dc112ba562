import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ClusterError, InvalidJobError } from './errors.js';

/** The worker's `--root` as a real directory path (symlinks resolved), or a clear error. */
export function realRoot(root: string): string {
  try {
    return realpathSync(root);
  } catch (error) {
    throw new ClusterError(`--root ${root}: ${(error as { code?: string }).code === 'ENOENT' ? 'no such directory' : (error as Error).message}`);
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * The absolute path of a job's relative `file` under `root` (a {@link realRoot}), refusing
 * absolute paths, `..` escapes and symlinks that lead outside the root. A path that does not
 * exist yet is returned as is (reading it then fails like any missing file, inside the root).
 * @throws {@link InvalidJobError} when the path is outside the root.
 */
export function pathInRoot(root: string, file: string): string {
  if (isAbsolute(file)) throw new InvalidJobError(`${file}: absolute path; jobs name files relative to the worker's --root`);
  const path = resolve(root, file);
  if (!inside(root, path)) throw new InvalidJobError(`${file}: outside the worker's --root`);
  // The deepest part that exists, links resolved: a missing file under a linked directory that
  // leads outside is refused too (it might appear there later).
  let existing = path;
  let rest = '';
  for (;;) {
    try {
      const real = realpathSync(existing);
      if (!inside(root, real)) throw new InvalidJobError(`${file}: a link to outside the worker's --root`);
      return rest === '' ? real : join(real, rest);
    } catch (error) {
      if (error instanceof InvalidJobError) throw error;
      const parent = dirname(existing);
      if (parent === existing) return path;
      rest = rest === '' ? basename(existing) : join(basename(existing), rest);
      existing = parent;
    }
  }
}

/** `file` relative to the producer's `root` (the form jobs carry), refusing files outside it. */
export function relativeToRoot(root: string, file: string): string {
  const rel = relative(root, resolve(file));
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
    throw new ClusterError(`${file} is not under --root ${root}: workers read files relative to the shared root`);
  }
  return rel.split(sep).join('/');
}
