/**
 * Snappy's raw block format (github.com/google/snappy, format_description.txt): a varint of the
 * uncompressed length, then literals and back-references. ZooKeeper 3.8 writes snapshots with
 * `zookeeper.snapshot.compression.method=snappy` through snappy-java, whose stream format wraps
 * these blocks (see snappy-stream.ts). Written here rather than taken from npm so that tszk has no
 * native build step; any valid encoding decodes to the same bytes, so the compressor need only be
 * correct and reasonably fast, not byte-identical to Google's.
 */

export class SnappyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnappyError';
  }
}

/** The largest output compress() can produce for n input bytes (snappy's MaxCompressedLength). */
export function maxCompressedLength(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

function readVarint(src: Uint8Array, pos: number, end: number): { value: number; pos: number } {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (pos >= end) throw new SnappyError('truncated length preamble');
    const b = src[pos++];
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
    if (shift > 28) throw new SnappyError('length preamble too long');
  }
  return { value, pos };
}

/** The uncompressed length a block announces, without decoding it. */
export function uncompressedLength(src: Uint8Array, start = 0, end = src.length): number {
  return readVarint(src, start, end).value;
}

/** Decodes one raw snappy block from src[start, end). Throws SnappyError on any malformation. */
export function uncompress(src: Uint8Array, start = 0, end = src.length): Buffer {
  const pre = readVarint(src, start, end);
  const outLen = pre.value;
  let p = pre.pos;
  const out = Buffer.allocUnsafe(outLen);
  let op = 0;
  while (p < end) {
    const tag = src[p++];
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const n = len - 59;
        if (p + n > end) throw new SnappyError('truncated literal length');
        len = 0;
        for (let i = 0; i < n; i++) len += src[p + i] * 2 ** (8 * i);
        p += n;
      }
      len += 1;
      if (p + len > end || op + len > outLen) throw new SnappyError('literal runs past the end');
      out.set(src.subarray(p, p + len), op);
      p += len;
      op += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (p >= end) throw new SnappyError('truncated copy');
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[p++];
    } else if (kind === 2) {
      if (p + 2 > end) throw new SnappyError('truncated copy');
      len = (tag >>> 2) + 1;
      offset = src[p] | (src[p + 1] << 8);
      p += 2;
    } else {
      if (p + 4 > end) throw new SnappyError('truncated copy');
      len = (tag >>> 2) + 1;
      offset = (src[p] | (src[p + 1] << 8) | (src[p + 2] << 16) | (src[p + 3] << 24)) >>> 0;
      p += 4;
    }
    if (offset === 0 || offset > op) throw new SnappyError(`bad copy offset ${offset} at output ${op}`);
    if (op + len > outLen) throw new SnappyError('copy runs past the end');
    if (offset >= len) {
      out.copyWithin(op, op - offset, op - offset + len);
      op += len;
    } else {
      // Overlapping copy: a repeated pattern, byte by byte as the format defines it.
      for (let i = 0; i < len; i++, op++) out[op] = out[op - offset];
    }
  }
  if (op !== outLen) throw new SnappyError(`block decoded to ${op} bytes, announced ${outLen}`);
  return out;
}

const HASH_BITS = 14;
const table = new Int32Array(1 << HASH_BITS);

function load32(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}

function hash(v: number): number {
  return Math.imul(v, 0x1e35a7bd) >>> (32 - HASH_BITS);
}

function emitLiteral(src: Uint8Array, from: number, to: number, dst: Uint8Array, o: number): number {
  const n = to - from - 1;
  if (n < 60) {
    dst[o++] = n << 2;
  } else if (n < 0x100) {
    dst[o++] = 60 << 2;
    dst[o++] = n;
  } else if (n < 0x10000) {
    dst[o++] = 61 << 2;
    dst[o++] = n & 0xff;
    dst[o++] = n >>> 8;
  } else if (n < 0x1000000) {
    dst[o++] = 62 << 2;
    dst[o++] = n & 0xff;
    dst[o++] = (n >>> 8) & 0xff;
    dst[o++] = n >>> 16;
  } else {
    dst[o++] = 63 << 2;
    dst[o++] = n & 0xff;
    dst[o++] = (n >>> 8) & 0xff;
    dst[o++] = (n >>> 16) & 0xff;
    dst[o++] = n >>> 24;
  }
  dst.set(src.subarray(from, to), o);
  return o + (to - from);
}

function emitCopyUpTo64(offset: number, len: number, dst: Uint8Array, o: number): number {
  if (len < 12 && offset < 2048) {
    dst[o++] = 1 | ((len - 4) << 2) | ((offset >>> 8) << 5);
    dst[o++] = offset & 0xff;
  } else {
    dst[o++] = 2 | ((len - 1) << 2);
    dst[o++] = offset & 0xff;
    dst[o++] = offset >>> 8;
  }
  return o;
}

function emitCopy(offset: number, len: number, dst: Uint8Array, o: number): number {
  // Copies longer than 64 are split; the tail is kept ≥ 4 so that the 1-byte form stays legal.
  while (len >= 68) {
    o = emitCopyUpTo64(offset, 64, dst, o);
    len -= 64;
  }
  if (len > 64) {
    o = emitCopyUpTo64(offset, 60, dst, o);
    len -= 60;
  }
  return emitCopyUpTo64(offset, len, dst, o);
}

/**
 * Compresses src[start, end) into one raw block. Inputs over 64 KiB are fine (offsets stay within
 * the 2-byte form because matches are only looked for within 64 KiB windows).
 */
export function compress(src: Uint8Array, start = 0, end = src.length): Buffer {
  const n = end - start;
  const dst = Buffer.allocUnsafe(maxCompressedLength(n));
  let o = 0;
  // Preamble: the uncompressed length as a varint.
  let v = n;
  while (v >= 0x80) {
    dst[o++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  dst[o++] = v;
  for (let frag = start; frag < end; frag += 0x10000) {
    o = compressFragment(src, frag, Math.min(end, frag + 0x10000), dst, o);
  }
  return dst.subarray(0, o);
}

function compressFragment(src: Uint8Array, start: number, end: number, dst: Uint8Array, o: number): number {
  let nextEmit = start;
  const limit = end - 4; // the last position a 4-byte load may start at
  if (end - start >= 15) {
    table.fill(-1);
    let ip = start;
    let skip = 32;
    while (ip <= limit) {
      const cur = load32(src, ip);
      const h = hash(cur);
      const cand = table[h];
      table[h] = ip;
      if (cand >= start && load32(src, cand) === cur) {
        if (nextEmit < ip) o = emitLiteral(src, nextEmit, ip, dst, o);
        let len = 4;
        while (ip + len < end && src[cand + len] === src[ip + len]) len++;
        o = emitCopy(ip - cand, len, dst, o);
        ip += len;
        nextEmit = ip;
        skip = 32;
        // Seed the table with the position before the next search starts, as snappy does.
        if (ip - 1 <= limit) table[hash(load32(src, ip - 1))] = ip - 1;
        continue;
      }
      // Data that does not compress is skipped over faster and faster (snappy's heuristic).
      ip += skip >>> 5;
      skip++;
    }
  }
  if (nextEmit < end) o = emitLiteral(src, nextEmit, end, dst, o);
  return o;
}
