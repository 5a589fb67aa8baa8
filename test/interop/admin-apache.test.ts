/**
 * Differential: tszk's four-letter words, AdminServer and metric names against Debian's Apache
 * ZooKeeper 3.8.0, both servers carrying the same client state. Volatile values (times, ids,
 * ports, counts, directories) are masked; lines, keys, their order and value kinds must agree.
 *
 * Debian's package lacks two things Apache's AdminServer and Prometheus provider need: the servlet
 * API jar is not on the server's class path (added here with -Xbootclasspath/a), and the
 * PrometheusMetricsProvider jar is not shipped at all — so Prometheus names are checked against the
 * names Apache's own metrics registry reports through mntr (the provider exports that registry).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fourLetterWord, freePort, needApache, startApache, startTszk, type RunningServer } from '../helpers/servers.js';
import { familyOfMonitorKey, httpGet, quotaState, watchState } from '../integration/admin-support.js';

const SERVLET_API = '/usr/share/java/servlet-api.jar';
const PROMETHEUS = 'org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider';

interface Pair {
  apache: RunningServer;
  tszk: RunningServer;
  apacheAdmin: number;
  tszkAdmin: number;
  tszkMetrics: number;
}

async function withPair(t: TestContext, cfg: Record<string, string>, body: (p: Pair) => Promise<void>, prometheus = false): Promise<void> {
  if (!needApache(t)) return;
  if (!existsSync(SERVLET_API)) throw new Error(`${SERVLET_API} is missing (apt-get install -y libservlet-api-java)`);
  const [apacheAdmin, tszkAdmin, tszkMetrics] = [await freePort(), await freePort(), await freePort()];
  const [apache, tszk] = await Promise.all([
    startApache({
      cfg: { ...cfg, 'admin.enableServer': 'true', 'admin.serverPort': apacheAdmin },
      env: { JDK_JAVA_OPTIONS: `-Xbootclasspath/a:${SERVLET_API}` },
    }),
    startTszk({
      cfg: {
        ...cfg,
        'admin.enableServer': 'true',
        'admin.serverPort': tszkAdmin,
        ...(prometheus ? { 'metricsProvider.className': PROMETHEUS, 'metricsProvider.httpPort': tszkMetrics } : {}),
      },
    }),
  ]);
  try {
    await body({ apache, tszk, apacheAdmin, tszkAdmin, tszkMetrics });
  } finally {
    await Promise.all([apache.stop(), tszk.stop()]);
  }
}

/** Masks what differs between any two servers: version, dates, addresses, ids, numbers. */
function shape(text: string): string {
  return text
    .replace(/3\.8\.0-[^,\n]*, built on \d{4}-\d\d-\d\d \d\d:\d\d UTC/g, 'VERSION')
    .replace(/\w{3} \w{3} \d\d \d\d:\d\d:\d\d \S+ \d{4}/g, 'DATE')
    .replace(/\/\d+\.\d+\.\d+\.\d+:\d+/g, '/ADDR')
    .replace(/0x[0-9a-f]+/g, '0xH')
    .replace(/-?\d+\.\d+(E-?\d+)?/g, 'D')
    .replace(/\b\d+\b/g, 'N');
}

function sortedLines(text: string): string[] {
  return text.split('\n').sort();
}

function keysOf(text: string, sepChar: string): string[] {
  return text.split('\n').filter((l) => l !== '').map((l) => l.substring(0, l.indexOf(sepChar)));
}

/** mntr as [key, kind of value], without the per-namespace keys a workload creates. */
function monitorKinds(text: string): [string, string][] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t') as [string, string])
    .filter(([k]) => !k.endsWith('_per_namespace'))
    .map(([k, v]) => [k, /^-?\d+$/.test(v) ? 'long' : /^-?\d+\.\d+(E-?\d+)?$/.test(v) ? 'double' : 'string']);
}

