/**
 * Frame generators for the bad-input tests: valid request frames under a directory, categories of
 * invalid frames, and random mutations. Everything is driven by a seeded PRNG so a failure can be
 * replayed from its seed.
 */
import { JuteWriter } from '../../../src/jute/writer.js';
import { OpCode } from '../../../src/jute/constants.js';
import type { ACL } from '../../../src/jute/records.js';
import { enc, encMulti, OPEN_ACL_UNSAFE, Body } from './proto.js';

/** mulberry32: small, fast, seedable. */
export class Rng {
  private s: number;
  constructor(readonly seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** A whole request frame: 4-byte length, xid, opcode, body. */
export function frameOf(xid: number, op: number, body?: Body | Buffer): Buffer {
  const w = new JuteWriter(128);
  const start = w.beginFrame();
  w.int(xid).int(op);
  if (Buffer.isBuffer(body)) w.raw(body);
  else if (body) body(w);
  w.endFrame(start);
  return w.toBuffer();
}

function bodyOf(body: Body): Buffer {
  const w = new JuteWriter(128);
  body(w);
  return w.toBuffer();
}

/** A frame whose length prefix says `len` but carries `body` (for lying lengths). */
export function rawFrame(len: number, body: Buffer): Buffer {
  const b = Buffer.allocUnsafe(4 + body.length);
  b.writeInt32BE(len | 0, 0);
  body.copy(b, 4);
  return b;
}

const NAMES = ['a', 'b', 'c', 'n', 'x', 'q-', 'seq', 'e'];

/** A valid request of a random kind with every path under `dir` (which exists). */
export function validRequest(rng: Rng, dir: string): { op: number; body: Buffer } {
  const p = (): string => `${dir}/${rng.pick(NAMES)}${rng.chance(0.3) ? '/' + rng.pick(NAMES) : ''}`;
  const data = (): Buffer => rng.bytes(rng.int(40));
  const kind = rng.int(16);
  switch (kind) {
    case 0:
    case 1:
      return { op: OpCode.create, body: bodyOf(enc.create(p(), data(), OPEN_ACL_UNSAFE, rng.pick([0, 0, 1, 2, 3]))) };
    case 2:
      return { op: OpCode.create2, body: bodyOf(enc.create(p(), data(), OPEN_ACL_UNSAFE, rng.pick([0, 2, 4]))) };
    case 3:
      return { op: OpCode.createTTL, body: bodyOf(enc.createTTL(p(), data(), OPEN_ACL_UNSAFE, rng.pick([5, 6]), BigInt(1 + rng.int(100000)))) };
    case 4:
      return { op: OpCode.setData, body: bodyOf(enc.setData(p(), data(), rng.pick([-1, 0, 1]))) };
    case 5:
      return { op: OpCode.delete, body: bodyOf(enc.pathVersion(p(), rng.pick([-1, 0]))) };
    case 6:
      return { op: rng.pick([OpCode.getData, OpCode.exists, OpCode.getChildren, OpCode.getChildren2]), body: bodyOf(enc.pathWatch(p(), rng.chance(0.5))) };
    case 7:
      return { op: rng.pick([OpCode.getACL, OpCode.sync, OpCode.getAllChildrenNumber, OpCode.getEphemerals]), body: bodyOf(enc.path(p())) };
    case 8:
      return { op: OpCode.setACL, body: bodyOf(enc.setACL(p(), rng.chance(0.5) ? OPEN_ACL_UNSAFE : [{ perms: 31, id: { scheme: 'ip', id: '127.0.0.1' } }], -1)) };
    case 9:
      return {
        op: OpCode.multi,
        body: bodyOf(
          encMulti([
            { op: 'create', path: p(), data: data() },
            { op: 'setData', path: p(), data: data() },
            { op: 'check', path: dir, version: -1 },
            { op: 'delete', path: p() },
          ]),
        ),
      };
    case 10:
      return { op: OpCode.multiRead, body: bodyOf(encMulti([{ op: 'getData', path: p() }, { op: 'getChildren', path: dir }])) };
    case 11:
      return { op: OpCode.addWatch, body: bodyOf(enc.pathInt(p(), rng.int(2))) };
    case 12:
      return { op: rng.pick([OpCode.removeWatches, OpCode.checkWatches]), body: bodyOf(enc.pathInt(p(), 1 + rng.int(3))) };
    case 13:
      return { op: OpCode.setWatches2, body: bodyOf(enc.setWatches(0n, [p()], [p()], [dir], { persistent: [p()], recursive: [] })) };
    case 14:
      return { op: OpCode.whoAmI, body: Buffer.alloc(0) };
    default:
      return { op: OpCode.auth, body: bodyOf(enc.auth('digest', Buffer.from(`u${rng.int(5)}:p`))) };
  }
}

/** Categories of frames that must never change the tree (the server answers an error or closes). */
export const INVALID_CATEGORIES = [
  'truncated-record',
  'bad-path',
  'bad-utf8-path',
  'bad-acl',
  'bad-string-length',
  'bad-vector-length',
  'garbage-body',
  'bad-multi',
  'unknown-opcode',
  'oversized-length',
  'negative-length',
  'short-frame',
  'bad-auth',
] as const;
export type InvalidCategory = (typeof INVALID_CATEGORIES)[number];

/** Categories after which Apache closes the connection (learned from the running server). */
export const FATAL_CATEGORIES: ReadonlySet<InvalidCategory> = new Set(['unknown-opcode', 'oversized-length', 'negative-length', 'short-frame', 'bad-auth']);

const BAD_PATH_SUFFIXES = ['/', '//x', '/.', '/..', '/./x', '/../x', '/a\u0000b', '/a\u0001', '/a\u007f', '/a\ud800', '/a\ufff5', '/a\uf8ff'];

function writeRequest(op: number, path: string | Buffer, rng: Rng): Buffer {
  const w = new JuteWriter(128);
  const str = (): void => {
    if (Buffer.isBuffer(path)) w.buffer(path);
    else w.ustring(path);
  };
  switch (op) {
    case OpCode.create:
    case OpCode.create2:
      str();
      w.buffer(rng.bytes(4));
      w.vector(OPEN_ACL_UNSAFE, (x, a) => void x.int(a.perms).ustring(a.id.scheme).ustring(a.id.id));
      w.int(0);
      break;
    case OpCode.setData:
      str();
      w.buffer(rng.bytes(4)).int(-1);
      break;
    case OpCode.delete:
      str();
      w.int(-1);
      break;
    default:
      str();
      w.vector(OPEN_ACL_UNSAFE, (x, a) => void x.int(a.perms).ustring(a.id.scheme).ustring(a.id.id));
      w.int(-1);
  }
  return w.toBuffer();
}

function aclBody(path: string, acl: ACL[] | null, rawAcl?: Buffer): Buffer {
  const w = new JuteWriter(128);
  w.ustring(path).buffer(Buffer.from('d'));
  if (rawAcl) w.raw(rawAcl);
  else w.vector(acl, (x, a) => void x.int(a.perms).ustring(a.id.scheme).ustring(a.id.id));
  w.int(0);
  return w.toBuffer();
}

/** One invalid frame of the given category; paths are under `dir`. */
export function invalidFrame(rng: Rng, cat: InvalidCategory, dir: string, xid: number): Buffer {
  switch (cat) {
    case 'truncated-record': {
      let v = validRequest(rng, dir);
      // auth is not a request the pipeline sees (a bad one closes the connection): keep it out.
      while (v.op === OpCode.auth || v.op === OpCode.whoAmI) v = validRequest(rng, dir);
      // Reads with one field (path) can only be truncated inside the string; keep at least 1 byte off.
      if (v.body.length === 0) return frameOf(xid, OpCode.create, Buffer.alloc(3));
      const cut = rng.int(v.body.length);
      // Writes with a trailing optional part are fine truncated only if still invalid: cut inside.
      return frameOf(xid, v.op, v.body.subarray(0, cut));
    }
    case 'bad-path': {
      const op = rng.pick([OpCode.create, OpCode.create2, OpCode.setData, OpCode.delete, OpCode.setACL]);
      const path = rng.chance(0.2) ? rng.pick(['relative', 'fz', '', 'a/b']) : dir + rng.pick(BAD_PATH_SUFFIXES);
      return frameOf(xid, op, writeRequest(op, path, rng));
    }
    case 'bad-utf8-path': {
      const op = rng.pick([OpCode.create, OpCode.setData, OpCode.delete]);
      const bad = rng.pick([[0xc3, 0x28], [0xff], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf0, 0x28, 0x8c, 0x28], [0xc0, 0xaf], [0x80]]);
      return frameOf(xid, op, writeRequest(op, Buffer.concat([Buffer.from(dir + '/u'), Buffer.from(bad), Buffer.from('z')]), rng));
    }
    case 'bad-acl': {
      const path = `${dir}/acl${rng.int(1000)}`;
      const kind = rng.int(7);
      const op = rng.pick([OpCode.create, OpCode.create2]);
      if (kind === 0) return frameOf(xid, op, aclBody(path, []));
      if (kind === 1) return frameOf(xid, op, aclBody(path, [{ perms: 31, id: { scheme: 'digest', id: 'nocolon' } }]));
      if (kind === 2) return frameOf(xid, op, aclBody(path, [{ perms: 31, id: { scheme: rng.pick(['nope', 'x509', 'super', 'sasl', 'DIGEST']), id: 'x' } }]));
      if (kind === 3) return frameOf(xid, op, aclBody(path, [{ perms: 31, id: { scheme: 'ip', id: rng.pick(['300.1.1.1', 'abc', '1.2.3.4/40', '']) } }]));
      if (kind === 4) return frameOf(xid, op, aclBody(path, [{ perms: 31, id: { scheme: 'world', id: 'someone' } }]));
      const raw = Buffer.alloc(4);
      raw.writeInt32BE(kind === 5 ? -7 : 0x7ffffff0);
      return frameOf(xid, op, aclBody(path, null, raw));
    }
    case 'bad-string-length': {
      const op = rng.pick([OpCode.create, OpCode.getData, OpCode.setData, OpCode.exists, OpCode.sync, OpCode.getChildren]);
      const b = Buffer.alloc(4 + 8);
      b.writeInt32BE(rng.pick([-2, -100, 0x7fffffff, 0x10000000, 1000]), 0);
      b.write('/abcdefg', 4);
      return frameOf(xid, op, b);
    }
    case 'bad-vector-length': {
      const w = new JuteWriter(64);
      w.long(0n).int(rng.pick([0x7fffffff, 100000, -5])).ustring(dir);
      return frameOf(xid, rng.pick([OpCode.setWatches, OpCode.setWatches2]), w.toBuffer());
    }
    case 'garbage-body': {
      const op = rng.pick([OpCode.create, OpCode.create2, OpCode.createTTL, OpCode.setData, OpCode.setACL, OpCode.multi, OpCode.multiRead, OpCode.delete, OpCode.reconfig]);
      // Garbage that starts with an impossible string length so it cannot parse as a valid record.
      const g = rng.bytes(rng.int(64));
      const b = Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0x80 | rng.int(0x7e)]), g]);
      return frameOf(xid, op, b);
    }
    case 'bad-multi': {
      const w = new JuteWriter(64);
      const k = rng.int(4);
      if (k === 0) {
        // An op type that may not appear in a multi.
        w.int(rng.pick([OpCode.sync, OpCode.exists, OpCode.multi, 99, -7])).bool(false).int(-1).ustring(dir + '/m');
        w.int(-1).bool(true).int(-1);
      } else if (k === 1) {
        // No end marker: the record runs out.
        w.int(OpCode.create).bool(false).int(-1);
        enc.create(dir + '/m', null, OPEN_ACL_UNSAFE, 0)(w);
      } else if (k === 2) {
        // A read inside a write multi.
        encMulti([{ op: 'create', path: dir + '/m' }, { op: 'getData', path: dir }])(w);
      } else {
        // A write inside multiRead.
        encMulti([{ op: 'getData', path: dir }, { op: 'create', path: dir + '/m' }])(w);
        return frameOf(xid, OpCode.multiRead, w.toBuffer());
      }
      return frameOf(xid, OpCode.multi, w.toBuffer());
    }
    case 'unknown-opcode': {
      const op = rng.pick([10, 23, 24, 50, 99, 108, 200, -2, -3, -12, 0x7fffffff, -0x80000000]);
      return frameOf(xid, op, rng.bytes(rng.int(16)));
    }
    case 'oversized-length':
      return rawFrame(rng.pick([0x7fffffff, 0x100000 + 1 + rng.int(1000), 0x40000000]), rng.bytes(8));
    case 'negative-length':
      return rawFrame(rng.pick([-1, -8, -0x80000000, -100000]), rng.bytes(8));
    case 'short-frame': {
      const n = rng.int(8);
      return rawFrame(n, rng.bytes(n));
    }
    case 'bad-auth':
      return frameOf(-4, OpCode.auth, bodyOf(enc.auth(rng.pick(['nosuch', 'world', 'super', 'sasl', 'x509', '']), rng.bytes(6))));
  }
}

