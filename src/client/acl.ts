/** ACL helpers: the well-known ACL lists of ZooDefs.Ids, digest ids, and permission strings. */
import { createHash } from 'node:crypto';
import { Perms } from '../jute/constants.js';
import type { ACL, Id } from '../jute/records.js';

export { Perms };

export const ANYONE_ID_UNSAFE: Id = Object.freeze({ scheme: 'world', id: 'anyone' });
/** The creator's authenticated ids (needs addAuth before use). */
export const AUTH_IDS: Id = Object.freeze({ scheme: 'auth', id: '' });

/** world:anyone with every permission. */
export const OPEN_ACL_UNSAFE: readonly ACL[] = Object.freeze([Object.freeze({ perms: Perms.ALL, id: ANYONE_ID_UNSAFE })]);
/** Every permission for the creator's authenticated ids. */
export const CREATOR_ALL_ACL: readonly ACL[] = Object.freeze([Object.freeze({ perms: Perms.ALL, id: AUTH_IDS })]);
/** world:anyone may read. */
export const READ_ACL_UNSAFE: readonly ACL[] = Object.freeze([Object.freeze({ perms: Perms.READ, id: ANYONE_ID_UNSAFE })]);

/** The id a digest user authenticates as: `user:base64(sha1(user:password))`. */
export function digestId(user: string, password: string): string {
  return `${user}:${createHash('sha1').update(`${user}:${password}`).digest('base64')}`;
}

/** An ACL entry for a digest user, perms as a number or zkCli letters ('cdrwa'). */
export function digestACL(user: string, password: string, perms: number | string = Perms.ALL): ACL {
  return { perms: typeof perms === 'number' ? perms : parsePerms(perms), id: { scheme: 'digest', id: digestId(user, password) } };
}

const LETTERS: Record<string, number> = { c: Perms.CREATE, d: Perms.DELETE, r: Perms.READ, w: Perms.WRITE, a: Perms.ADMIN };

/** 'cdrwa' → 31. Unknown letters throw. */
export function parsePerms(s: string): number {
  let p = 0;
  for (const ch of s) {
    const v = LETTERS[ch];
    if (v === undefined) throw new Error(`unknown permission letter ${JSON.stringify(ch)} in ${JSON.stringify(s)}`);
    p |= v;
  }
  return p;
}

/** 31 → 'cdrwa' (zkCli's order). */
export function formatPerms(perms: number): string {
  let s = '';
  if (perms & Perms.CREATE) s += 'c';
  if (perms & Perms.DELETE) s += 'd';
  if (perms & Perms.READ) s += 'r';
  if (perms & Perms.WRITE) s += 'w';
  if (perms & Perms.ADMIN) s += 'a';
  return s;
}
