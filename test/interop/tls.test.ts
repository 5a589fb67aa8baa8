/**
 * TLS on secureClientPort (issue 2): key and trust stores in every format ZooKeeper reads (JKS,
 * PKCS12, PEM, made by Java's keytool), the x509 ACL scheme, and Apache's own zkCli.sh connecting
 * over TLS (Netty client) to tszk and to Apache ZooKeeper with the same stores and the same output.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import { loadKeyStore, loadTrustStore, KeyStoreError } from '../../src/env/key-stores.js';
import { OpCode, Err } from '../../src/jute/constants.js';
import { JuteReader } from '../../src/jute/reader.js';
import { needApache, apacheInstalled, startServer, freePort, RunningServer, ZK_CLI, NETTY_EXTRA_JARS } from '../helpers/servers.js';
import { makeTlsFixtures, needKeytool, keytoolInstalled, STORE_PASSWORD, CLIENT_DN, type TlsFixtures } from '../helpers/tls-fixtures.js';
import { RawClient } from './lib/raw-client.js';
import { tszkBuilt } from './lib/suite.js';

let fx: TlsFixtures | undefined;
const fixtures = (): TlsFixtures => (fx ??= makeTlsFixtures());
after(() => {
  if (fx) rmSync(fx.dir, { recursive: true, force: true });
});

const X509 = 'org.apache.zookeeper.server.auth.X509AuthenticationProvider';

/** One TLS handshake between a Node server using the loaded stores and a client with client.pem. */
async function handshake(serverKey: ReturnType<typeof loadKeyStore>, ca: string[]): Promise<string> {
  const server = createTlsServer({ ...serverKey, ca, requestCert: true, rejectUnauthorized: true });
  let subject = '';
  server.on('secureConnection', (s: TLSSocket) => {
    subject = s.getPeerX509Certificate()?.subject ?? '';
    s.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const pem = readFileSync(fixtures().clientPem, 'utf8');
  try {
    await new Promise<void>((resolve, reject) => {
      const s = tlsConnect({ port, host: '127.0.0.1', key: pem, cert: pem, ca: loadTrustStore({ location: fixtures().trustPem }) }, () => {
        s.on('close', () => resolve());
      });
      s.on('error', reject);
      s.resume();
    });
  } finally {
    server.close();
  }
  return subject;
}

describe('key and trust stores: JKS, PKCS12 and PEM as keytool writes them', () => {
  it('every key store with every trust store makes a working mutual-TLS server', async (t) => {
    if (!needKeytool(t)) return;
    const f = fixtures();
    for (const key of [f.serverJks, f.serverP12, f.serverPem]) {
      for (const trust of [f.trustJks, f.trustP12, f.trustPem]) {
        const ca = loadTrustStore({ location: trust, password: STORE_PASSWORD });
        assert.equal(ca.length, 2, `${trust} holds both certificates`);
        const subject = await handshake(loadKeyStore({ location: key, password: STORE_PASSWORD }), ca);
        assert.match(subject, /CN=tszkclient/, `${key} + ${trust}`);
      }
    }
  });

  it('a wrong password, a tampered file or an unknown type is a clear error', (t) => {
    if (!needKeytool(t)) return;
    const f = fixtures();
    assert.throws(() => loadKeyStore({ location: f.serverJks, password: 'nope' }), (e: unknown) => e instanceof KeyStoreError && /password/.test(e.message));
    assert.throws(() => loadTrustStore({ location: f.trustP12, password: 'nope' }), (e: unknown) => e instanceof KeyStoreError && /password/.test(e.message));
    assert.throws(() => loadKeyStore({ location: f.serverPem, password: 'nope' }), KeyStoreError);
    const bad = join(f.dir, 'tampered.jks');
    const bytes = readFileSync(f.trustJks);
    bytes[bytes.length - 30] ^= 1;
    writeFileSync(bad, bytes);
    assert.throws(() => loadTrustStore({ location: bad, password: STORE_PASSWORD }), /tampered|password/);
    assert.throws(() => loadKeyStore({ location: join(f.dir, 'store.bin') }), /cannot tell the type/);
    assert.throws(() => loadKeyStore({ location: f.serverJks, password: STORE_PASSWORD, type: 'BCFKS' }), /not supported/);
  });
});

function secureCfg(f: TlsFixtures, securePort: number, keyStore: string, trustStore: string): Record<string, string | number> {
  return {
    secureClientPort: securePort,
    serverCnxnFactory: 'org.apache.zookeeper.server.NettyServerCnxnFactory',
    'authProvider.x509': X509,
    'ssl.keyStore.location': keyStore,
    'ssl.keyStore.password': STORE_PASSWORD,
    'ssl.trustStore.location': trustStore,
    'ssl.trustStore.password': STORE_PASSWORD,
  };
}

function tlsSocket(port: number, withCert: boolean): () => Promise<Socket> {
  const f = fixtures();
  const pem = readFileSync(f.clientPem, 'utf8');
  return () =>
    new Promise((resolve, reject) => {
      const s = tlsConnect({ port, host: '127.0.0.1', ...(withCert ? { key: pem, cert: pem } : {}), ca: loadTrustStore({ location: f.trustPem }) }, () => resolve(s));
      s.on('error', reject);
    });
}

describe('tszk serving on secureClientPort', () => {
  let server: RunningServer | undefined;
  let securePort = 0;
  before(async () => {
    if (!keytoolInstalled() || !tszkBuilt()) return;
    securePort = await freePort();
    server = await startServer('tszk', { cfg: secureCfg(fixtures(), securePort, fixtures().serverJks, fixtures().trustP12) });
  });
  after(() => server?.stop());

  it('a client with a certificate gets a session whose identity is its x509 subject; the plain port still works', async (t) => {
    if (!needKeytool(t) || server === undefined) return;
    const c = await RawClient.connect(securePort, { openSocket: tlsSocket(securePort, true) });
    try {
      const r = await c.request(OpCode.whoAmI);
      assert.equal(r.header.err, 0);
      const rd = new JuteReader(r.body);
      const ids: string[] = [];
      for (let n = rd.int(); n > 0; n--) ids.push(`${rd.ustring()}:${rd.ustring()}`);
      assert.ok(ids.includes(`x509:${CLIENT_DN}`), ids.join(' '));
      // An x509 ACL admits this client.
      const create = await c.request(OpCode.create, (w) => {
        w.ustring('/tls').buffer(Buffer.from('x')).int(1).int(31).ustring('x509').ustring(CLIENT_DN).int(0);
      });
      assert.equal(create.header.err, 0);
      const plain = await RawClient.connect(server.port);
      const denied = await plain.request(OpCode.getData, (w) => w.ustring('/tls').bool(false));
      assert.equal(denied.header.err, Err.NoAuth);
      plain.destroy();
    } finally {
      c.destroy();
    }
  });

  it('a client without a certificate is refused (ssl.clientAuth=need)', async (t) => {
    if (!needKeytool(t) || server === undefined) return;
    await assert.rejects(RawClient.connect(securePort, { openSocket: tlsSocket(securePort, false), connectTimeoutMs: 5000 }));
    assert.match(await waitForOutput(server, /Unsuccessful TLS handshake|closed during/), /./);
  });
});

async function waitForOutput(s: RunningServer, re: RegExp): Promise<string> {
  for (let i = 0; i < 50 && !re.test(s.output()); i++) await new Promise((r) => setTimeout(r, 100));
  return s.output();
}

function zkCliTls(port: number, cmd: string[]): Promise<string> {
  const f = fixtures();
  const flags = [
    // zkCli.sh sets its own -cp; a later one wins, adding the Netty jars Debian's manifest lacks.
    `-cp /etc/zookeeper/conf:/usr/share/java/zookeeper.jar:${NETTY_EXTRA_JARS}`,
    '-Xmx128m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC',
    '-Dzookeeper.client.secure=true', '-Dzookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty',
    `-Dzookeeper.ssl.keyStore.location=${f.clientP12}`, `-Dzookeeper.ssl.keyStore.password=${STORE_PASSWORD}`,
    `-Dzookeeper.ssl.trustStore.location=${f.trustJks}`, `-Dzookeeper.ssl.trustStore.password=${STORE_PASSWORD}`,
  ].join(' ');
  return new Promise((resolve) => {
    const p = spawn(ZK_CLI, ['-server', `127.0.0.1:${port}`, ...cmd], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CLIENT_JVMFLAGS: flags } });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 60000);
    p.on('close', () => {
      clearTimeout(timer);
      resolve(out.split('\n').filter((l) => l.trim() !== '' && !/^(Connecting to|WATCHER::|WatchedEvent|SLF4J|log4j)/.test(l)).join('\n'));
    });
  });
}

