/**
 * The programs in examples/ (built to dist/examples) run against a live tszk server and print what
 * they promise, so they cannot rot.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT } from '../helpers/servers.js';
import type { RunningServer } from '../helpers/servers.js';
import { startTestServer } from '../client/helpers.js';
import { LineProcess } from '../helpers/line-process.js';

describe('examples/', { timeout: 120000 }, () => {
  let server: RunningServer;
  const running: LineProcess[] = [];
  const run = (name: string, ...args: string[]): LineProcess => {
    const e = new LineProcess(process.execPath, [join(ROOT, 'dist/examples', `${name}.js`), ...args], { ...process.env, ZK_CONNECT: server.connectString });
    running.push(e);
    return e;
  };
  /** The same, with the servers as the first argument instead of $ZK_CONNECT. */
  const runWithArg = (name: string, ...args: string[]): LineProcess => {
    const env = { ...process.env };
    delete env.ZK_CONNECT;
    const e = new LineProcess(process.execPath, [join(ROOT, 'dist/examples', `${name}.js`), server.connectString, ...args], env);
    running.push(e);
    return e;
  };
  before(async () => {
    server = await startTestServer('tszk');
  });
  after(async () => {
    for (const e of running) await e.kill();
    await server.stop();
  });

  it('servers-online: a client sees servers come online and go offline', async () => {
    const client = run('servers-online', 'client');
    await client.waitFor((l) => l.includes('client is working ...') && l.includes('[]'), 'the client starts');
    const a = run('servers-online', 'server', 'hadoop102');
    await a.waitFor((l) => l.includes('hadoop102 is online /servers/server0000000000'), 'hadoop102 online');
    await client.waitFor((l) => l.includes('[hadoop102]'), 'the client sees hadoop102');
    const b = run('servers-online', 'server', 'hadoop103');
    await client.waitFor((l) => l.includes('[hadoop102, hadoop103]'), 'the client sees both');
    await a.kill();
    await client.waitFor((l) => l.at(-1) === '[hadoop103]', 'hadoop102 offline');
    await b.kill();
    await client.waitFor((l) => l.at(-1) === '[]', 'hadoop103 offline');
  });

  it('distributed-lock: 30 order services, 30 different order numbers', async () => {
    const e = run('distributed-lock', '30');
    assert.equal(await e.exited, 0, e.lines.join('\n'));
    assert.equal(e.lines.at(-1), 'all 30 order numbers unique');
    assert.equal(e.lines.filter((l) => /^service \d+: order \d{6}$/.test(l)).length, 30);
  });

  it('config-center: a subscriber is pushed each published value', async () => {
    const sub = run('config-center', 'subscribe', 'db.url');
    await sub.waitFor((l) => l.includes('db.url = (not set)'), 'the subscriber starts');
    for (const v of ['jdbc:mysql://db1/app', 'jdbc:mysql://db2/app']) {
      const pub = run('config-center', 'publish', 'db.url', v);
      assert.equal(await pub.exited, 0);
      await sub.waitFor((l) => l.includes(`db.url = ${v}`), `the subscriber gets ${v}`);
    }
  });

  it('leader-election: the next participant leads when the leader stops', async () => {
    const p1 = run('leader-election', 'p1');
    await p1.waitFor((l) => l.includes('p1 is the leader'), 'p1 leads');
    const p2 = run('leader-election', 'p2');
    await p2.waitFor((l) => l.includes('p2 joined the election'), 'p2 joins');
    assert.ok(!p2.lines.includes('p2 is the leader'));
    await p1.kill();
    await p2.waitFor((l) => l.includes('p2 is the leader'), 'p2 leads after p1 is gone');
  });

  it('id-generator and queue', async () => {
    const ids = run('id-generator', '4');
    assert.equal(await ids.exited, 0);
    const n = ids.lines.filter((l) => l !== '').map(Number);
    assert.equal(n.length, 4);
    assert.deepEqual(n, [...n].sort((a, b) => a - b));
    assert.equal(new Set(n).size, 4);
    const consumer = run('queue', 'consume', '3');
    const producer = run('queue', 'produce', '3');
    assert.equal(await producer.exited, 0);
    assert.equal(await consumer.exited, 0);
    assert.deepEqual(consumer.lines.filter((l) => l !== ''), ['took job-1', 'took job-2', 'took job-3']);
  });

  it('barrier: no worker works before all three entered, none leaves before all are done', async () => {
    // Start two; they must wait for the third.
    const workers = ['w1', 'w2'].map((w) => runWithArg('barrier', w, '3'));
    // Every line with the poll round it was first seen in: lines of one round have no order.
    const seen = new Map<string, number>();
    let round = 0;
    const observe = (): void => {
      round++;
      for (const w of workers) for (const l of w.lines) if (l !== '' && !seen.has(l)) seen.set(l, round);
    };
    const timer = setInterval(observe, 10);
    try {
      await Promise.all(workers.map((w, i) => w.waitFor((l) => l.includes(`w${i + 1} waits for 3 workers`), `w${i + 1} waits`)));
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(workers.flatMap((w) => w.lines.filter((l) => l.endsWith(' works'))), [], 'nobody works with two of three');
      workers.push(runWithArg('barrier', 'w3', '3'));
      const codes = await Promise.all(workers.map((w) => w.exited));
      observe();
      assert.deepEqual(codes, [0, 0, 0], workers.map((w) => w.lines.join('\n')).join('\n--\n'));
      const at = (suffix: string): number[] => ['w1', 'w2', 'w3'].map((w) => seen.get(`${w}${suffix}`)!);
      assert.ok(Math.max(...at(' waits for 3 workers')) <= Math.min(...at(' works')), 'all entered before anyone worked');
      assert.ok(Math.max(...at(' is done, waits for the others')) <= Math.min(...at(' left')), 'all done before anyone left');
    } finally {
      clearInterval(timer);
    }
  });

  it('service-discovery: calls are spread over the instances online, round robin', async () => {
    const consumer = runWithArg('service-discovery', 'consume', 'round-robin');
    await consumer.waitFor((l) => l.includes('online: []; calls go to: none'), 'the consumer starts');
    const a = run('service-discovery', 'provide', '10.0.0.1:8080');
    await a.waitFor((l) => l.some((x) => x.startsWith('10.0.0.1:8080 registered as /services/orders/')), 'a registers');
    await consumer.waitFor((l) => l.at(-1) === 'online: [10.0.0.1:8080]; calls go to: 10.0.0.1:8080 10.0.0.1:8080 10.0.0.1:8080 10.0.0.1:8080 10.0.0.1:8080 10.0.0.1:8080', 'one instance');
    const b = run('service-discovery', 'provide', '10.0.0.2:8080');
    await consumer.waitFor((l) => /^online: \[10.0.0.1:8080, 10.0.0.2:8080\]; calls go to: (10.0.0.[12]:8080 ?){6}$/.test(l.at(-1) ?? ''), 'two instances');
    const calls = consumer.lines.at(-1)!.split('calls go to: ')[1]!.split(' ');
    assert.equal(new Set(calls).size, 2, 'both get calls');
    assert.ok(calls.every((c, i) => i === 0 || c !== calls[i - 1]), `in turn: ${calls.join(' ')}`);
    await a.kill();
    await consumer.waitFor((l) => l.at(-1) === 'online: [10.0.0.2:8080]; calls go to: 10.0.0.2:8080 10.0.0.2:8080 10.0.0.2:8080 10.0.0.2:8080 10.0.0.2:8080 10.0.0.2:8080', 'a went offline');
    await b.kill();
    const r = runWithArg('service-discovery', 'consume', 'random');
    await r.waitFor((l) => l.at(-1)?.startsWith('online: []') === true, 'after b went offline too', 10000);
  });
});
