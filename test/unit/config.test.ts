import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, loadConfigFile } from '../../src/config/parse.js';
import { parseProperties, systemPropertiesFrom } from '../../src/config/properties-file.js';
import { ConfigError } from '../../src/config/types.js';

const ROOT = new URL('../../..', import.meta.url).pathname;

function rejects(text: string, line: number | undefined, key: string, pattern: RegExp): void {
  assert.throws(
    () => parseConfig(text, { file: 'zoo.cfg' }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.equal(e.key, key);
      assert.equal(e.line, line);
      assert.match(e.message, pattern);
      if (line !== undefined) assert.ok(e.message.startsWith(`zoo.cfg:${line} ${key}:`), e.message);
      return true;
    },
  );
}

test('the Properties format: separators, comments, continuations and escapes', () => {
  const p = parseProperties('# c\n! c\n a = 1\nb:2\nc 3\nd=x\\\n   y\ne=tab\\there\\u0041\n\nf=\n');
  assert.deepEqual(
    p.map((e) => [e.key, e.value, e.line]),
    [['a', '1', 3], ['b', '2', 4], ['c', '3', 5], ['d', 'xy', 6], ['e', 'tab\thereA', 8], ['f', '', 10]],
  );
});

test('-D properties come from the JVM flag strings, later ones winning', () => {
  const m = systemPropertiesFrom('-Xmx1g -Dzookeeper.skipACL=yes -Da=1', '-Da=2 -Dquoted="x y" -Dflag');
  assert.equal(m.get('zookeeper.skipACL'), 'yes');
  assert.equal(m.get('a'), '2');
  assert.equal(m.get('quoted'), 'x y');
  assert.equal(m.get('flag'), '');
});

test('the ZooKeeper sample config gives ZooKeeper 3.8 defaults', () => {
  const c = loadConfigFile(join(ROOT, 'conf/zoo_sample.cfg'));
  assert.equal(c.tickTime, 2000);
  assert.equal(c.initLimit, 10);
  assert.equal(c.syncLimit, 5);
  assert.equal(c.dataDir, '/tmp/zookeeper');
  assert.equal(c.dataLogDir, '/tmp/zookeeper');
  assert.equal(c.clientPort, 2181);
  assert.equal(c.minSessionTimeout, 4000);
  assert.equal(c.maxSessionTimeout, 40000);
  assert.equal(c.maxClientCnxns, 60);
  assert.equal(c.snapCount, 100000);
  assert.equal(c.preAllocSize, 64 * 1024 * 1024);
  assert.equal(c.forceSync, true);
  assert.equal(c.globalOutstandingLimit, 1000);
  assert.deepEqual(c.fourLetterWords, new Set(['srvr']));
  assert.equal(c.juteMaxBuffer, 0xfffff);
  assert.equal(c.adminEnableServer, true);
  assert.equal(c.adminServerPort, 8080);
  assert.equal(c.servers.size, 0);
  assert.deepEqual(c.warnings, []);
});

test('unknown keys become zookeeper.<key> properties: the known ones apply, the others are kept and warned about', () => {
  const c = parseConfig(
    'dataDir=/d\nclientPort=2181\nsnapCount=10\nforceSync=no\nskipACL=yes\n4lw.commands.whitelist=ruok, mntr\nextendedTypesEnabled=true\nfrobnicate=7\nadmin.serverPort=9090\n',
    { file: 'zoo.cfg', systemProperties: new Map([['zookeeper.snapCount', '99'], ['zookeeper.preAllocSize', '1']]) },
  );
  assert.equal(c.snapCount, 10, 'zoo.cfg overrides -D, as System.setProperty after start does');
  assert.equal(c.preAllocSize, 1024);
  assert.equal(c.forceSync, false);
  assert.equal(c.skipACL, true);
  assert.deepEqual(c.fourLetterWords, new Set(['ruok', 'mntr']));
  assert.equal(c.extendedTypesEnabled, true);
  assert.equal(c.adminServerPort, 9090);
  assert.equal(c.unknown.get('frobnicate'), '7');
  assert.equal(c.properties.get('zookeeper.frobnicate'), '7');
  assert.equal(c.warnings.length, 1);
  assert.match(c.warnings[0], /^zoo\.cfg:8: unknown key frobnicate/);
});

