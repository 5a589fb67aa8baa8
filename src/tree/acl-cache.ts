/**
 * Reference-counted ACL cache: every distinct ACL list is stored once and znodes refer to it by a
 * long id, exactly as ZooKeeper's snapshot stores it (ids from 1 upward; -1 is OPEN_ACL_UNSAFE,
 * used for nodes created without an ACL list, e.g. the built-in /zookeeper nodes).
 */
import type { ACL } from '../jute/records.js';
import { Perms } from '../jute/constants.js';

export const OPEN_ACL_UNSAFE: readonly ACL[] = Object.freeze([{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }]);
export const READ_ACL_UNSAFE: readonly ACL[] = Object.freeze([{ perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }]);
export const OPEN_UNSAFE_ACL_ID = -1;

function keyOf(acls: readonly ACL[]): string {
  let k = '';
  for (const a of acls) k += `${a.perms}\u0000${a.id.scheme}\u0000${a.id.id}\u0001`;
  return k;
}

export class ACLCache {
  private byId = new Map<number, ACL[]>();
  private byKey = new Map<string, number>();
  private refs = new Map<number, number>();
  private index = 0;

  /** Interns a list and counts one more use; returns its id. */
  convert(acls: readonly ACL[] | null): number {
    if (acls === null) return OPEN_UNSAFE_ACL_ID;
    const key = keyOf(acls);
    let id = this.byKey.get(key);
    if (id === undefined) {
      id = ++this.index;
      this.byId.set(id, acls.map((a) => ({ perms: a.perms, id: { scheme: a.id.scheme, id: a.id.id } })));
      this.byKey.set(key, id);
    }
    this.addUsage(id);
    return id;
  }

  /** Whether `id` names an ACL of this cache (a fuzzy snapshot's node may carry one it lacks). */
  knows(id: number): boolean {
    return id === OPEN_UNSAFE_ACL_ID || this.byId.has(id);
  }

  get(id: number): readonly ACL[] {
    if (id === OPEN_UNSAFE_ACL_ID) return OPEN_ACL_UNSAFE;
    return this.byId.get(id) ?? OPEN_ACL_UNSAFE;
  }

  addUsage(id: number, n = 1): void {
    if (id === OPEN_UNSAFE_ACL_ID || !this.byId.has(id)) return;
    this.refs.set(id, (this.refs.get(id) ?? 0) + n);
  }

  removeUsage(id: number): void {
    if (id === OPEN_UNSAFE_ACL_ID || !this.byId.has(id)) return;
    const n = (this.refs.get(id) ?? 0) - 1;
    if (n > 0) {
      this.refs.set(id, n);
      return;
    }
    this.refs.delete(id);
    this.byKey.delete(keyOf(this.byId.get(id)!));
    this.byId.delete(id);
  }

  /** Loading a snapshot: the id is given, usage is counted as nodes arrive. */
  load(id: number, acls: ACL[]): void {
    this.byId.set(id, acls);
    this.byKey.set(keyOf(acls), id);
    if (id > this.index) this.index = id;
  }

  /** Drops lists that no node refers to (after a snapshot load). */
  purgeUnused(): void {
    for (const id of [...this.byId.keys()]) {
      if (!this.refs.has(id)) {
        this.byKey.delete(keyOf(this.byId.get(id)!));
        this.byId.delete(id);
      }
    }
  }

  entries(): IterableIterator<[number, ACL[]]> {
    return this.byId.entries();
  }

  get size(): number {
    return this.byId.size;
  }
}