/** Random mutations of a frame: bit flips, byte changes, truncation, insertion, opcode swaps,
 *  extreme lengths. With bodyOnly the request header (length, xid, opcode) stays intact, so the
 *  server answers instead of closing and the connection lives on to take more frames; opcode swaps
 *  then only pick known opcodes. */
export function mutate(rng: Rng, f: Buffer, bodyOnly = false): Buffer {
  const b = Buffer.from(f);
  const from = bodyOnly ? 12 : 4;
  if (b.length <= from) return b;
  switch (rng.int(6)) {
    case 0: {
      // flip 1-3 bits
      for (let i = 0, n = 1 + rng.int(3); i < n; i++) {
        const at = from + rng.int(b.length - from);
        b[at] ^= 1 << rng.int(8);
      }
      return b;
    }
    case 1: {
      // replace one byte with an interesting value
      b[from + rng.int(b.length - from)] = rng.pick([0, 0xff, 0x7f, 0x80, 0x2f, 0x2e, 0xc3]);
      return b;
    }
    case 2: {
      // truncate, fixing the length prefix
      const cut = from + rng.int(b.length - from);
      const t = Buffer.from(b.subarray(0, cut));
      t.writeInt32BE(cut - 4, 0);
      return t;
    }
    case 3: {
      // insert random bytes, fixing the length prefix
      const at = from + rng.int(b.length - from);
      const t = Buffer.concat([b.subarray(0, at), rng.bytes(1 + rng.int(8)), b.subarray(at)]);
      t.writeInt32BE(t.length - 4, 0);
      return t;
    }
    case 4: {
      // swap the opcode for another request's
      if (b.length >= 12) b.writeInt32BE(rng.pick([1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 14, 15, 17, 18, 19, 21, 22, 101, 103, 104, 105, 106, 107]), 8);
      return b;
    }
    default: {
      // overwrite a 4-byte field (a length or count) with an extreme value
      if (b.length >= 16) b.writeInt32BE(rng.pick([-1, -2, 0, 0x7fffffff, 1 << 20]), 12 + 4 * rng.int(Math.max(1, Math.floor((b.length - 16) / 4))));
      return b;
    }
  }
}