test('bad values are rejected naming the file, line and key', () => {
  rejects('dataDir=/d\nclientPort=2181\ntickTime=abc\n', 3, 'tickTime', /'abc' is not an integer/);
  rejects('dataDir=/d\nclientPort=99999\n', 2, 'clientPort', /not a port number/);
  rejects('dataDir=/d\nclientPort=2181\nminSessionTimeout=50000\n', 3, 'minSessionTimeout', /must not be larger than maxSessionTimeout/);
  rejects('dataDir=/d\nclientPort=2181\nstandaloneEnabled=maybe\n', 3, 'standaloneEnabled', /choose 'true' or 'false'/);
  rejects('dataDir=/d\nclientPort=2181\nelectionAlg=1\n', 3, 'electionAlg', /Only 3 is supported/);
  rejects('dataDir=/d\nclientPort=2181\npeerType=boss\n', 3, 'peerType', /Unrecognised peertype/);
  rejects('dataDir=/d\nclientPort=2181\nforceSync=perhaps\n', 3, 'forceSync', /not yes or no/);
  rejects('dataDir=/d\nclientPort=2181\nsnapshot.compression.method=lz4\n', 3, 'snapshot.compression.method', /not a snapshot compression method/);
  rejects('dataDir=/d\nclientPort=2181\nmetricsProvider.className=com.example.Nope\n', 3, 'metricsProvider.className', /not found/);
  rejects('dataDir=/d\nclientPortAddress=127.0.0.1\n', 2, 'clientPortAddress', /clientPort is not set/);
  rejects('dataDir=/d\nclientPort=2181\nserver.1=h1:2888\n', 3, 'server.1', /host:port:port/);
  rejects('dataDir=/d\nclientPort=2181\nserver.x=h1:2888:3888\n', 3, 'server.x', /not a server id/);
  rejects('dataDir=/d\nclientPort=2181\nserver.1=h1:2888:3888:boss\n', 3, 'server.1', /participant or observer/);
  rejects('clientPort=2181\n', undefined, 'dataDir', /dataDir is not set/);
  rejects('dataDir=/d\n', undefined, 'clientPort', /neither clientPort nor secureClientPort/);
  rejects('dataDir=/d\nclientPort=1\nenforce.auth.enabled=true\nenforce.auth.schemes=sasl\n', 4, 'enforce.auth.schemes', /sasl is not available/);
  rejects('dataDir=/d\nsecureClientPort=2281\n', 2, 'secureClientPort', /ssl.keyStore.location/);
});

test('a bad -D property is named as one', () => {
  assert.throws(
    () => parseConfig('dataDir=/d\nclientPort=1\n', { systemProperties: new Map([['zookeeper.snapCount', 'lots']]) }),
    /'lots' is not an integer \(system property -Dzookeeper.snapCount\)/,
  );
});

test('an ensemble: server.N lines, myid, client port after ";", observers, and the dynamic config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tszk-cfg-'));
  writeFileSync(join(dir, 'myid'), '2\n');
  const text = `dataDir=${dir}\ninitLimit=5\nsyncLimit=2\nserver.1=a:2888:3888\nserver.2=b:2889:3889;127.0.0.1:2182\nserver.3=[::1]:2890:3890:observer\n`;
  const c = parseConfig(text, { file: join(dir, 'zoo.cfg') });
  assert.equal(c.myId, 2);
  assert.equal(c.servers.size, 3);
  assert.deepEqual(c.servers.get(2), { id: 2, host: 'b', quorumPort: 2889, electionPort: 3889, type: 'participant', clientHost: '127.0.0.1', clientPort: 2182 });
  assert.equal(c.servers.get(3)?.type, 'observer');
  assert.equal(c.servers.get(3)?.host, '::1');
  assert.equal(c.clientPort, 2182);
  writeFileSync(join(dir, 'zoo.cfg.dynamic'), 'server.2=b:1:2;3000\nserver.4=d:1:2\n');
  const d = parseConfig(`dataDir=${dir}\ninitLimit=5\nsyncLimit=2\ndynamicConfigFile=${join(dir, 'zoo.cfg.dynamic')}\n`);
  assert.deepEqual([...d.servers.keys()], [2, 4]);
  assert.equal(d.clientPort, 3000);
  writeFileSync(join(dir, 'myid'), 'seven');
  assert.throws(() => parseConfig(text), /serverid seven is not a number/);
  assert.throws(() => parseConfig(`dataDir=${dir}x\ninitLimit=5\nsyncLimit=2\nserver.1=a:1:2\nserver.2=b:1:2\n`), /myid file is missing/);
  assert.throws(() => parseConfig(`dataDir=${dir}\nserver.1=a:1:2\nserver.2=b:1:2\n`), /initLimit is not set/);
  assert.ok(readFileSync(join(dir, 'zoo.cfg.dynamic'), 'utf8').length > 0);
});

test('TLS keys and enforce.auth come from zoo.cfg as ZooKeeper reads them', () => {
  const c = parseConfig(
    'dataDir=/d\nsecureClientPort=2281\nssl.keyStore.location=/k.pem\nssl.keyStore.password=pw\nssl.trustStore.location=/t.jks\nssl.clientAuth=want\nenforce.auth.enabled=true\nenforce.auth.schemes=digest\n',
  );
  assert.equal(c.secureClientPort, 2281);
  assert.equal(c.clientPort, undefined);
  assert.equal(c.tls.keyStoreLocation, '/k.pem');
  assert.equal(c.tls.keyStorePassword, 'pw');
  assert.equal(c.tls.trustStoreLocation, '/t.jks');
  assert.equal(c.tls.clientAuth, 'want');
  assert.deepEqual(c.enforceAuthSchemes, ['digest']);
});
