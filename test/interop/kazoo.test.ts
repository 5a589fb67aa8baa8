/**
 * kazoo (Debian's python3-kazoo) against tszk (issue 2): basic CRUD/ACL/transactions/watches and the
 * Lock, Election, Barrier, Counter, Queue and Party recipes. Each script in test/interop/py/ prints
 * one JSON result; the result against tszk must equal the result against Apache ZooKeeper 3.8, and
 * the Apache result must show the recipe working (so the scripts are checked too).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { needApache, needKazoo, apacheInstalled, kazooInstalled, startServer, RunningServer, SYSTEM_PYTHON, ROOT } from '../helpers/servers.js';
import { needPeer, peerKind, tszkBuilt } from './lib/suite.js';

function runPy(script: string, connect: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(SYSTEM_PYTHON, [join(ROOT, 'test/interop/py', script), connect], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 120000);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

type Json = Record<string, unknown>;

/** What each script must show against Apache (the reference) for the comparison to mean something. */
const SANITY: Record<string, (r: Json) => void> = {
  'kz_crud.py': (r) => {
    assert.equal(r.badversion, true);
    assert.deepEqual(r.datawatch, [null, 'a', 'b', null]);
    assert.deepEqual(r.txn_fail, ['RolledBackError', 'NoNodeError']);
  },
  'kz_lock.py': (r) => {
    assert.equal(r.total, 20);
    assert.equal(r.max_inside, 1);
  },
  'kz_election.py': (r) => {
    assert.equal(r.max_leading, 1);
    assert.deepEqual(r.led, [0, 1, 2, 3]);
  },
  'kz_barrier.py': (r) => assert.deepEqual(r.double_left, [0, 1, 2]),
  'kz_counter.py': (r) => assert.equal(r.total, 100),
  'kz_queue.py': (r) => assert.deepEqual(r.order, ['high', 'mid', 'mid2', 'dflt', 'low']),
  'kz_party.py': (r) => assert.deepEqual(r.members, ['member-0', 'member-1', 'member-2']),
};

describe('kazoo against Apache ZooKeeper 3.8 and ' + peerKind(), () => {
  const canRun = apacheInstalled() && kazooInstalled() && (peerKind() === 'apache' || tszkBuilt());
  let servers: RunningServer[] = [];
  before(async () => {
    if (!canRun) return;
    servers = await Promise.all([startServer('apache'), startServer(peerKind())]);
  });
  after(() => Promise.all(servers.map((s) => s.stop())));

  const names: Record<string, string> = {
    'kz_crud.py': 'CRUD, ACLs, transactions, DataWatch/ChildrenWatch',
    'kz_lock.py': 'Lock (4 contenders), ReadLock/WriteLock, Semaphore',
    'kz_election.py': 'Election (4 candidates)',
    'kz_barrier.py': 'Barrier and DoubleBarrier',
    'kz_counter.py': 'Counter (4 sessions incrementing)',
    'kz_queue.py': 'Queue and LockingQueue',
    'kz_party.py': 'Party and ShallowParty',
  };
  for (const [script, title] of Object.entries(names)) {
    it(`${title} behaves the same`, async (t) => {
      if (!needApache(t) || !needKazoo(t) || !needPeer(t)) return;
      const [a, b] = await Promise.all(servers.map((s) => runPy(script, s.connectString)));
      assert.equal(a.code, 0, `${script} failed against Apache:\n${a.out}\n${a.err}`);
      const ra = JSON.parse(a.out) as Json;
      SANITY[script](ra);
      assert.equal(b.code, 0, `${script} failed against ${peerKind()} (Apache gave ${a.out.trim()}):\n${b.out}\n${b.err}`);
      const rb = JSON.parse(b.out) as Json;
      assert.deepEqual(rb, ra, `${script}: kazoo sees different results from ${peerKind()} and Apache`);
    });
  }
});
