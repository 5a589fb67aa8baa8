/**
 * Bad input (issue 2).
 *
 * 1. Per category of invalid frame (truncated records, bad paths, bad UTF-8, bad ACLs, lying string
 *    and vector lengths, garbage bodies, bad multis, unknown opcodes, oversized/negative/short
 *    frames, failing auth), a few seeded samples go to Apache ZooKeeper 3.8 and to the peer on fresh
 *    connections: the answer (error code or none), whether the connection stays usable, and the
 *    effect on the tree must be the same.
 * 2. The fuzz: at least 100,000 random and mutated frames, pipelined over many connections, at a live
 *    tszk (and a few thousand at Apache, to check the harness): the server never crashes, nothing
 *    outside the fuzz's own subtree changes, connections that sent only invalid frames changed
 *    nothing at all, and a well-behaved client on another connection keeps working throughout.
 *
 *   TSZK_FUZZ_SEED=n     replay a seed;  TSZK_FUZZ_FRAMES=n   frames for the big run (default 100000)
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { needApache, apacheInstalled, startServer, RunningServer, fourLetterWord } from '../helpers/servers.js';
import { OpCode, Err, errName } from '../../src/jute/constants.js';
import { RawClient, Incoming } from './lib/raw-client.js';
import { enc, decodeReply, OPEN_ACL_UNSAFE } from './lib/proto.js';
import { digest, deadline as sleep } from './lib/differential.js';
import { Rng, INVALID_CATEGORIES, FATAL_CATEGORIES, InvalidCategory, invalidFrame, validRequest, frameOf, mutate } from './lib/fuzz.js';
import { needPeer, peerKind, tszkBuilt } from './lib/suite.js';
import type { Stat } from '../../src/jute/records.js';

const SEED = Number(process.env.TSZK_FUZZ_SEED ?? Date.now() % 1000000);
const FRAMES = Number(process.env.TSZK_FUZZ_FRAMES ?? 100000);
const GOOD = digest('good', 'pw');

async function req(c: RawClient, op: number, body?: Parameters<RawClient['request']>[1]): Promise<Incoming> {
  return c.request(op, body);
}

async function mustOk(c: RawClient, op: number, body: Parameters<RawClient['request']>[1], what: string): Promise<Incoming> {
  const r = await req(c, op, body);
  if (r.header.err !== 0) throw new Error(`${what}: ${errName(r.header.err)}`);
  return r;
}

function statOf(r: Incoming): Stat | undefined {
  const d = decodeReply(r.op!, r.body);
  return 'stat' in d ? d.stat : undefined;
}

/** A dump of the tree below `path`: path, data, ACL and stat (versions, not times), skipping `skip`. */
async function dumpTree(c: RawClient, path: string, skip: (p: string) => boolean, out: string[] = []): Promise<string[]> {
  if (skip(path)) return out;
  const d = await req(c, OpCode.getData, enc.pathWatch(path, false));
  const a = await req(c, OpCode.getACL, enc.path(path));
  const k = await req(c, OpCode.getChildren2, enc.pathWatch(path, false));
  const dd = decodeReply(OpCode.getData, d.body);
  const ad = decodeReply(OpCode.getACL, a.body);
  const kd = decodeReply(OpCode.getChildren2, k.body);
  const st = kd.kind === 'children2' ? kd.stat : undefined;
  const data = dd.kind === 'data' ? (dd.data === null ? 'null' : dd.data.toString('hex')) : `err ${errName(d.header.err)}`;
  const acl = ad.kind === 'acl' ? ad.acl.map((x) => `${x.id.scheme}:${x.id.id}:${x.perms}`).join(',') : `err ${errName(a.header.err)}`;
  out.push(`${path} data=${data} acl=${acl} ${st ? `v=${st.version} cv=${st.cversion} av=${st.aversion} nc=${st.numChildren} cz=${st.czxid} mz=${st.mzxid} pz=${st.pzxid} eo=${st.ephemeralOwner}` : `err ${errName(k.header.err)}`}`);
  const children = kd.kind === 'children2' ? [...kd.children].sort() : [];
  for (const ch of children) await dumpTree(c, `${path === '/' ? '' : path}/${ch}`, skip, out);
  return out;
}

