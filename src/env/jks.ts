/**
 * Java KeyStore (JKS) files, which ZooKeeper deployments often carry and Node cannot read.
 *
 * Layout: magic 0xFEEDFEED, version 2, entry count, entries, then a SHA-1 over
 * (password as UTF-16BE, "Mighty Aphrodite", everything before). An entry is tag 1 (private key:
 * alias, date, an EncryptedPrivateKeyInfo, the certificate chain) or tag 2 (trusted certificate).
 * Private keys are protected by Sun's KeyProtector: salt(20) ‖ key XOR keystream ‖ SHA-1 check,
 * where the keystream is SHA-1(password ‖ previous block) seeded with the salt.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { children, expect, octets, oid, readDer, Tag } from './der.js';

const MAGIC = 0xfeedfeed;
const KEY_PROTECTOR_OID = '1.3.6.1.4.1.42.2.17.1.1';

export class KeyStoreError extends Error {}

export interface JksKeyEntry {
  alias: string;
  /** PKCS#8 PrivateKeyInfo (DER). */
  privateKey: Buffer;
  /** DER certificates, the key's own first. */
  chain: Buffer[];
}

export interface JksContents {
  keys: JksKeyEntry[];
  /** DER certificates of the trusted-certificate entries. */
  trusted: Buffer[];
}

export function readJks(file: Buffer, password: string): JksContents {
  let p = 0;
  const need = (n: number): void => {
    if (p + n > file.length) throw new KeyStoreError('truncated JKS file');
  };
  const u32 = (): number => {
    need(4);
    const v = file.readUInt32BE(p);
    p += 4;
    return v;
  };
  const bytes = (n: number): Buffer => {
    need(n);
    const b = file.subarray(p, p + n);
    p += n;
    return b;
  };
  const utf = (): string => {
    need(2);
    const n = file.readUInt16BE(p);
    p += 2;
    return bytes(n).toString('utf8');
  };
  if (u32() !== MAGIC) throw new KeyStoreError('not a JKS file (bad magic)');
  const version = u32();
  if (version !== 1 && version !== 2) throw new KeyStoreError(`unsupported JKS version ${version}`);
  const cert = (): Buffer => {
    if (version === 2) {
      const type = utf();
      if (type !== 'X.509') throw new KeyStoreError(`certificate type ${type} is not supported`);
    }
    return Buffer.from(bytes(u32()));
  };
  const count = u32();
  const out: JksContents = { keys: [], trusted: [] };
  const protectedKeys: { alias: string; data: Buffer; chain: Buffer[] }[] = [];
  for (let i = 0; i < count; i++) {
    const tag = u32();
    const alias = utf();
    bytes(8); // creation date
    if (tag === 1) {
      const data = Buffer.from(bytes(u32()));
      const chain: Buffer[] = [];
      for (let n = u32(); n > 0; n--) chain.push(cert());
      protectedKeys.push({ alias, data, chain });
    } else if (tag === 2) {
      out.trusted.push(cert());
    } else {
      throw new KeyStoreError(`unknown JKS entry tag ${tag} (a JCEKS secret key?)`);
    }
  }
  const pw = Buffer.from(password, 'utf16le').swap16();
  const expected = createHash('sha1').update(pw).update('Mighty Aphrodite', 'utf8').update(file.subarray(0, p)).digest();
  const stored = bytes(20);
  if (!timingSafeEqual(expected, stored)) throw new KeyStoreError('keystore was tampered with, or password was incorrect');
  for (const k of protectedKeys) out.keys.push({ alias: k.alias, privateKey: recoverKey(k.data, pw), chain: k.chain });
  return out;
}

function recoverKey(encryptedPrivateKeyInfo: Buffer, pw: Buffer): Buffer {
  const [alg, data] = children(expect(readDer(encryptedPrivateKeyInfo), Tag.Sequence, 'EncryptedPrivateKeyInfo'));
  if (oid(children(alg)[0]) !== KEY_PROTECTOR_OID) throw new KeyStoreError('private key is not protected by the JKS key protector');
  const protectedKey = octets(data);
  if (protectedKey.length < 40) throw new KeyStoreError('protected key too short');
  const salt = protectedKey.subarray(0, 20);
  const encrypted = protectedKey.subarray(20, protectedKey.length - 20);
  const check = protectedKey.subarray(protectedKey.length - 20);
  const plain = Buffer.alloc(encrypted.length);
  let block = salt;
  for (let off = 0; off < encrypted.length; off += 20) {
    block = createHash('sha1').update(pw).update(block).digest();
    for (let i = 0; i < 20 && off + i < encrypted.length; i++) plain[off + i] = encrypted[off + i] ^ block[i];
  }
  const digest = createHash('sha1').update(pw).update(plain).digest();
  if (!timingSafeEqual(digest, check)) throw new KeyStoreError('cannot recover the private key: wrong key password');
  return plain;
}
