/**
 * Just enough DER to walk PKCS#12 and JKS key containers: tag-length-value nodes, read lazily.
 */

export class DerError extends Error {}

export interface Der {
  /** The full identifier octet (class, constructed bit, tag number < 31). */
  tag: number;
  /** The content octets. */
  body: Buffer;
  /** The whole encoding, header included. */
  raw: Buffer;
}

export const Tag = {
  Integer: 0x02,
  OctetString: 0x04,
  Null: 0x05,
  Oid: 0x06,
  Sequence: 0x30,
  Set: 0x31,
  /** [0] constructed, context-specific (EXPLICIT [0] wrappers). */
  Context0: 0xa0,
  /** [0] primitive, context-specific (IMPLICIT [0] OCTET STRING). */
  Context0Primitive: 0x80,
} as const;

/** Reads the node at `off`. */
export function readDer(buf: Buffer, off = 0): Der {
  if (off + 2 > buf.length) throw new DerError('truncated DER');
  const tag = buf[off];
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte DER tags are not supported');
  let len = buf[off + 1];
  let p = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) throw new DerError('indefinite DER length');
    if (n > 4 || p + n > buf.length) throw new DerError('bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i];
    p += n;
  }
  if (p + len > buf.length) throw new DerError('DER value runs past its container');
  return { tag, body: buf.subarray(p, p + len), raw: buf.subarray(off, p + len) };
}

/** The children of a constructed node. */
export function children(node: Der): Der[] {
  const out: Der[] = [];
  let off = 0;
  while (off < node.body.length) {
    const c = readDer(node.body, off);
    out.push(c);
    off += c.raw.length;
  }
  return out;
}

export function expect(node: Der, tag: number, what: string): Der {
  if (node.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${node.tag.toString(16)}`);
  return node;
}

/** Dotted text of an OBJECT IDENTIFIER. */
export function oid(node: Der): string {
  expect(node, Tag.Oid, 'OID');
  const b = node.body;
  const parts: number[] = [Math.floor(b[0] / 40), b[0] % 40];
  let v = 0;
  for (let i = 1; i < b.length; i++) {
    v = v * 128 + (b[i] & 0x7f);
    if ((b[i] & 0x80) === 0) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

export function integer(node: Der): number {
  expect(node, Tag.Integer, 'INTEGER');
  let v = 0;
  for (const x of node.body) v = v * 256 + x;
  return v;
}

/** An OCTET STRING's bytes, including the constructed form BER writers sometimes use. */
export function octets(node: Der): Buffer {
  if ((node.tag & 0x20) !== 0) return Buffer.concat(children(node).map(octets));
  return node.body;
}