test('four-letter words: the same lines as Apache ZooKeeper 3.8', async (t) => {
  await withPair(t, {}, async ({ apache, tszk }) => {
    const states = await Promise.all([watchState(apache.connectString), watchState(tszk.connectString)]);
    try {
      const both = async (w: string): Promise<[string, string]> =>
        Promise.all([fourLetterWord(apache.port, w), fourLetterWord(tszk.port, w)]);

      for (const w of ['ruok', 'isro', 'gtmk', 'wchs', 'hash']) {
        const [a, z] = await both(w);
        assert.equal(z, a, w);
      }

      const [aSrvr, zSrvr] = await both('srvr');
      assert.equal(shape(zSrvr), shape(aSrvr), 'srvr');
      const exact = (s: string): string[] => s.split('\n').filter((l) => /^(Connections|Outstanding|Zxid|Mode|Node count):/.test(l));
      assert.deepEqual(exact(zSrvr), exact(aSrvr), 'srvr: connections, outstanding, zxid, mode, node count');

      for (const w of ['stat', 'cons']) {
        const [a, z] = await both(w);
        assert.deepEqual(sortedLines(shape(z)), sortedLines(shape(a)), w);
      }

      const [aConf, zConf] = await both('conf');
      assert.deepEqual(keysOf(zConf, '='), keysOf(aConf, '='), 'conf keys');
      const confValues = (s: string): string[] => s.split('\n').filter((l) => /^(secureClientPort|tickTime|maxClientCnxns|minSessionTimeout|maxSessionTimeout|clientPortListenBacklog|serverId)=/.test(l));
      assert.deepEqual(confValues(zConf), confValues(aConf), 'conf values');

      const [aDirs, zDirs] = await both('dirs');
      assert.equal(shape(zDirs), shape(aDirs), 'dirs');
      const [aEnvi, zEnvi] = await both('envi');
      assert.deepEqual(keysOf(zEnvi, '='), keysOf(aEnvi, '='), 'envi keys');
      assert.equal(zEnvi.split('\n')[0], 'Environment:');

      for (const w of ['wchc', 'wchp']) {
        const [a, z] = await both(w);
        assert.equal(shape(z), shape(a), w);
      }

      const [aDump, zDump] = await both('dump');
      // Which expiry bucket a session sits in (and whether an emptied bucket still shows) depends
      // on when it last sent something: bucket lines are dropped, their sessions kept.
      const head = (s: string): string =>
        shape(s.substring(0, s.indexOf('Connections dump:')))
          .split('\n')
          .filter((l) => l !== 'N expire at DATE:')
          .join('\n');
      assert.equal(head(zDump), head(aDump), 'dump: sessions and ephemerals');
      for (const line of zDump.substring(zDump.indexOf('Connections dump:')).split('\n').slice(1, -1)) {
        assert.match(shape(line), /^(Connections Sets \(N\)\/\(N\):|N expire at DATE:|\tip: \/ADDR sessionId: 0xH)$/, line);
      }

      const [aMntr, zMntr] = await both('mntr');
      assert.deepEqual(monitorKinds(zMntr), monitorKinds(aMntr), 'mntr: the same keys, in the same order, with the same kinds of value');
      const value = (s: string, k: string): string | undefined => s.split('\n').find((l) => l.startsWith(`${k}\t`));
      for (const k of ['zk_server_state', 'zk_ephemerals_count', 'zk_znode_count', 'zk_watch_count', 'zk_global_sessions',
        'zk_outstanding_requests', 'zk_local_sessions', 'zk_connection_drop_probability', 'zk_last_client_response_size',
        'zk_min_client_response_size', 'zk_max_client_response_size', 'zk_cnt_updatelatency']) {
        assert.equal(value(zMntr, k), value(aMntr, k), k);
      }

      for (const w of ['crst', 'srst']) {
        const [a, z] = await both(w);
        assert.equal(z, a, w);
      }
      const [aAfter, zAfter] = await both('srvr');
      assert.equal(shape(zAfter), shape(aAfter), 'srvr after srst');
    } finally {
      for (const s of states) s.close();
    }
  });
});

test('four-letter words outside the whitelist: the same refusals as Apache ZooKeeper 3.8', async (t) => {
  await withPair(t, { '4lw.commands.whitelist': 'stat, ruok' }, async ({ apache, tszk }) => {
    for (const w of ['ruok', 'conf', 'cons', 'crst', 'dump', 'envi', 'wchs', 'wchc', 'wchp', 'dirs', 'isro', 'srst', 'mntr', 'gtmk', 'hash']) {
      const [a, z] = await Promise.all([fourLetterWord(apache.port, w), fourLetterWord(tszk.port, w)]);
      assert.equal(z, a, w);
    }
    const [a, z] = await Promise.all([fourLetterWord(apache.port, 'srvr'), fourLetterWord(tszk.port, 'srvr')]);
    assert.equal(shape(z), shape(a), 'srvr is always allowed');
  });
});

test('quota gauges per namespace: the same mntr lines as Apache ZooKeeper 3.8', async (t) => {
  await withPair(t, {}, async ({ apache, tszk }) => {
    await Promise.all([quotaState(apache.connectString), quotaState(tszk.connectString)]);
    const quotaLines = async (port: number): Promise<string[]> =>
      (await fourLetterWord(port, 'mntr')).split('\n').filter((l) => /^zk_\w+_quota_\w+_per_namespace\t/.test(l)).sort();
    const [a, z] = await Promise.all([quotaLines(apache.port), quotaLines(tszk.port)]);
    assert.equal(a.length, 4, a.join('\n'));
    assert.deepEqual(z, a);
  });
});

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Objects whose keys are data (session ids, paths, times), not field names. */
const DATA_KEYED = new Set(['expiry_time_to_session_ids', 'session_id_to_ephemeral_paths', 'session_id_to_watched_paths', 'path_to_session_ids', 'current_config']);

