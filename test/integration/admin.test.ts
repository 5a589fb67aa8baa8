/**
 * tszk's operator surface on a running server: the four-letter words' formats, the whitelist, the
 * AdminServer's commands and HTTP behaviour, the Prometheus endpoint, and the JSON log file.
 * (Differential checks against Apache ZooKeeper itself are in test/interop/admin-apache.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, fourLetterWord, freePort, startTszk, type RunningServer } from '../helpers/servers.js';
import { familyOfMonitorKey, httpGet, watchState } from './admin-support.js';
import { ADVANCED_SUMMARIES, BASIC_SUMMARIES, COUNTERS, GAUGES } from '../../src/admin/catalog.js';
import { PRIMARY_NAMES } from '../../src/admin/commands.js';

const PROMETHEUS = 'org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider';

interface Fixture {
  server: RunningServer;
  adminPort: number;
  metricsPort: number;
  logDir: string;
}

async function withServer(cfg: Record<string, string | number>, body: (f: Fixture) => Promise<void>): Promise<void> {
  const adminPort = await freePort();
  const metricsPort = await freePort();
  const logDir = mkdtempSync(join(tmpdir(), 'tszk-admin-log-'));
  const server = await startTszk({
    cfg: {
      'admin.enableServer': 'true',
      'admin.serverPort': adminPort,
      'metricsProvider.className': PROMETHEUS,
      'metricsProvider.httpPort': metricsPort,
      ...cfg,
    },
    env: { ZOO_LOG_DIR: logDir },
  });
  try {
    await body({ server, adminPort, metricsPort, logDir });
  } finally {
    await server.stop();
    rmSync(logDir, { recursive: true, force: true });
  }
}

/** The monitor keys mntr must print with the default metrics provider, in order. */
function expectedMonitorKeys(): string[] {
  const keys = ['version', 'server_state', ...GAUGES, ...COUNTERS];
  for (const s of BASIC_SUMMARIES) keys.push(`avg_${s}`, `min_${s}`, `max_${s}`, `cnt_${s}`, `sum_${s}`);
  for (const s of ADVANCED_SUMMARIES) keys.push(`avg_${s}`, `min_${s}`, `max_${s}`, `cnt_${s}`, `sum_${s}`, `p50_${s}`, `p95_${s}`, `p99_${s}`, `p999_${s}`);
  return keys;
}

