/**
 * The admin layer's pure pieces: Java's number and date printing, Jackson's JSON layout, the
 * whitelist, the log line layout, and the persistence hooks' metrics and slow-fsync warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JDouble, hexLong, jacksonJson, javaDate, javaDouble, round4, type JValue } from '../../src/admin/java-format.js';
import { enabledWords } from '../../src/admin/four-letter.js';
import { humanLine, levelFromLog4jProp } from '../../src/admin/logging.js';
import { fsyncWarningThreshold, logFlushObserver, recordStartup } from '../../src/admin/persistence-metrics.js';
import { ServerMetrics } from '../../src/server/metrics.js';
import { ServerStats } from '../../src/server/stats.js';
import { quantile, summaryStats } from '../../src/admin/monitor.js';

test('numbers print as the JVM prints them', () => {
  assert.equal(javaDouble(0), '0.0');
  assert.equal(javaDouble(3), '3.0');
  assert.equal(javaDouble(6.3333), '6.3333');
  assert.equal(javaDouble(0.001), '0.001');
  assert.equal(javaDouble(1e7), '1.0E7');
  assert.equal(javaDouble(1.795572107e9), '1.795572107E9');
  assert.equal(javaDouble(3.6553091315686624e-4), '3.6553091315686624E-4');
  assert.equal(javaDouble(-2.5), '-2.5');
  assert.equal(round4(19 / 3), 6.3333);
  assert.equal(round4(0.00005), 0.0001, 'half up');
  assert.equal(hexLong(-1n), 'ffffffffffffffff');
  assert.equal(hexLong(0x100004a9fdb0000n), '100004a9fdb0000');
});

test('dates print as java.util.Date.toString', () => {
  const s = javaDate(Date.UTC(2026, 10, 25, 1, 48, 5));
  assert.match(s, /^\w{3} \w{3} \d\d \d\d:\d\d:\d\d \S+ 2026$/);
  if (new Date(Date.UTC(2026, 10, 25)).getTimezoneOffset() === 0) assert.equal(s, 'Wed Nov 25 01:48:05 UTC 2026');
});

test('JSON is laid out as Jackson\'s DefaultPrettyPrinter lays it out', () => {
  const v: JValue = new Map<string, JValue>([
    ['connections', [new Map<string, JValue>([['a', 1], ['b', 'x']]), new Map<string, JValue>([['a', 2n ** 60n]])]],
    ['empty', []],
    ['none', new Map()],
    ['ids', [1, 2]],
    ['avg', new JDouble(0)],
    ['text', 'a"b\\c\nd\u0001'],
    ['error', null],
  ]);
  assert.equal(
    jacksonJson(v),
    '{\n' +
      '  "connections" : [ {\n    "a" : 1,\n    "b" : "x"\n  }, {\n    "a" : 1152921504606846976\n  } ],\n' +
      '  "empty" : [ ],\n' +
      '  "none" : { },\n' +
      '  "ids" : [ 1, 2 ],\n' +
      '  "avg" : 0.0,\n' +
      '  "text" : "a\\"b\\\\c\\nd\\u0001",\n' +
      '  "error" : null\n' +
      '}',
  );
});

test('the whitelist: trimmed names, * for all, srvr always, isro in read-only mode', () => {
  assert.deepEqual([...enabledWords(new Set([' ruok', 'stat ', '']))].sort(), ['ruok', 'srvr', 'stat']);
  assert.equal(enabledWords('*').size, 18);
  assert.ok(enabledWords(new Set(), true).has('isro'));
});

test('log lines: log4j\'s layout on the console, the level from ZOO_LOG4J_PROP', () => {
  const line = humanLine(JSON.stringify({ level: 40, time: Date.UTC(2026, 0, 2, 3, 4, 5, 6), pid: 1, msg: 'slow', fsyncMs: 1200 }), 3);
  assert.match(line, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \[myid:3\] - WARN {2}\[main\] - slow \{"fsyncMs":1200\}\n$/);
  assert.equal(levelFromLog4jProp('DEBUG,ROLLINGFILE'), 'debug');
  assert.equal(levelFromLog4jProp('INFO, CONSOLE'), 'info');
  assert.equal(levelFromLog4jProp(undefined), undefined);
});

test('log flushes feed fsynctime and the batch size; a slow one warns and counts', () => {
  const metrics = new ServerMetrics();
  const stats = new ServerStats();
  const logged: string[] = [];
  const onFlushed = logFlushObserver({ metrics, stats }, (level, msg) => logged.push(`${level} ${msg}`), fsyncWarningThreshold(new Map()), () => 67108864);
  onFlushed(3, 2.4);
  onFlushed(10, 1500);
  assert.deepEqual(summaryStats(metrics.findSummary('fsynctime')), { avg: 751, min: 2, max: 1500, count: 2, sum: 1502 });
  assert.equal(metrics.findSummary('sync_processor_batch_size')?.total, 13);
  assert.equal(stats.fsyncThresholdExceedCount, 1);
  assert.deepEqual(logged, ['warn fsync-ing the write ahead log took 1500ms which will adversely effect operation latency. File size is 67108864 bytes. See the ZooKeeper troubleshooting guide']);
  assert.equal(fsyncWarningThreshold(new Map([['zookeeper.fsync.warningthresholdms', '50']])), 50);
  recordStartup(metrics, () => undefined, { snapLoadMs: 5, txnsLoaded: 42, txnsLoadMs: 7, totalMs: 13, zxid: 0x100000002n });
  assert.equal(metrics.findSummary('startup_txns_loaded')?.total, 42);
  // srst resets every metric, as ServerStats.reset → ServerMetrics.resetAll does.
  metrics.reset();
  assert.equal(metrics.findSummary('fsynctime')?.count, 0);
});

test('summary quantiles come from the most recent observations', () => {
  const s = new ServerMetrics().summary('readlatency');
  for (let i = 1; i <= 100; i++) s.add(i);
  const recent = s.recent();
  assert.equal(quantile(recent, 0.5), 50);
  assert.equal(quantile(recent, 0.99), 99);
  for (let i = 0; i < 2000; i++) s.add(1000);
  assert.equal(quantile(s.recent(), 0.5), 1000, 'old observations leave the window');
  assert.equal(s.count, 2100);
});