// ------------------------------------------------------------------ 1. per-category behaviour

interface Outcome {
  reply: string;
  sentinel: string;
  closed: boolean;
  effect: string;
}

/** Sends one invalid frame on a fresh session, then an exists('/') sentinel; reports what happened. */
async function probe(port: number, admin: RawClient, dir: string, frame: Buffer): Promise<Outcome> {
  await mustOk(admin, OpCode.create, enc.create(dir, Buffer.from('d'), OPEN_ACL_UNSAFE, 0), `create ${dir}`);
  const c = await RawClient.connect(port, { timeout: 10000 });
  const before = c.log.length;
  c.writeRaw(frame);
  const sentinel = c.send(OpCode.exists, enc.pathWatch('/', false), { xid: 777777 }).done.catch(() => undefined);
  const closed = c.closed.then(() => undefined);
  await Promise.race([Promise.all([sentinel]), closed, sleep(3000)]);
  // A close right after the sentinel's answer still counts: give it a moment.
  await Promise.race([closed, sleep(150)]);
  const replies = c.log.slice(before).filter((i) => i.kind === 'reply' && i.header.xid !== 777777 && i.header.xid !== -2);
  const sent = c.log.find((i) => i.header.xid === 777777);
  const out: Outcome = {
    reply: replies.length ? replies.map((r) => `xid=${r.header.xid} ${errName(r.header.err)}`).join(';') : 'none',
    // After a frame that closes the connection, whether a request pipelined behind it is still
    // answered is a race in Apache: it is not compared.
    sentinel: c.isClosed ? 'n/a' : sent ? errName(sent.header.err) : 'none',
    closed: c.isClosed,
    effect: '',
  };
  c.destroy();
  const k = await req(admin, OpCode.getChildren2, enc.pathWatch(dir, false));
  const kd = decodeReply(OpCode.getChildren2, k.body);
  out.effect = kd.kind === 'children2' ? `children=[${kd.children.sort().join(',')}] v=${kd.stat.version} cv=${kd.stat.cversion} av=${kd.stat.aversion}` : errName(k.header.err);
  return out;
}

const SAMPLES = 5;

describe('bad input: ' + peerKind() + ' answers each kind of bad frame as Apache ZooKeeper 3.8 does', () => {
  const canRun = apacheInstalled() && (peerKind() === 'apache' || tszkBuilt());
  let servers: RunningServer[] = [];
  let admins: RawClient[] = [];
  before(async () => {
    if (!canRun) return;
    servers = await Promise.all([startServer('apache'), startServer(peerKind())]);
    admins = await Promise.all(servers.map((s) => RawClient.connect(s.port)));
    for (const a of admins) await mustOk(a, OpCode.create, enc.create('/probe', null, OPEN_ACL_UNSAFE, 0), 'create /probe');
  });
  after(async () => {
    for (const a of admins) a.destroy();
    await Promise.all(servers.map((s) => s.stop()));
  });

  for (const cat of INVALID_CATEGORIES) {
    it(`${cat}: same answer, same connection fate, no effect`, async (t) => {
      if (!needApache(t) || !needPeer(t)) return;
      const rows: string[] = [];
      const diffs: string[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const seed = SEED * 100 + INVALID_CATEGORIES.indexOf(cat) * 10 + i;
        const dir = `/probe/${cat}-${i}`;
        const frame = invalidFrame(new Rng(seed), cat, dir, 4242);
        const [a, b] = await Promise.all(servers.map((s, k) => probe(s.port, admins[k], dir, frame)));
        const row = `sample ${i} (seed ${seed}, ${frame.length} bytes ${frame.subarray(0, 48).toString('hex')}${frame.length > 48 ? '…' : ''})`;
        rows.push(`${row}\n   apache: ${JSON.stringify(a)}`);
        if (JSON.stringify(a) !== JSON.stringify(b)) diffs.push(`${row}\n   apache: ${JSON.stringify(a)}\n   ${peerKind()}:   ${JSON.stringify(b)}`);
        // Invalid frames never change the tree, on Apache either.
        assert.equal(a.effect, 'children=[] v=0 cv=0 av=0', `Apache changed the tree for a ${cat} frame?\n${row}`);
        assert.ok(a.closed || a.sentinel !== 'none', `${cat}: Apache neither answered the next request nor closed`);
      }
      if (process.env.TSZK_DIFF_SHOW === '1') process.stdout.write(`\n== ${cat}\n${rows.join('\n')}\n`);
      assert.deepEqual(diffs, [], `${cat}: ${peerKind()} handles bad frames differently from Apache`);
    });
  }
});