test('four-letter words answer in Apache 3.8 formats', async () => {
  await withServer({ 'metricsProvider.className': 'org.apache.zookeeper.metrics.impl.DefaultMetricsProvider' }, async ({ server }) => {
    const state = await watchState(server.connectString);
    try {
      const ask = (w: string): Promise<string> => fourLetterWord(server.port, w);
      assert.equal(await ask('ruok'), 'imok');
      assert.equal(await ask('isro'), 'rw');
      assert.equal(await ask('gtmk'), '306');

      const srvr = await ask('srvr');
      assert.match(
        srvr,
        /^Zookeeper version: 3\.8\.0-tszk-\d+\.\d+\.\d+, built on \d{4}-\d\d-\d\d \d\d:\d\d UTC\nLatency min\/avg\/max: \d+\/\d+\.\d+\/\d+\nReceived: \d+\nSent: \d+\nConnections: 2\nOutstanding: 0\nZxid: 0x3\nMode: standalone\nNode count: 7\n$/,
      );
      const stat = await ask('stat');
      assert.match(stat, /^Zookeeper version: [^\n]+\nClients:\n( \/127\.0\.0\.1:\d+\[[01]\]\(queued=\d+,recved=\d+,sent=\d+\)\n){2}\nLatency min\/avg\/max: /);

      const cons = (await ask('cons')).split('\n');
      assert.equal(cons.at(-1), '');
      assert.equal(cons.at(-2), '');
      const withSession = cons.filter((l) => l.includes('sid='));
      assert.equal(withSession.length, 1);
      assert.match(
        withSession[0],
        /^ \/127\.0\.0\.1:\d+\[1\]\(queued=0,recved=\d+,sent=\d+,sid=0x[0-9a-f]+,lop=EXIS,est=\d+,to=30000,lcxid=0x4,lzxid=0x3,lresp=\d+,llat=\d+,minlat=\d+,avglat=\d+,maxlat=\d+\)$/,
      );

      assert.equal(await ask('wchs'), '1 connections watching 2 paths\nTotal watches:2\n');
      assert.match(await ask('wchc'), /^0x[0-9a-f]+\n\t\/p\n\t\/nope\n\n$/);
      assert.match(await ask('wchp'), /^\/p\n\t0x[0-9a-f]+\n\/nope\n\t0x[0-9a-f]+\n\n$/);

      const dump = await ask('dump');
      assert.match(
        dump,
        /^SessionTracker dump:\nSession Sets \(1\)\/\(1\):\n1 expire at \w{3} \w{3} \d\d \d\d:\d\d:\d\d \S+ \d{4}:\n\t0x[0-9a-f]+\nephemeral nodes dump:\nSessions with Ephemerals \(1\):\n0x[0-9a-f]+:\n\t\/eph\nConnections dump:\nConnections Sets \(\d+\)\/\(2\):\n/,
      );

      const conf = await ask('conf');
      assert.deepEqual(
        conf.split('\n').map((l) => l.split('=')[0]),
        ['clientPort', 'secureClientPort', 'dataDir', 'dataDirSize', 'dataLogDir', 'dataLogSize', 'tickTime', 'maxClientCnxns',
          'minSessionTimeout', 'maxSessionTimeout', 'clientPortListenBacklog', 'serverId', ''],
      );
      assert.ok(conf.includes(`clientPort=${server.port}\n`));
      assert.ok(conf.includes(`dataDir=${join(server.dataDir, 'version-2')}\n`));
      assert.match(await ask('dirs'), /^datadir_size: \d+\nlogdir_size: \d+\n$/);

      const envi = (await ask('envi')).split('\n');
      assert.equal(envi[0], 'Environment:');
      assert.deepEqual(
        envi.slice(1, -1).map((l) => l.substring(0, l.indexOf('='))),
        ['zookeeper.version', 'host.name', 'java.version', 'java.vendor', 'java.home', 'java.class.path', 'java.library.path',
          'java.io.tmpdir', 'java.compiler', 'os.name', 'os.arch', 'os.version', 'user.name', 'user.home', 'user.dir',
          'os.memory.free', 'os.memory.max', 'os.memory.total'],
      );

      const mntr = (await ask('mntr')).split('\n');
      assert.equal(mntr.pop(), '');
      const entries = mntr.map((l) => l.split('\t'));
      for (const e of entries) assert.equal(e.length, 2, `mntr line ${e.join('\\t')}`);
      const perNamespace = (k: string): boolean => k.endsWith('_per_namespace');
      assert.deepEqual(entries.map(([k]) => k).filter((k) => !perNamespace(k)), expectedMonitorKeys().map((k) => `zk_${k}`));
      // Summary sets, one summary per top-level namespace that was read or written, at the end.
      const sets = entries.map(([k]) => k).filter(perNamespace);
      for (const k of ['zk_avg_p_write_per_namespace', 'zk_cnt_p_read_per_namespace', 'zk_sum_p_read_per_namespace']) assert.ok(sets.includes(k), k);
      const m = new Map(entries.map(([k, v]) => [k.substring(3), v] as [string, string]));
      assert.equal(m.get('server_state'), 'standalone');
      assert.equal(m.get('znode_count'), '7');
      assert.equal(m.get('ephemerals_count'), '1');
      assert.equal(m.get('watch_count'), '3');
      assert.equal(m.get('global_sessions'), '1');
      assert.equal(m.get('cnt_updatelatency'), '3', 'createSession and two creates');
      assert.match(m.get('avg_latency')!, /^\d+\.\d+$/, 'a double, as Java prints it');
      assert.match(m.get('avg_fsynctime')!, /^\d+\.\d+$/);
      assert.match(m.get('connection_drop_probability')!, /^0\.0$/);
      assert.ok(Number(m.get('bytes_received_count')) > 0);
      assert.ok(Number(m.get('response_bytes')) > 0);
      assert.equal(m.get('max_client_response_size') === '-1', false);

      assert.equal(await ask('crst'), 'Connection stats reset.\n');
      assert.equal(await ask('srst'), 'Server stats reset.\n');
      assert.match(await ask('srvr'), /Latency min\/avg\/max: 0\/0\.0\/0\nReceived: 1\n/);
      assert.equal(await ask('hash'), '');
    } finally {
      state.close();
    }
  });
});

