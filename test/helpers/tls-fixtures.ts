/**
 * Key and trust stores made by Java's own keytool, in every format ZooKeeper reads: a server key
 * (JKS, PKCS12, PEM), a client key (PKCS12), and trust stores holding both certificates.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrivateKey } from 'node:crypto';
import type { TestContext } from 'node:test';
import { readJks } from '../../src/env/jks.js';

export const STORE_PASSWORD = 'changeit1';
export const CLIENT_DN = 'CN=tszkclient';

export interface TlsFixtures {
  dir: string;
  serverJks: string;
  serverP12: string;
  /** Private key and certificate in one PEM file (ZooKeeper's PEM key store). */
  serverPem: string;
  clientP12: string;
  clientPem: string;
  trustJks: string;
  trustP12: string;
  trustPem: string;
}

export function keytoolInstalled(): boolean {
  return spawnSync('keytool', ['-help'], { stdio: 'ignore' }).status === 0;
}

/** True when keytool runs; otherwise skips loudly (fails when TSZK_REQUIRE_INTEROP=1). */
export function needKeytool(t: TestContext): boolean {
  if (keytoolInstalled()) return true;
  if (process.env.TSZK_REQUIRE_INTEROP === '1') throw new Error('keytool (a Java runtime) is required in CI but missing');
  const msg = 'SKIPPED: keytool is not installed (apt-get install -y zookeeper brings a JRE); this test did not run';
  process.stderr.write(`\n*** ${msg} ***\n`);
  t.skip(msg);
  return false;
}

function keytool(...args: string[]): void {
  const r = spawnSync('keytool', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`keytool ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
}

export function makeTlsFixtures(): TlsFixtures {
  const dir = mkdtempSync(join(tmpdir(), 'tszk-tls-'));
  const f = (n: string): string => join(dir, n);
  const pw = STORE_PASSWORD;
  const gen = (alias: string, dn: string, store: string, type: string): void =>
    keytool('-genkeypair', '-alias', alias, '-keyalg', 'RSA', '-keysize', '2048', '-dname', dn, '-validity', '30',
      '-ext', 'san=ip:127.0.0.1,dns:localhost', '-keystore', store, '-storetype', type, '-storepass', pw, '-keypass', pw);
  gen('server', 'CN=localhost,OU=tszk,O=test', f('server.jks'), 'JKS');
  gen('client', CLIENT_DN, f('client.p12'), 'PKCS12');
  keytool('-importkeystore', '-srckeystore', f('server.jks'), '-srcstoretype', 'JKS', '-srcstorepass', pw,
    '-destkeystore', f('server.p12'), '-deststoretype', 'PKCS12', '-deststorepass', pw, '-destkeypass', pw, '-noprompt');
  keytool('-exportcert', '-rfc', '-alias', 'server', '-keystore', f('server.jks'), '-storepass', pw, '-file', f('server.crt'));
  keytool('-exportcert', '-rfc', '-alias', 'client', '-keystore', f('client.p12'), '-storepass', pw, '-file', f('client.crt'));
  for (const [alias, crt] of [['server', 'server.crt'], ['client', 'client.crt']]) {
    keytool('-importcert', '-noprompt', '-alias', alias, '-file', f(crt), '-keystore', f('trust.jks'), '-storetype', 'JKS', '-storepass', pw);
    keytool('-importcert', '-noprompt', '-alias', alias, '-file', f(crt), '-keystore', f('trust.p12'), '-storetype', 'PKCS12', '-storepass', pw);
  }
  writeFileSync(f('trust.pem'), readFileSync(f('server.crt'), 'utf8') + readFileSync(f('client.crt'), 'utf8'));
  // PEM key stores: the key comes out of the JKS file (keytool cannot export keys), encrypted.
  const key = readJks(readFileSync(f('server.jks')), pw).keys[0].privateKey;
  const pem = createPrivateKey({ key, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: pw });
  writeFileSync(f('server.pem'), `${pem}${readFileSync(f('server.crt'), 'utf8')}`);
  keytool('-importkeystore', '-srckeystore', f('client.p12'), '-srcstoretype', 'PKCS12', '-srcstorepass', pw,
    '-destkeystore', f('client.jks'), '-deststoretype', 'JKS', '-deststorepass', pw, '-destkeypass', pw, '-noprompt');
  const ckey = readJks(readFileSync(f('client.jks')), pw).keys[0].privateKey;
  writeFileSync(f('client.pem'), `${createPrivateKey({ key: ckey, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' })}${readFileSync(f('client.crt'), 'utf8')}`);
  for (const p of ['server.jks', 'server.p12', 'server.pem', 'client.p12', 'trust.jks', 'trust.p12']) if (!existsSync(f(p))) throw new Error(`${p} was not made`);
  return {
    dir,
    serverJks: f('server.jks'),
    serverP12: f('server.p12'),
    serverPem: f('server.pem'),
    clientP12: f('client.p12'),
    clientPem: f('client.pem'),
    trustJks: f('trust.jks'),
    trustP12: f('trust.p12'),
    trustPem: f('trust.pem'),
  };
}
