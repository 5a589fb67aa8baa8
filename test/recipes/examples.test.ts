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
});
