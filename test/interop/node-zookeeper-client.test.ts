/**
 * node-zookeeper-client (npm) against tszk (issue 2): CRUD, stats, versions, watches, ACLs with
 * digest auth, transactions (multi), mkdirp/removeRecursive/listSubTreeBFS, session events. The same
 * scenario runs against Apache ZooKeeper 3.8 and the peer; the normalized logs must be equal.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { needApache, apacheInstalled, startServer, RunningServer } from '../helpers/servers.js';
import { diffLines } from './lib/differential.js';
import { needPeer, peerKind, tszkBuilt } from './lib/suite.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const zookeeper: any = createRequire(import.meta.url)('node-zookeeper-client');

type Log = string[];

function longOf(v: unknown): bigint {
  if (Buffer.isBuffer(v)) return v.length === 8 ? v.readBigInt64BE(0) : 0n;
  if (typeof v === 'number') return BigInt(v);
  return 0n;
}

/** Records stats with zxids and times as raw numbers; rank() turns them into orders later. */
function statStr(s: any, sid: bigint): string {
  if (!s) return 'null';
  const eo = longOf(s.ephemeralOwner);
  return `{cz=Z${longOf(s.czxid)} mz=Z${longOf(s.mzxid)} pz=Z${longOf(s.pzxid)} ct=T${longOf(s.ctime)} mt=T${longOf(s.mtime)} v=${s.version} cv=${s.cversion} av=${s.aversion} eo=${eo === 0n ? '0' : eo === sid ? 'me' : 'other'} dl=${s.dataLength} nc=${s.numChildren}}`;
}

/** zxids (Z...) and times (T...) by dense rank, so two servers compare by order. */
function rank(lines: Log): Log {
  const out = [...lines];
  for (const tag of ['Z', 'T']) {
    const re = new RegExp(`\\b${tag}(-?\\d+)\\b`, 'g');
    const vals = [...new Set(out.flatMap((l) => [...l.matchAll(re)].map((m) => BigInt(m[1]))))].filter((v) => v > 0n).sort((a, b) => (a < b ? -1 : 1));
    const r = new Map(vals.map((v, i) => [v, i + 1]));
    for (let i = 0; i < out.length; i++) out[i] = out[i].replace(re, (_, v: string) => (BigInt(v) > 0n ? `${tag.toLowerCase()}${r.get(BigInt(v))}` : `${tag.toLowerCase()}${v}`));
  }
  return out;
}

