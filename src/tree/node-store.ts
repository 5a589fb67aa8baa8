/**
 * Storage of znodes as integers: a znode is an id indexing parallel typed arrays (links to parent,
 * children and siblings; where its name and data sit in the ByteArena; its stat in a 64-byte slot of
 * one slab). Children are found through one open-addressing hash table keyed by (parent id, name).
 * Nothing here knows what a stat field means or what a txn is: that is the DataTree's business.
 *
 * Cost per znode: about 110 bytes of arrays and index plus its name and data rounded to 8 bytes,
 * all outside the JS heap, so the garbage collector never walks the tree.
 */
import { ByteArena } from './byte-arena.js';

export const STAT_SLOT = 64;
const EMPTY = -1;

// New capacity is never filled: a slot is written when its node is created, so pages of unused
// capacity are never touched and never become resident.
function growInt32(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

function growUint32(a: Uint32Array, n: number): Uint32Array {
  const b = new Uint32Array(n);
  b.set(a);
  return b;
}

/** FNV-1a over UTF-16 code units. */
export function hashName(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

function slotHash(parent: number, nameHash: number): number {
  let h = Math.imul(parent ^ 0x9e3779b9, 0x85ebca6b) ^ nameHash;
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h;
}

export class NodeStore {
  capacity = 0;
  parent = new Int32Array(0);
  firstChild = new Int32Array(0);
  lastChild = new Int32Array(0);
  nextSib = new Int32Array(0);
  prevSib = new Int32Array(0);
  childCount = new Int32Array(0);
  nameOff = new Uint32Array(0);
  nameLen = new Int32Array(0);
  nameHash = new Int32Array(0);
  dataOff = new Uint32Array(0);
  /** -1 when the node's data is null (not the same as empty). */
  dataLen = new Int32Array(0);
  stats: Buffer = Buffer.alloc(0);
  readonly arena = new ByteArena();

  private nextFresh = 0;
  private freeIds: number[] = [];
  live = 0;

  private table = new Int32Array(0);
  private mask = 0;
  private tableCount = 0;

  constructor(initialCapacity = 1024) {
    this.resize(initialCapacity);
    this.rehash(2048);
  }

  reset(): void {
    this.capacity = 0;
    this.parent = new Int32Array(0);
    this.resize(1024);
    this.nextFresh = 0;
    this.freeIds = [];
    this.live = 0;
    this.arena.reset();
    this.tableCount = 0;
    this.rehash(2048);
  }

  private resize(cap: number): void {
    this.parent = growInt32(this.parent, cap);
    this.firstChild = growInt32(this.firstChild, cap);
    this.lastChild = growInt32(this.lastChild, cap);
    this.nextSib = growInt32(this.nextSib, cap);
    this.prevSib = growInt32(this.prevSib, cap);
    this.childCount = growInt32(this.childCount, cap);
    this.nameOff = growUint32(this.nameOff, cap);
    this.nameLen = growInt32(this.nameLen, cap);
    this.nameHash = growInt32(this.nameHash, cap);
    this.dataOff = growUint32(this.dataOff, cap);
    this.dataLen = growInt32(this.dataLen, cap);
    const stats = Buffer.allocUnsafeSlow(cap * STAT_SLOT);
    this.stats.copy(stats);
    this.stats = stats;
    this.capacity = cap;
  }

  /**
   * Creates a node named by UTF-8 bytes (a snapshot load: no string is made). Only for names whose
   * bytes are all ASCII, where the bytes and UTF-16 code units hash alike; others go through create().
   */
  createAscii(parent: number, src: Buffer, start: number, len: number): number {
    let h = 0x811c9dc5;
    for (let i = start; i < start + len; i++) h = Math.imul(h ^ src[i], 0x01000193);
    const id = this.allocate(parent, len, h | 0);
    const dst = this.arena.buf;
    const off = this.nameOff[id];
    // A byte loop: Buffer.copy builds a view object per call, which dominates for short names.
    for (let i = 0; i < len; i++) dst[off + i] = src[start + i];
    this.link(id, parent);
    return id;
  }

  /** Creates a node with a name under `parent` (-1 for the root); its data is null, its stat zero. */
  create(parent: number, name: string): number {
    const len = Buffer.byteLength(name, 'utf8');
    const id = this.allocate(parent, len, hashName(name));
    if (len > 0) this.arena.buf.write(name, this.nameOff[id], len, 'utf8');
    this.link(id, parent);
    return id;
  }

  private allocate(parent: number, nameLen: number, nameHash: number): number {
    let id = this.freeIds.pop();
    if (id === undefined) {
      id = this.nextFresh++;
      if (id >= this.capacity) this.resize(this.capacity * 2);
    }
    this.live++;
    this.parent[id] = parent;
    this.firstChild[id] = EMPTY;
    this.lastChild[id] = EMPTY;
    this.childCount[id] = 0;
    this.dataOff[id] = 0;
    this.dataLen[id] = -1;
    const stats = this.stats;
    for (let i = id * STAT_SLOT, e = i + STAT_SLOT; i < e; i++) stats[i] = 0;
    this.nameOff[id] = this.arena.alloc(nameLen);
    this.nameLen[id] = nameLen;
    this.nameHash[id] = nameHash;
    return id;
  }

  private link(id: number, parent: number): void {
    if (parent === EMPTY) {
      this.nextSib[id] = EMPTY;
      this.prevSib[id] = EMPTY;
      return;
    }
    // Append to the parent's children, keeping creation order.
    const last = this.lastChild[parent];
    this.prevSib[id] = last;
    this.nextSib[id] = EMPTY;
    if (last === EMPTY) this.firstChild[parent] = id;
    else this.nextSib[last] = id;
    this.lastChild[parent] = id;
    this.childCount[parent]++;
    this.index(id);
  }

  /** Removes a node (its children must already be gone) and frees its name and data. */
  remove(id: number): void {
    const parent = this.parent[id];
    if (parent !== EMPTY) {
      this.unindex(id);
      const prev = this.prevSib[id];
      const next = this.nextSib[id];
      if (prev === EMPTY) this.firstChild[parent] = next;
      else this.nextSib[prev] = next;
      if (next === EMPTY) this.lastChild[parent] = prev;
      else this.prevSib[next] = prev;
      this.childCount[parent]--;
    }
    this.arena.free(this.nameOff[id], this.nameLen[id]);
    this.setData(id, null);
    this.parent[id] = EMPTY;
    this.nameLen[id] = 0;
    this.freeIds.push(id);
    this.live--;
  }

  isLive(id: number): boolean {
    return id >= 0 && id < this.nextFresh && (id === 0 ? this.live > 0 : this.parent[id] !== EMPTY);
  }

  name(id: number): string {
    const len = this.nameLen[id];
    return len === 0 ? '' : this.arena.buf.toString('utf8', this.nameOff[id], this.nameOff[id] + len);
  }

  /** The child of `parent` called `name`, or -1. */
  child(parent: number, name: string): number {
    const h = hashName(name);
    let slot = slotHash(parent, h) & this.mask;
    for (;;) {
      const id = this.table[slot];
      if (id === EMPTY) return EMPTY;
      if (this.parent[id] === parent && this.nameHash[id] === h && this.nameIs(id, name)) return id;
      slot = (slot + 1) & this.mask;
    }
  }

  private nameIs(id: number, name: string): boolean {
    const len = this.nameLen[id];
    const off = this.nameOff[id];
    const buf = this.arena.buf;
    if (len === name.length) {
      let i = 0;
      for (; i < len; i++) {
        const b = buf[off + i];
        if (b >= 0x80) break;
        if (b !== name.charCodeAt(i)) return false;
      }
      if (i === len) return true;
    }
    return buf.toString('utf8', off, off + len) === name;
  }

  data(id: number): Buffer | null {
    const len = this.dataLen[id];
    if (len < 0) return null;
    const off = this.dataOff[id];
    return this.arena.buf.subarray(off, off + len);
  }

  /** Sets data from a range of a larger buffer (a snapshot load), without making a view of it. */
  setDataFrom(id: number, src: Uint8Array, start: number, len: number): void {
    if (len < 0) {
      this.setData(id, null);
      return;
    }
    const old = this.dataLen[id];
    if (old > 0) this.arena.free(this.dataOff[id], old);
    const off = len > 0 ? this.arena.alloc(len) : 0;
    const dst = this.arena.buf;
    if (len <= 1024) for (let i = 0; i < len; i++) dst[off + i] = src[start + i];
    else dst.set(src.subarray(start, start + len), off);
    this.dataOff[id] = off;
    this.dataLen[id] = len;
  }

  setData(id: number, data: Uint8Array | null): void {
    const oldLen = this.dataLen[id];
    const newLen = data === null ? -1 : data.length;
    if (oldLen > 0 && ByteArena.classSize(oldLen) === ByteArena.classSize(newLen)) {
      // Same size class: overwrite in place.
      this.arena.buf.set(data!, this.dataOff[id]);
      this.dataLen[id] = newLen;
      return;
    }
    if (oldLen > 0) this.arena.free(this.dataOff[id], oldLen);
    let off = 0;
    if (newLen > 0) {
      off = this.arena.alloc(newLen);
      this.arena.buf.set(data!, off);
    }
    this.dataOff[id] = off;
    this.dataLen[id] = newLen;
  }

  // ---------------------------------------------------------------- the (parent, name) index

  private index(id: number): void {
    if ((this.tableCount + 1) * 2 > this.table.length) this.rehash(this.table.length * 2);
    let slot = slotHash(this.parent[id], this.nameHash[id]) & this.mask;
    while (this.table[slot] !== EMPTY) slot = (slot + 1) & this.mask;
    this.table[slot] = id;
    this.tableCount++;
  }

  private unindex(id: number): void {
    const mask = this.mask;
    const t = this.table;
    let i = slotHash(this.parent[id], this.nameHash[id]) & mask;
    while (t[i] !== id) {
      if (t[i] === EMPTY) return;
      i = (i + 1) & mask;
    }
    t[i] = EMPTY;
    this.tableCount--;
    // Backward-shift deletion keeps every probe chain unbroken without tombstones.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const other = t[j];
      if (other === EMPTY) return;
      const home = slotHash(this.parent[other], this.nameHash[other]) & mask;
      const movable = i <= j ? home <= i || home > j : home <= i && home > j;
      if (movable) {
        t[i] = other;
        t[j] = EMPTY;
        i = j;
      }
    }
  }

  private rehash(size: number): void {
    this.table = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
    this.tableCount = 0;
    for (let id = 1; id < this.nextFresh; id++) {
      if (this.parent[id] !== EMPTY) this.index(id);
    }
  }

  /** Bytes held outside the JS heap (for metrics and the memory benchmark). */
  get footprint(): number {
    return this.capacity * (11 * 4 + STAT_SLOT) + this.table.length * 4 + this.arena.capacity;
  }
}