// ------------------------------------------------------------------ 2. the fuzz

interface FuzzReport {
  frames: number;
  connections: number;
  fatalEndings: number;
  closedByServer: number;
  notClosed: string[];
  replies: number;
  errors: Record<string, number>;
  goodCycles: number;
  goodMaxLatencyMs: number;
  ms: number;
}

/** Throws `total` frames at the server; returns counts. Checks are made by the caller. */
const PURE_DIR_PREFIX = Buffer.from('/fz/i');

async function fuzz(server: RunningServer, total: number, seed: number): Promise<FuzzReport> {
  const port = server.port;
  const rng = new Rng(seed);
  const admin = await RawClient.connect(port);
  await mustOk(admin, OpCode.create, enc.create('/fz', null, OPEN_ACL_UNSAFE, 0), 'create /fz');
  await mustOk(admin, OpCode.create, enc.create('/keep', Buffer.from('keep me'), OPEN_ACL_UNSAFE, 0), 'create /keep');
  await mustOk(admin, OpCode.create, enc.create('/keep/a', Buffer.from('a'), [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }], 0), 'create /keep/a');
  await mustOk(admin, OpCode.create, enc.create('/keep/b', Buffer.from([0, 1, 2]), [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }], 0), 'create /keep/b');
  await mustOk(admin, OpCode.setACL, enc.setACL('/keep', [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }], -1), 'setACL /keep');
  await mustOk(admin, OpCode.auth, enc.auth('digest', Buffer.from('good:pw')), 'auth good');
  await mustOk(admin, OpCode.create, enc.create('/good', null, [{ perms: 31, id: { scheme: 'digest', id: GOOD } }], 0), 'create /good');
  // Only /fz is writable by the fuzzers: the root and /zookeeper become read-only for world.
  for (const p of ['/zookeeper/quota', '/zookeeper']) await mustOk(admin, OpCode.setACL, enc.setACL(p, [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }], -1), `setACL ${p}`);
  await mustOk(admin, OpCode.setACL, enc.setACL('/', [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }], -1), 'setACL /');

  // /fz is the fuzzers'; /good belongs to the well-behaved client, which checks its own results.
  const outside = (p: string): boolean => p === '/fz' || p.startsWith('/fz/') || p === '/good' || p.startsWith('/good/');
  const before = await dumpTree(admin, '/', outside);

  // Connections: a third send only invalid (never valid) frames into their own directory; the rest
  // mix valid requests with mutations of them.
  const perConn = 500;
  const nConn = Math.ceil(total / perConn);
  const plans: { dir: string; pure: boolean; frames: Buffer[]; cutEnd: boolean }[] = [];
  let frames = 0;
  for (let i = 0; i < nConn; i++) {
    const pure = i % 3 === 0;
    const dir = pure ? `${PURE_DIR_PREFIX.toString()}${i}` : `/fz/m${i}`;
    const n = Math.min(perConn, total - frames);
    const list: Buffer[] = [];
    const nonFatal = INVALID_CATEGORIES.filter((c) => !FATAL_CATEGORIES.has(c));
    for (let k = 0; k < n - 1; k++) {
      const xid = k + 1;
      if (pure) list.push(invalidFrame(rng, rng.pick(nonFatal), dir, xid));
      else {
        // Valid requests, half of them mutated in their bodies (a mutated auth packet would close
        // the connection: auth frames go unmutated).
        const v = validRequest(rng, dir);
        const f = frameOf(v.op === OpCode.auth ? -4 : xid, v.op, v.body);
        // A mutation may rewrite a path into a pure-invalid directory (seed 710138 turned
        // /fz/m64/c into /fz/i60/c): such a frame is sent unmutated, so those directories only
        // ever see invalid frames.
        const m = v.op !== OpCode.auth && rng.chance(0.5) ? mutate(rng, f, true) : f;
        list.push(m.includes(PURE_DIR_PREFIX) ? f : m);
      }
    }
    // The last frame: one that closes the connection (a fatal category, or a mutation anywhere,
    // header included), or a frame cut short by the client hanging up.
    const cutEnd = rng.chance(0.3);
    list.push(invalidFrame(rng, rng.pick([...FATAL_CATEGORIES] as InvalidCategory[]), dir, n));
    frames += list.length;
    plans.push({ dir, pure, frames: list, cutEnd });
    await mustOk(admin, OpCode.create, enc.create(dir, Buffer.from('dir'), OPEN_ACL_UNSAFE, 0), `create ${dir}`);
  }

  // The well-behaved client, working throughout.
  const good = await RawClient.connect(port, { timeout: 10000 });
  await mustOk(good, OpCode.auth, enc.auth('digest', Buffer.from('good:pw')), 'good auth');
  let stop = false;
  let cycles = 0;
  let maxLatency = 0;
  const goodLoop = (async (): Promise<void> => {
    while (!stop) {
      const t0 = Date.now();
      const p = `/good/n${cycles}`;
      const data = Buffer.from(`cycle ${cycles}`);
      const step = async (op: number, body: Parameters<RawClient['request']>[1], what: string): Promise<Incoming> => {
        const r = await Promise.race([good.request(op, body), sleep(10000).then(() => undefined)]);
        if (!r) throw new Error(`well-behaved client: ${what} got no answer within 10 s (cycle ${cycles})`);
        if (r.header.err !== 0) throw new Error(`well-behaved client: ${what} failed with ${errName(r.header.err)} (cycle ${cycles})`);
        return r;
      };
      await step(OpCode.create, enc.create(p, data, [{ perms: 31, id: { scheme: 'digest', id: GOOD } }], 0), `create ${p}`);
      const g = decodeReply(OpCode.getData, (await step(OpCode.getData, enc.pathWatch(p, true), `getData ${p}`)).body);
      if (g.kind !== 'data' || !g.data?.equals(data)) throw new Error(`well-behaved client: getData ${p} returned the wrong data`);
      const s = statOf(await step(OpCode.setData, enc.setData(p, Buffer.from('x'), 0), `setData ${p}`));
      if (s?.version !== 1) throw new Error(`well-behaved client: setData ${p} gave version ${s?.version}`);
      await good.waitFor((log) => log.some((i) => i.kind === 'event' && i.event?.path === p), 10000, `the data watch on ${p}`);
      await step(OpCode.delete, enc.pathVersion(p, 1), `delete ${p}`);
      maxLatency = Math.max(maxLatency, Date.now() - t0);
      cycles++;
    }
  })();

  const t0 = Date.now();
  let closedByServer = 0;
  const notClosed: string[] = [];
  let replies = 0;
  const errors: Record<string, number> = {};
  const runConn = async (plan: (typeof plans)[number]): Promise<void> => {
    const c = await RawClient.connect(port, { timeout: 4000, autoPing: false });
    // Everything but the last frame, pipelined; then a ping, whose answer means all of it was
    // processed (a frame that breaks the framing would otherwise drop the answers queued before it).
    const body = plan.frames.slice(0, -1);
    const last = plan.frames[plan.frames.length - 1];
    c.writeRaw(Buffer.concat(body));
    await Promise.race([c.send(OpCode.ping, undefined, { auto: true }).done.catch(() => undefined), c.closed, sleep(30000)]);
    if (plan.cutEnd) {
      // Hang up in the middle of the last frame.
      c.writeRaw(last.subarray(0, Math.max(1, Math.floor(last.length / 2))));
      await Promise.race([c.closed, sleep(100)]);
    } else {
      c.writeRaw(last);
      await Promise.race([c.closed, sleep(10000)]);
      if (c.isClosed) closedByServer++;
      else notClosed.push(plan.dir);
    }
    for (const i of c.log) {
      if (i.kind !== 'reply' || i.auto) continue;
      replies++;
      const e = errName(i.header.err);
      errors[e] = (errors[e] ?? 0) + 1;
    }
    c.destroy();
  };
  const queue = [...plans];
  const workers = Array.from({ length: 8 }, async () => {
    for (let p = queue.shift(); p; p = queue.shift()) await runConn(p);
  });
  try {
    await Promise.all(workers);
  } finally {
    stop = true;
  }
  await goodLoop;
  const ms = Date.now() - t0;

  // Nothing outside /fz changed; the pure-invalid directories are untouched.
  const after = await dumpTree(admin, '/', outside);
  assert.deepEqual(after, before, 'the tree outside the fuzz directory changed');
  for (const plan of plans.filter((p) => p.pure)) {
    const k = await req(admin, OpCode.getChildren2, enc.pathWatch(plan.dir, false));
    const kd = decodeReply(OpCode.getChildren2, k.body);
    assert.ok(kd.kind === 'children2', `${plan.dir}: ${errName(k.header.err)}`);
    assert.deepEqual(
      { children: kd.children, version: kd.stat.version, cversion: kd.stat.cversion, aversion: kd.stat.aversion },
      { children: [], version: 0, cversion: 0, aversion: 0 },
      `${plan.dir} received only invalid frames, yet it changed (seed ${seed})`,
    );
  }
  good.destroy();
  admin.destroy();
  return { frames, connections: plans.length, fatalEndings: plans.filter((p) => !p.cutEnd).length, closedByServer, notClosed, replies, errors, goodCycles: cycles, goodMaxLatencyMs: maxLatency, ms };
}