function connect(connectString: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const c = zookeeper.createClient(connectString, { sessionTimeout: 10000, retries: 0 });
    const timer = setTimeout(() => reject(new Error('node-zookeeper-client did not connect')), 15000);
    c.once('connected', () => {
      clearTimeout(timer);
      resolve(c);
    });
    c.connect();
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function scenario(connectString: string): Promise<Log> {
  const c = await connect(connectString);
  const other = await connect(connectString);
  try {
    return await steps(c, other);
  } finally {
    c.close();
    other.close();
  }
}

async function steps(c: any, other: any): Promise<Log> {
  const log: Log = [];
  const sid = longOf(c.getSessionId());
  const R = '/nzc';
  const rel = (p: string): string => (p && p.startsWith(R) ? '~' + p.slice(R.length) : p);
  const call = (what: string, fn: (cb: (...a: any[]) => void) => void, fmt: (...a: any[]) => string = () => ''): Promise<void> =>
    new Promise((resolve) => {
      let done = false;
      const timer = setTimeout(() => {
        if (done) return;
        done = true;
        log.push(`${what} → NO CALLBACK within 5 s`);
        resolve();
      }, 5000);
      fn((err: any, ...rest: any[]) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        log.push(`${what} → ${err ? `${err.name ?? 'Error'}(${typeof err.getCode === 'function' ? err.getCode() : err.message})` : 'ok ' + fmt(...rest)}`);
        resolve();
      });
    });
  const watcher = (name: string) => (ev: any): void => {
    log.push(`EVENT ${name}: ${ev.getName()} ${rel(ev.getPath())}`);
  };
  const { ACL, Id, Permission, CreateMode } = zookeeper;

  log.push(`session timeout ${c.getSessionTimeout()}`);
  await call('create ~', (cb) => c.create(R, Buffer.from('root'), cb), (p: string) => rel(p));
  await call('create ~/a', (cb) => c.create(`${R}/a`, Buffer.from('x'), cb), (p: string) => rel(p));
  await call('create ~/a again', (cb) => c.create(`${R}/a`, cb));
  await call('create ~/nope/x', (cb) => c.create(`${R}/nope/x`, cb));
  await call('getData ~/a (watch)', (cb) => c.getData(`${R}/a`, watcher('data a'), cb), (d: Buffer, s: any) => `${d?.toString()} ${statStr(s, sid)}`);
  await call('setData ~/a v0', (cb) => c.setData(`${R}/a`, Buffer.from('y'), 0, cb), (s: any) => statStr(s, sid));
  await call('setData ~/a v0 again', (cb) => c.setData(`${R}/a`, Buffer.from('z'), 0, cb));
  await call('exists ~/b (watch)', (cb) => c.exists(`${R}/b`, watcher('exists b'), cb), (s: any) => statStr(s, sid));
  await call('getChildren ~ (watch)', (cb) => c.getChildren(R, watcher('children ~'), cb), (ch: string[], s: any) => `${[...ch].sort()} ${statStr(s, sid)}`);
  await call('create ~/b', (cb) => c.create(`${R}/b`, null, cb), (p: string) => rel(p));
  let es = '';
  await call('create ~/es- ephemeral sequential', (cb) => c.create(`${R}/es-`, Buffer.from('e'), CreateMode.EPHEMERAL_SEQUENTIAL, cb), (p: string) => rel((es = p)));
  await call('create ~/ps- sequential', (cb) => c.create(`${R}/ps-`, Buffer.from('p'), CreateMode.PERSISTENT_SEQUENTIAL, cb), (p: string) => rel(p));
  await call('exists ~/es-N', (cb) => c.exists(es, cb), (s: any) => statStr(s, sid));
  await call('create ~/es-N/c', (cb) => c.create(`${es}/c`, cb));
  await call('remove ~/a v7', (cb) => c.remove(`${R}/a`, 7, cb));
  await call('remove ~', (cb) => c.remove(R, -1, cb));
  await call('remove ~/missing', (cb) => c.remove(`${R}/missing`, -1, cb));

  // ACLs and digest auth.
  const digest = createHash('sha1').update('alice:pw').digest('base64');
  const acl = [new ACL(Permission.ALL, new Id('digest', `alice:${digest}`))];
  await call('create ~/locked (digest acl)', (cb) => c.create(`${R}/locked`, Buffer.from('secret'), acl, CreateMode.PERSISTENT, cb), (p: string) => rel(p));
  await call('other getData ~/locked', (cb) => other.getData(`${R}/locked`, cb));
  other.addAuthInfo('digest', Buffer.from('alice:pw'));
  await sleep(200);
  await call('other getData ~/locked after addAuthInfo', (cb) => other.getData(`${R}/locked`, cb), (d: Buffer) => d.toString());
  await call('getACL ~/locked', (cb) => c.getACL(`${R}/locked`, cb), (a: any[], s: any) => `${a.map((x) => `${x.id.scheme}:${x.id.id}:${x.permission}`)} ${statStr(s, sid)}`);
  await call('setACL ~/a read-only', (cb) => c.setACL(`${R}/a`, ACL.READ_ACL_UNSAFE, -1, cb), (s: any) => statStr(s, sid));
  await call('setData ~/a after read-only', (cb) => c.setData(`${R}/a`, Buffer.from('w'), -1, cb));
  await call('create with an ip acl for another host', (cb) => c.create(`${R}/ipacl`, null, [new ACL(Permission.READ, new Id('ip', '10.0.0.0/8'))], CreateMode.PERSISTENT, cb), (p: string) => rel(p));
  await call('getData ~/ipacl', (cb) => c.getData(`${R}/ipacl`, cb));

  // Transactions.
  await call(
    'transaction ok',
    (cb) => c.transaction().create(`${R}/t1`, Buffer.from('1')).create(`${R}/t2`).setData(`${R}/t1`, Buffer.from('11'), 0).check(`${R}/t2`, 0).remove(`${R}/t2`, 0).commit(cb),
    (res: any[]) => JSON.stringify(res.map((r) => ({ ...r, path: r.path ? rel(r.path) : undefined, stat: r.stat ? statStr(r.stat, sid) : undefined }))),
  );
  await call('transaction failing', (cb) => c.transaction().create(`${R}/t3`).check(`${R}/t1`, 5).commit(cb), (res: any[]) => JSON.stringify(res));
  await call('exists ~/t3', (cb) => c.exists(`${R}/t3`, cb), (s: any) => statStr(s, sid));

  // Helpers built on the primitives.
  await call('mkdirp ~/m/n/o', (cb) => c.mkdirp(`${R}/m/n/o`, Buffer.from('deep'), cb), (p: string) => rel(p));
  await call('listSubTreeBFS ~/m', (cb) => c.listSubTreeBFS(`${R}/m`, cb), (l: string[]) => l.map(rel).join(','));
  await call('removeRecursive ~/m', (cb) => c.removeRecursive(`${R}/m`, -1, cb));
  await call('getChildren ~', (cb) => c.getChildren(R, cb), (ch: string[], s: any) => `${[...ch].sort()} ${statStr(s, sid)}`);

  // Session end: the ephemeral goes, the other client's watch fires.
  await call('other exists ~/es-N (watch)', (cb) => other.exists(es, watcher('other exists es'), cb), (s: any) => statStr(s, sid));
  c.close();
  await sleep(500);
  await call('other exists ~/es-N', (cb) => other.exists(es, cb), (s: any) => statStr(s, sid));
  await call('other removeRecursive ~', (cb) => other.removeRecursive(R, -1, cb));
  return rank(log);
}

describe('node-zookeeper-client against Apache ZooKeeper 3.8 and ' + peerKind(), () => {
  const canRun = apacheInstalled() && (peerKind() === 'apache' || tszkBuilt());
  let servers: RunningServer[] = [];
  before(async () => {
    if (!canRun) return;
    servers = await Promise.all([startServer('apache'), startServer(peerKind())]);
  });
  after(() => Promise.all(servers.map((s) => s.stop())));

  it('CRUD, watches, ACLs, transactions and session end give the same results', async (t) => {
    if (!needApache(t) || !needPeer(t)) return;
    const [a, b] = await Promise.all(servers.map((s) => scenario(s.connectString)));
    assert.ok(a.some((l) => l.includes('EVENT data a: NODE_DATA_CHANGED')), `the scenario did not see its watch against Apache:\n${a.join('\n')}`);
    assert.ok(a.some((l) => l.startsWith('transaction ok → ok')), `the transaction failed against Apache:\n${a.join('\n')}`);
    if (process.env.TSZK_DIFF_SHOW === '1') process.stdout.write(a.join('\n') + '\n');
    if (a.join('\n') !== b.join('\n')) assert.fail(`node-zookeeper-client sees ${peerKind()} differently from Apache\n${diffLines(a, b, 'apache', peerKind())}`);
  });
});