/** Every field path with its ordered keys and value kinds, e.g. "server_stats{packets_sent:number,...}". */
function structure(v: Json, path = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) {
    out.add(`${path}:array`);
    for (const x of v) structure(x, `${path}[]`, out);
  } else if (v !== null && typeof v === 'object') {
    const keyed = DATA_KEYED.has(path.split('.').pop() ?? '');
    // Field names and types, sorted: Jackson's field order varies between Apache runs.
    if (!keyed) out.add(`${path}{${Object.entries(v).map(([k, x]) => `${k}:${x === null ? 'null' : Array.isArray(x) ? 'array' : typeof x}`).sort().join(',')}}`);
    for (const [k, x] of Object.entries(v)) structure(x, keyed ? `${path}.*` : `${path}.${k}`, out);
  }
  return out;
}

/** Fields whose number Jackson wrote as a double ("0.0"), from the raw text. */
function doubleFields(body: string): string[] {
  return [...body.matchAll(/"([^"]+)" : -?\d+\.\d+(?:E-?\d+)?[,\n]/g)].map((m) => m[1]).sort();
}

test('AdminServer: the same commands and JSON fields as Apache ZooKeeper 3.8', async (t) => {
  await withPair(t, {}, async ({ apache, tszk, apacheAdmin, tszkAdmin }) => {
    const states = await Promise.all([watchState(apache.connectString), watchState(tszk.connectString)]);
    try {
      const [aIndex, zIndex] = await Promise.all([httpGet(apacheAdmin, '/commands'), httpGet(tszkAdmin, '/commands')]);
      assert.equal(zIndex.body, aIndex.body, 'the command index');
      const names = [...aIndex.body.matchAll(/>([a-z_]+)</g)].map((m) => m[1]);
      assert.ok(names.length >= 26, `${names.length} commands`);
      // The resets last, so the others see the same counters.
      const order = [...names.filter((n) => !n.includes('reset')), ...names.filter((n) => n.includes('reset')), 'nosuch', 'stat', 'cons', 'mntr', 'wchc'];
      for (const name of order) {
        const [a, z] = await Promise.all([httpGet(apacheAdmin, `/commands/${name}`), httpGet(tszkAdmin, `/commands/${name}`)]);
        assert.equal(z.status, a.status, name);
        assert.equal(z.headers['content-type'], a.headers['content-type'], name);
        const aj = JSON.parse(a.body) as { [k: string]: Json };
        const zj = JSON.parse(z.body) as { [k: string]: Json };
        if (name === 'environment' || name === 'envi') {
          assert.deepEqual(Object.keys(zj), Object.keys(aj), name);
        } else if (name === 'system_properties') {
          const extra = Object.keys(zj).filter((k) => !(k in aj));
          assert.deepEqual(extra, [], 'tszk reports no property Apache does not');
          const zk = (o: object): string[] => Object.keys(o).filter((k) => k.startsWith('zookeeper.'));
          assert.deepEqual(zk(zj), zk(aj), 'the zookeeper.* properties');
        } else if (name === 'monitor' || name === 'mntr') {
          // Keys in order (less the per-namespace ones a workload adds), and which are doubles.
          const keys = (o: object): string[] => Object.keys(o).filter((k) => !k.endsWith('_per_namespace'));
          assert.deepEqual(keys(zj), keys(aj), name);
          const doubles = (body: string): string[] => doubleFields(body).filter((k) => !k.endsWith('_per_namespace'));
          assert.deepEqual(doubles(z.body), doubles(a.body), `${name}: double-valued fields`);
        } else {
          assert.deepEqual([...structure(zj)].sort(), [...structure(aj)].sort(), `${name}: fields`);
          assert.deepEqual(doubleFields(z.body), doubleFields(a.body), `${name}: double-valued fields`);
        }
      }
    } finally {
      for (const s of states) s.close();
    }
  });
});

test('Prometheus: every metric Apache ZooKeeper 3.8 registers has its family on tszk\'s /metrics', async (t) => {
  await withPair(t, {}, async ({ apache, tszkMetrics }) => {
    const apacheKeys = monitorKinds(await fourLetterWord(apache.port, 'mntr')).map(([k]) => k.substring(3)).slice(2);
    const r = await httpGet(tszkMetrics, '/metrics');
    assert.equal(r.status, 200);
    const types = new Map<string, string>();
    for (const m of r.body.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(m[1], m[2]);
    const quantiles = (family: string): string[] =>
      [...r.body.matchAll(new RegExp(`^${family}\\{quantile="([0-9.]+)"\\}`, 'gm'))].map((m) => m[1]);
    const advanced = new Set(apacheKeys.filter((k) => k.startsWith('p50_')).map((k) => k.substring(4)));
    let checked = 0;
    for (const key of apacheKeys) {
      const { family, kind } = familyOfMonitorKey(key);
      if (kind === 'summary') {
        assert.equal(types.get(family), 'summary', key);
        assert.deepEqual(quantiles(family), advanced.has(family) ? ['0.5', '0.9', '0.99'] : ['0.5'], `${family} quantiles`);
      } else {
        assert.ok(types.get(family) === 'gauge' || types.get(family) === 'counter', `${key}: ${types.get(family)}`);
      }
      checked++;
    }
    assert.ok(checked > 400, `${checked} Apache metrics checked`);
  }, true);
});