describe("Apache's zkCli.sh over TLS: tszk answers as Apache ZooKeeper does", () => {
  const servers = new Map<string, { s: RunningServer; securePort: number }>();
  before(async () => {
    if (!apacheInstalled() || !tszkBuilt()) return;
    for (const kind of ['apache', 'tszk'] as const) {
      const securePort = await freePort();
      const s = await startServer(kind, { cfg: secureCfg(fixtures(), securePort, fixtures().serverP12, fixtures().trustJks) });
      servers.set(kind, { s, securePort });
    }
  });
  after(() => Promise.all([...servers.values()].map(({ s }) => s.stop())));

  it('whoami, create with an x509 ACL, getAcl and get give the same output', async (t) => {
    if (!needApache(t)) return;
    const out: Record<string, string[]> = {};
    for (const [kind, { securePort }] of servers) {
      out[kind] = [
        await zkCliTls(securePort, ['whoami']),
        await zkCliTls(securePort, ['create', '/secure', 'data', `x509:${CLIENT_DN}:cdrwa`]),
        await zkCliTls(securePort, ['getAcl', '/secure']),
        await zkCliTls(securePort, ['get', '/secure']),
      ];
    }
    assert.deepEqual(out.tszk, out.apache);
    assert.match(out.tszk[0], new RegExp(`^x509: ${CLIENT_DN}$`, 'm'));
    assert.match(out.tszk[1], /^Created \/secure$/m);
    assert.match(out.tszk[2], new RegExp(`^'x509,'${CLIENT_DN}$`, 'm'));
    assert.match(out.tszk[3], /^data$/m);
  });
});
