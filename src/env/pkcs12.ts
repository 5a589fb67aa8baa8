/**
 * The certificates in a PKCS#12 file (RFC 7292), for trust stores: Node can load a PKCS#12 key
 * store (tls `pfx`) but refuses one that holds only certificates, which is what `keytool
 * -importcert -storetype PKCS12` writes. Encrypted certificate bags are opened with PBES2
 * (PBKDF2 + AES, Java 17's and OpenSSL 3's default) or the older PKCS#12 PBE with 3DES.
 */
import { createDecipheriv, createHash, pbkdf2Sync } from 'node:crypto';
import { children, expect, integer, octets, oid, readDer, Tag, type Der, DerError } from './der.js';

const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  pbeSha1TripleDes: '1.2.840.113549.1.12.1.3',
} as const;

const PRF: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};

const CIPHERS: Record<string, { name: string; keyLength: number }> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes-128-cbc', keyLength: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'aes-192-cbc', keyLength: 24 },
  '2.16.840.1.101.3.4.1.42': { name: 'aes-256-cbc', keyLength: 32 },
  '1.2.840.113549.3.7': { name: 'des-ede3-cbc', keyLength: 24 },
};

/** DER certificates in the file, in the order stored. */
export function pkcs12Certificates(file: Buffer, password: string): Buffer[] {
  const pfx = children(expect(readDer(file), Tag.Sequence, 'PFX'));
  if (pfx.length < 2 || integer(pfx[0]) !== 3) throw new DerError('not a PKCS#12 (version 3) file');
  const authSafe = contentInfoData(pfx[1]);
  const certs: Buffer[] = [];
  for (const ci of children(expect(readDer(authSafe), Tag.Sequence, 'AuthenticatedSafe'))) {
    const parts = children(ci);
    const type = oid(parts[0]);
    let safeContents: Buffer;
    if (type === OID.data) safeContents = contentInfoData(ci);
    else if (type === OID.encryptedData) safeContents = decryptEncryptedData(children(expect(parts[1], Tag.Context0, 'EncryptedData'))[0], password);
    else continue;
    for (const bag of children(expect(readDer(safeContents), Tag.Sequence, 'SafeContents'))) {
      const b = children(bag);
      if (oid(b[0]) !== OID.certBag) continue;
      const certBag = children(children(expect(b[1], Tag.Context0, 'bagValue'))[0]);
      if (oid(certBag[0]) !== OID.x509Certificate) continue;
      certs.push(Buffer.from(octets(children(expect(certBag[1], Tag.Context0, 'certValue'))[0])));
    }
  }
  return certs;
}

function contentInfoData(ci: Der): Buffer {
  const parts = children(expect(ci, Tag.Sequence, 'ContentInfo'));
  if (oid(parts[0]) !== OID.data) throw new DerError('expected a data ContentInfo');
  return octets(children(expect(parts[1], Tag.Context0, 'content'))[0]);
}

function decryptEncryptedData(encryptedData: Der, password: string): Buffer {
  const eci = children(children(expect(encryptedData, Tag.Sequence, 'EncryptedData'))[1]);
  const alg = children(eci[1]);
  const content = eci[2];
  const ciphertext = (content.tag & 0x20) !== 0 ? octets(content) : content.body;
  const algOid = oid(alg[0]);
  if (algOid === OID.pbes2) {
    const [kdf, scheme] = children(alg[1]).map(children);
    if (oid(kdf[0]) !== OID.pbkdf2) throw new DerError(`PBES2 key derivation ${oid(kdf[0])} is not supported`);
    const params = children(kdf[1]);
    const salt = octets(params[0]);
    const iterations = integer(params[1]);
    let prf = 'sha1';
    for (const p of params.slice(2)) if (p.tag === Tag.Sequence) prf = PRF[oid(children(p)[0])] ?? '';
    if (prf === '') throw new DerError('unsupported PBKDF2 pseudo-random function');
    const cipher = CIPHERS[oid(scheme[0])];
    if (cipher === undefined) throw new DerError(`cipher ${oid(scheme[0])} is not supported`);
    const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, cipher.keyLength, prf);
    return decipher(cipher.name, key, octets(scheme[1]), ciphertext);
  }
  if (algOid === OID.pbeSha1TripleDes) {
    const params = children(alg[1]);
    const salt = octets(params[0]);
    const iterations = integer(params[1]);
    const key = pkcs12Kdf(password, salt, iterations, 1, 24);
    const iv = pkcs12Kdf(password, salt, iterations, 2, 8);
    return decipher('des-ede3-cbc', key, iv, ciphertext);
  }
  throw new DerError(`encryption ${algOid} is not supported (use PBES2/AES or 3DES)`);
}

function decipher(name: string, key: Buffer, iv: Buffer, data: Buffer): Buffer {
  try {
    const d = createDecipheriv(name, key, iv);
    return Buffer.concat([d.update(data), d.final()]);
  } catch {
    throw new DerError('cannot decrypt: wrong password?');
  }
}

/** RFC 7292 appendix B.2 key derivation (SHA-1), with the password as BMPString plus two zero bytes. */
function pkcs12Kdf(password: string, salt: Buffer, iterations: number, id: number, size: number): Buffer {
  const u = 20;
  const v = 64;
  const pw = Buffer.alloc((password.length + 1) * 2);
  for (let i = 0; i < password.length; i++) pw.writeUInt16BE(password.charCodeAt(i), i * 2);
  const fill = (src: Buffer): Buffer => {
    if (src.length === 0) return src;
    const n = v * Math.ceil(src.length / v);
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = src[i % src.length];
    return out;
  };
  const D = Buffer.alloc(v, id);
  let I = Buffer.concat([fill(salt), fill(pw)]);
  const out = Buffer.alloc(size);
  for (let pos = 0; pos < size; pos += u) {
    let A = createHash('sha1').update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash('sha1').update(A).digest();
    A.copy(out, pos, 0, Math.min(u, size - pos));
    const B = fill(A).subarray(0, v);
    const next = Buffer.alloc(I.length);
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const s = I[j + k] + B[k] + carry;
        next[j + k] = s & 0xff;
        carry = s >> 8;
      }
    }
    I = next;
  }
  return out;
}