async function checkAlive(server: RunningServer, what: string): Promise<void> {
  assert.equal(server.process.exitCode, null, `${what} exited during the fuzz:\n${server.output().slice(-3000)}`);
  assert.equal(server.process.signalCode, null, `${what} was killed during the fuzz`);
  assert.match(await fourLetterWord(server.port, 'srvr'), /^Mode: standalone$/m, `${what} does not answer srvr after the fuzz`);
  const c = await RawClient.connect(server.port);
  const r = await c.request(OpCode.exists, enc.pathWatch('/keep', false));
  assert.equal(r.header.err, Err.Ok, `${what} cannot serve a new client after the fuzz`);
  await c.close();
}

describe('fuzz: random and mutated frames at a live server', () => {
  it(`Apache ZooKeeper 3.8 survives 3,000 frames (seed ${SEED}): validates the fuzz harness`, async (t) => {
    if (!needApache(t)) return;
    const s = await startServer('apache');
    try {
      const r = await fuzz(s, 3000, SEED);
      process.stdout.write(`# apache fuzz: ${JSON.stringify(r)}\n`);
      await checkAlive(s, 'Apache');
      assert.ok(r.goodCycles > 0, 'the well-behaved client made no progress');
      assert.deepEqual(r.notClosed, [], 'Apache left connections open after a fatal frame: FATAL_CATEGORIES is wrong');
    } finally {
      await s.stop();
    }
  });

  it(`tszk survives ${FRAMES.toLocaleString('en')} frames (seed ${SEED}) and a well-behaved client keeps working`, async (t) => {
    if (peerKind() !== 'tszk') {
      t.skip('TSZK_DIFF_PEER=apache: the big fuzz runs against tszk only');
      return;
    }
    if (!needPeer(t)) return;
    const s = await startServer('tszk');
    try {
      const r = await fuzz(s, FRAMES, SEED);
      process.stdout.write(`# tszk fuzz: ${JSON.stringify(r)}\n`);
      assert.ok(r.frames >= FRAMES, `only ${r.frames} frames were sent`);
      // Pipelines are drained before each connection's last frame: nearly every frame is answered.
      assert.ok(r.replies >= r.frames * 0.95, `only ${r.replies} of ${r.frames} frames were answered`);
      await checkAlive(s, 'tszk');
      assert.ok(r.goodCycles >= 10, `the well-behaved client completed only ${r.goodCycles} cycles while the fuzz ran`);
      assert.deepEqual(r.notClosed, [], `connections that ended with a frame Apache closes the connection for were left open`);
    } finally {
      await s.stop();
    }
  });
});
