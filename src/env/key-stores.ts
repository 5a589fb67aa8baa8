/**
 * ZooKeeper's key and trust stores (ssl.keyStore.*, ssl.trustStore.*) turned into Node TLS
 * options. Types as ZooKeeper's KeyStoreFileType: PEM, PKCS12 and JKS, named by the `type`
 * setting or else by the file's extension (.pem, .p12/.pfx, .jks).
 */
import { readFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { SecureContextOptions } from 'node:tls';
import { readJks, KeyStoreError } from './jks.js';
import { pkcs12Certificates } from './pkcs12.js';

export { KeyStoreError } from './jks.js';

export type StoreType = 'PEM' | 'PKCS12' | 'JKS';

export interface StoreSpec {
  location: string;
  password?: string;
  type?: string;
}

export function storeType(spec: StoreSpec): StoreType {
  const t = spec.type?.trim().toUpperCase();
  if (t !== undefined && t !== '') {
    if (t === 'PEM' || t === 'JKS' || t === 'PKCS12') return t;
    throw new KeyStoreError(`store type ${spec.type} is not supported (PEM, PKCS12, JKS)`);
  }
  const lower = spec.location.toLowerCase();
  if (lower.endsWith('.pem') || lower.endsWith('.crt') || lower.endsWith('.key')) return 'PEM';
  if (lower.endsWith('.p12') || lower.endsWith('.pfx') || lower.endsWith('.pkcs12')) return 'PKCS12';
  if (lower.endsWith('.jks')) return 'JKS';
  throw new KeyStoreError(`cannot tell the type of ${spec.location} from its name: set the store's type (PEM, PKCS12 or JKS)`);
}

function read(spec: StoreSpec, what: string): Buffer {
  try {
    return readFileSync(spec.location);
  } catch (e) {
    throw new KeyStoreError(`cannot read the ${what} ${spec.location}: ${(e as Error).message}`);
  }
}

const pemBlocks = (text: string, label: RegExp): string[] =>
  [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g)].filter((m) => label.test(m[1])).map((m) => m[0] + '\n');

const derToPem = (der: Buffer): string => new X509Certificate(der).toString();

/** The key and certificate chain a server (or client) presents. */
export function loadKeyStore(spec: StoreSpec): Pick<SecureContextOptions, 'key' | 'cert' | 'pfx' | 'passphrase'> {
  const type = storeType(spec);
  const data = read(spec, 'key store');
  try {
    if (type === 'PKCS12') return { pfx: data, passphrase: spec.password ?? '' };
    if (type === 'PEM') {
      const text = data.toString('utf8');
      const keys = pemBlocks(text, /PRIVATE KEY$/);
      const certs = pemBlocks(text, /^CERTIFICATE$/);
      if (keys.length === 0) throw new KeyStoreError('no private key in it');
      if (certs.length === 0) throw new KeyStoreError('no certificate in it');
      const key = createPrivateKey({ key: keys[0], format: 'pem', passphrase: spec.password });
      return { key: key.export({ format: 'pem', type: 'pkcs8' }), cert: certs.join('') };
    }
    const jks = readJks(data, spec.password ?? '');
    if (jks.keys.length === 0) throw new KeyStoreError('no private key entry in it');
    const entry = jks.keys[0];
    const key = createPrivateKey({ key: entry.privateKey, format: 'der', type: 'pkcs8' });
    return { key: key.export({ format: 'pem', type: 'pkcs8' }), cert: entry.chain.map(derToPem).join('') };
  } catch (e) {
    throw new KeyStoreError(`key store ${spec.location} (${type}): ${(e as Error).message}`);
  }
}

/** The certificates a peer's certificate must chain to, as PEM. */
export function loadTrustStore(spec: StoreSpec): string[] {
  const type = storeType(spec);
  const data = read(spec, 'trust store');
  try {
    let certs: string[];
    if (type === 'PEM') certs = pemBlocks(data.toString('utf8'), /^CERTIFICATE$/);
    else if (type === 'PKCS12') certs = pkcs12Certificates(data, spec.password ?? '').map(derToPem);
    else {
      const jks = readJks(data, spec.password ?? '');
      certs = [...jks.trusted, ...jks.keys.flatMap((k) => k.chain.slice(-1))].map(derToPem);
    }
    if (certs.length === 0) throw new KeyStoreError('no certificate in it');
    return certs;
  } catch (e) {
    throw new KeyStoreError(`trust store ${spec.location} (${type}): ${(e as Error).message}`);
  }
}