test('the whitelist: words outside it are refused with Apache\'s message, srvr is always allowed', async () => {
  await withServer({ '4lw.commands.whitelist': 'ruok, stat' }, async ({ server }) => {
    assert.equal(await fourLetterWord(server.port, 'ruok'), 'imok');
    assert.match(await fourLetterWord(server.port, 'stat'), /^Zookeeper version: /);
    assert.match(await fourLetterWord(server.port, 'srvr'), /\nMode: standalone\n/);
    for (const w of ['mntr', 'conf', 'cons', 'crst', 'dump', 'envi', 'wchs', 'wchc', 'wchp', 'dirs', 'isro', 'srst']) {
      assert.equal(await fourLetterWord(server.port, w), `${w} is not executed because it is not in the whitelist.\n`);
    }
  });
});

test('the AdminServer serves every command of Apache 3.8 with command and error fields', async () => {
  await withServer({}, async ({ server, adminPort }) => {
    const state = await watchState(server.connectString);
    try {
      const index = await httpGet(adminPort, '/commands');
      assert.equal(index.status, 200);
      assert.equal(index.body, PRIMARY_NAMES.map((n) => `<a href="/commands/${n}">${n}</a>\n<br/>\n`).join(''));
      assert.deepEqual([...PRIMARY_NAMES], [
        'configuration', 'connection_stat_reset', 'connections', 'dirs', 'dump', 'environment', 'get_trace_mask', 'hash',
        'initial_configuration', 'is_read_only', 'last_snapshot', 'leader', 'monitor', 'observer_connection_stat_reset',
        'observers', 'ruok', 'server_stats', 'set_trace_mask', 'stat_reset', 'stats', 'system_properties', 'voting_view',
        'watch_summary', 'watches', 'watches_by_path', 'zabstate',
      ]);
      for (const name of PRIMARY_NAMES) {
        const r = await httpGet(adminPort, `/commands/${name}`);
        assert.equal(r.status, 200, name);
        assert.equal(r.headers['content-type'], 'application/json', name);
        const json = JSON.parse(r.body) as Record<string, unknown>;
        assert.equal(json.command, name);
        assert.ok('error' in json, name);
      }
      const get = async (path: string): Promise<Record<string, unknown>> => JSON.parse((await httpGet(adminPort, path)).body) as Record<string, unknown>;
      // Aliases answer under the primary name.
      assert.equal((await get('/commands/stat')).command, 'stats');
      assert.equal((await get('/commands/mntr')).command, 'monitor');
      assert.deepEqual(await get('/commands/nosuch'), { command: 'nosuch', error: 'Unknown command: nosuch' });
      assert.deepEqual(await get('/commands/leader'), { error: 'server is not initialized', command: 'leader' });
      assert.deepEqual(await get('/commands/set_trace_mask'), { error: 'setTraceMask requires long traceMask argument', command: 'set_trace_mask' });
      assert.deepEqual(await get('/commands/set_trace_mask?traceMask=310'), { tracemask: 310, command: 'set_trace_mask', error: null });
      assert.equal(await fourLetterWord(server.port, 'gtmk'), '310');
      await get('/commands/set_trace_mask?traceMask=306');

      const watches = await get('/commands/watches');
      const [sid] = Object.keys(watches.session_id_to_watched_paths as object);
      assert.deepEqual(watches.session_id_to_watched_paths, { [sid]: ['/p', '/nope'] });
      const stats = await get('/commands/stats');
      assert.equal(stats.node_count, 7);
      assert.equal((stats.server_stats as Record<string, unknown>).server_state, 'standalone');
      const conf = await get('/commands/configuration');
      assert.equal(conf.client_port, server.port);
      const icfg = await get('/commands/initial_configuration');
      assert.equal(icfg.initial_configuration, readFileSync(server.cfgPath, 'utf8'));
      const sysp = await get('/commands/system_properties');
      assert.equal(sysp['zookeeper.4lw.commands.whitelist'], '*');

      // Jackson's layout, byte for byte.
      assert.equal((await httpGet(adminPort, '/commands/ruok')).body, '{\n  "command" : "ruok",\n  "error" : null\n}');
      assert.match((await httpGet(adminPort, '/commands/connections')).body, /^\{\n {2}"connections" : \[ \{\n {4}"remote_socket_address" : "127\.0\.0\.1:\d+",\n/);

      assert.equal((await httpGet(adminPort, '/commands/ruok', 'POST')).status, 405);
      assert.equal((await httpGet(adminPort, '/')).status, 404);
    } finally {
      state.close();
    }
  });
});

test('the Prometheus endpoint exposes every metric family of Apache 3.8, with live values', async () => {
  await withServer({}, async ({ server, metricsPort }) => {
    const state = await watchState(server.connectString);
    try {
      const r = await httpGet(metricsPort, '/metrics');
      assert.equal(r.status, 200);
      assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
      const types = new Map<string, string>();
      for (const m of r.body.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(m[1], m[2]);
      for (const g of GAUGES) assert.equal(types.get(g), 'gauge', g);
      for (const c of COUNTERS) assert.equal(types.get(c), 'counter', c);
      for (const s of [...BASIC_SUMMARIES, ...ADVANCED_SUMMARIES]) assert.equal(types.get(s), 'summary', s);
      assert.match(r.body, /^znode_count 7$/m);
      assert.match(r.body, /^updatelatency_count 3$/m);
      assert.match(r.body, /^readlatency\{quantile="0\.99"\} \d+$/m);
      assert.match(r.body, /^fsynctime\{quantile="0\.5"\} \d+$/m);
      assert.doesNotMatch(r.body, /^fsynctime\{quantile="0\.9"\}/m, 'basic summaries have the median only');
      assert.match(r.body, /^process_resident_memory_bytes \d+$/m, 'runtime metrics (exportJvmInfo)');
      // Every key the default provider's mntr prints has its family here.
      for (const key of expectedMonitorKeys().slice(2)) assert.ok(types.has(familyOfMonitorKey(key).family), key);
      assert.equal((await httpGet(metricsPort, '/other')).status, 404);

      // With this provider, mntr prints the Prometheus samples, as Apache's does.
      const mntr = await fourLetterWord(server.port, 'mntr');
      assert.match(mntr, /^zk_version\t3\.8\.0-tszk-[^\n]+\nzk_server_state\tstandalone\n/);
      assert.match(mntr, /^zk_readlatency\{quantile="0\.5"\}\t\d+\.\d+$/m);
      assert.match(mntr, /^zk_znode_count\t7\.0$/m);
    } finally {
      state.close();
    }
  });
});

test('the log: human lines on the console, JSON lines in ZOO_LOG_DIR/tszk.log', async () => {
  await withServer({}, async ({ server, logDir }) => {
    const state = await watchState(server.connectString);
    state.close();
    await new Promise((r) => setTimeout(r, 300));
    const out = server.output();
    assert.match(out, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \[myid:\] - INFO {2}\[main\] - Reading configuration from: /m);
    assert.match(out, / - INFO {2}\[main\] - Established session 0x[0-9a-f]+ with negotiated timeout 30000 for client \/127\.0\.0\.1:\d+$/m);
    assert.match(out, / - INFO {2}\[main\] - Started AdminServer on address 0\.0\.0\.0, port \d+ and command URL \/commands$/m);
    const lines = readFileSync(join(logDir, 'tszk.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(lines.some((l) => l.level === 30 && typeof l.msg === 'string' && l.msg.startsWith('Established session')));
    assert.ok(lines.every((l) => typeof l.time === 'number' && typeof l.pid === 'number'));
  });
});

test('an AdminServer port in use stops the start with one line, as ZooKeeperServerMain does', async () => {
  const blocker = createNetServer();
  await new Promise<void>((r) => blocker.listen(0, '0.0.0.0', () => r()));
  const addr = blocker.address();
  const adminPort = typeof addr === 'object' && addr !== null ? addr.port : 0;
  const dir = mkdtempSync(join(tmpdir(), 'tszk-admin-busy-'));
  try {
    const cfg = join(dir, 'zoo.cfg');
    writeFileSync(cfg, `tickTime=2000\ndataDir=${join(dir, 'data')}\nclientPort=${await freePort()}\nadmin.serverPort=${adminPort}\n`);
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/src/cli/zkServer.js'), 'start-foreground', cfg], { encoding: 'utf8', timeout: 20000 });
    assert.equal(r.status, 1);
    assert.match(r.stdout, / - ERROR \[main\] - Unable to start the server, exiting abnormally: Problem starting AdminServer on address 0\.0\.0\.0, port \d+ and command URL \/commands: /);
    assert.doesNotMatch(r.stdout + r.stderr, /^\s+at /m, 'no stack trace');
  } finally {
    blocker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
