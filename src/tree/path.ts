/**
 * Znode path rules, as ZooKeeper's PathUtils enforces them. Strings are UTF-16 in both Java and
 * JavaScript, so character ranges can be checked code unit by code unit exactly as ZooKeeper does.
 */

/** Why a path is invalid, or null when it is valid. */
export function pathProblem(path: string): string | null {
  if (path.length === 0) return 'Path length must be > 0';
  if (path.charCodeAt(0) !== 0x2f) return 'Path must start with / character';
  if (path.length === 1) return null;
  if (path.charCodeAt(path.length - 1) === 0x2f) return 'Path must not end with / character';
  let last = 0x2f;
  for (let i = 1; i < path.length; last = path.charCodeAt(i), i++) {
    const c = path.charCodeAt(i);
    if (c === 0) return `null character not allowed @${i}`;
    if (c === 0x2f && last === 0x2f) return `empty node name specified @${i}`;
    if (c === 0x2e) {
      const next = i + 1 === path.length ? 0x2f : path.charCodeAt(i + 1);
      if (last === 0x2e) {
        if (path.charCodeAt(i - 2) === 0x2f && next === 0x2f) return `relative paths not allowed @${i}`;
      } else if (last === 0x2f && next === 0x2f) {
        return `relative paths not allowed @${i}`;
      }
      continue;
    }
    if ((c > 0 && c <= 0x1f) || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xf8ff) || c >= 0xfff0) {
      return `invalid character @${i}`;
    }
  }
  return null;
}

export function isValidPath(path: string): boolean {
  return pathProblem(path) === null;
}

/** The parent of a path ('' for children of the root, as ZooKeeper's lastIndexOf split gives). */
export function parentOf(path: string): string {
  return path.substring(0, path.lastIndexOf('/'));
}

export function nameOf(path: string): string {
  return path.substring(path.lastIndexOf('/') + 1);
}

export function joinPath(parent: string, name: string): string {
  return parent === '/' || parent === '' ? `/${name}` : `${parent}/${name}`;
}

/** ZooKeeper's own subtree. */
export const ZOOKEEPER_PATH = '/zookeeper';
export const QUOTA_PATH = '/zookeeper/quota';
export const CONFIG_PATH = '/zookeeper/config';

/** Paths no client may delete or create as siblings' parents replacement (DataTree.isSpecialPath). */
export function isSpecialPath(path: string): boolean {
  return path === '/' || path === ZOOKEEPER_PATH || path === QUOTA_PATH || path === CONFIG_PATH;
}
