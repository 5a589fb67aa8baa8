/**
 * Four-letter words (issue 2): after the same scripted activity (sessions, watches, ephemerals),
 * every word answers Apache ZooKeeper 3.8's shape: the same lines and keys, with volatile values
 * (numbers, ports, ids, dates, paths, versions) masked; and 4lw.commands.whitelist is honoured with
 * the same answers for words outside the list.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { needApache, apacheInstalled, fourLetterWord, startServer, RunningServer } from '../helpers/servers.js';
import { RawClient } from './lib/raw-client.js';
import { enc, OPEN_ACL_UNSAFE } from './lib/proto.js';
import { OpCode } from '../../src/jute/constants.js';
import { diffLines } from './lib/differential.js';
import { needPeer, peerKind, tszkBuilt, startWithExactCfg } from './lib/suite.js';

const WORDS = ['ruok', 'srvr', 'stat', 'mntr', 'conf', 'cons', 'crst', 'dump', 'envi', 'wchs', 'wchc', 'wchp', 'dirs', 'isro', 'srst', 'gtmk', 'stmk'];

/** Masks what legitimately differs between two servers and two runs. */
export function shape(word: string, text: string): string[] {
  let lines = text.split('\n');
  const mask = (l: string): string =>
    l
      .replace(/Zookeeper version: .*|zookeeper\.version=.*|zk_version\t.*/, (m) => m.replace(/(:\s*|=|\t).*/, '$1<version>'))
      .replace(/\/tmp\/[^\s]*/g, '<path>')
      .replace(/0x[0-9a-f]+/gi, '<hex>')
      .replace(/\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \w{3} \d+ [\d:]+ \w+ \d{4}/g, '<date>')
      .replace(/\/127\.0\.0\.1:\d+/g, '/127.0.0.1:<port>')
      .replace(/-?\d+(\.\d+)?/g, '<n>');
  switch (word) {
    case 'mntr':
      // The set of metric names (values masked); Apache's order is a map's.
      return lines.filter((l) => l !== '').map((l) => l.split('\t')[0]).sort();
    case 'envi':
      // Keys only: the values describe the runtime (a JVM or Node.js).
      return lines.map((l) => l.split('=')[0]);
    case 'conf':
      return lines.map((l) => (/^(dataDir|dataLogDir)=/.test(l) ? l.split('=')[0] + '=<dir>' : mask(l)));
    case 'dump':
      // Expiry buckets depend on timing: keep the sessions and connections, not the buckets.
      return lines.map(mask).filter((l) => !/expire at/.test(l)).sort();
    case 'wchc':
    case 'wchp': {
      // Blocks (a session or a path, then its indented lines); Apache's order is a map's.
      const blocks: string[] = [];
      for (const l of lines.map(mask)) {
        if (l.startsWith('\t') && blocks.length) blocks[blocks.length - 1] += '\n' + l;
        else blocks.push(l);
      }
      return blocks.map((b) => { const [h, ...r] = b.split('\n'); return [h, ...r.sort()].join('\n'); }).sort();
    }
    case 'cons':
      // Lines of connections: their order depends on hashing; compare them sorted.
      return lines.map(mask).sort();
    default:
      return lines.map(mask);
  }
}

/** The same activity on a server: two sessions with watches of every kind and an ephemeral. */
async function activity(port: number): Promise<RawClient[]> {
  const a = await RawClient.connect(port, { timeout: 30000 });
  const b = await RawClient.connect(port, { timeout: 30000 });
  await a.request(OpCode.create, enc.create('/flw', Buffer.from('x'), OPEN_ACL_UNSAFE, 0));
  await a.request(OpCode.create, enc.create('/flw/e', null, OPEN_ACL_UNSAFE, 1));
  await a.request(OpCode.getData, enc.pathWatch('/flw', true));
  await a.request(OpCode.getChildren, enc.pathWatch('/flw', true));
  await b.request(OpCode.exists, enc.pathWatch('/flw/nope', true));
  await b.request(OpCode.getData, enc.pathWatch('/flw/e', true));
  return [a, b];
}

describe('four-letter words: Apache ZooKeeper 3.8 vs ' + peerKind(), () => {
  const canRun = apacheInstalled() && (peerKind() === 'apache' || tszkBuilt());
  let servers: RunningServer[] = [];
  let clients: RawClient[] = [];
  const answers = new Map<string, [string, string]>();

  before(async () => {
    if (!canRun) return;
    const opts = { cfg: { tickTime: 200, '4lw.commands.whitelist': '*' } };
    servers = await Promise.all([startServer('apache', opts), startServer(peerKind(), opts)]);
    for (const s of servers) clients.push(...(await activity(s.port)));
    for (const w of WORDS) {
      const [x, y] = await Promise.all(servers.map((s) => fourLetterWord(s.port, w)));
      answers.set(w, [x, y]);
    }
  });
  after(async () => {
    for (const c of clients) c.destroy();
    clients = [];
    await Promise.all(servers.map((s) => s.stop()));
  });

  for (const w of WORDS) {
    it(`${w} answers like Apache`, (t) => {
      if (!needApache(t) || !needPeer(t)) return;
      const [x, y] = answers.get(w)!;
      assert.ok(x.length > 0 || w === 'stmk', `Apache gave no answer to ${w}`);
      const a = shape(w, x);
      const b = shape(w, y);
      if (a.join('\n') !== b.join('\n')) assert.fail(`${w} differs\n${diffLines(a, b, 'apache', peerKind())}\n\n--- raw apache:\n${x}\n--- raw ${peerKind()}:\n${y}`);
    });
  }

  it('stmk with its 8-byte mask sets the mask and answers it, like Apache', async (t) => {
    if (!needApache(t) || !needPeer(t)) return;
    const packet = Buffer.alloc(12);
    packet.write('stmk', 0, 'latin1');
    packet.writeBigInt64BE(0x1234n, 4);
    const set = await Promise.all(servers.map((s) => fourLetterWord(s.port, packet)));
    const got = await Promise.all(servers.map((s) => fourLetterWord(s.port, 'gtmk')));
    assert.deepEqual(set[1], set[0]);
    assert.deepEqual(got[1], got[0]);
    assert.equal(got[1], String(0x1234));
    const reset = Buffer.from(packet);
    reset.writeBigInt64BE(306n, 4);
    await Promise.all(servers.map((s) => fourLetterWord(s.port, reset)));
  });

  it('an unknown word closes the connection with no answer, like Apache', async (t) => {
    if (!needApache(t) || !needPeer(t)) return;
    const [x, y] = await Promise.all(servers.map((s) => fourLetterWord(s.port, 'xyzw')));
    assert.equal(y, x);
  });
});

describe('four-letter words: 4lw.commands.whitelist, Apache ZooKeeper 3.8 vs ' + peerKind(), () => {
  const canRun = apacheInstalled() && (peerKind() === 'apache' || tszkBuilt());
  let servers: RunningServer[] = [];
  before(async () => {
    if (!canRun) return;
    const opts = { cfg: { '4lw.commands.whitelist': 'srvr, ruok ,mntr' } };
    servers = await Promise.all([startServer('apache', opts), startServer(peerKind(), opts)]);
  });
  after(() => Promise.all(servers.map((s) => s.stop())));

  it('answers listed words and refuses the others with Apache\'s text', async (t) => {
    if (!needApache(t) || !needPeer(t)) return;
    const problems: string[] = [];
    for (const w of [...WORDS, 'xyzw']) {
      const [x, y] = await Promise.all(servers.map((s) => fourLetterWord(s.port, w)));
      const a = shape(w, x);
      const b = shape(w, y);
      if (a.join('\n') !== b.join('\n')) problems.push(`${w}:\n${diffLines(a, b, 'apache', peerKind())}`);
    }
    assert.deepEqual(problems, []);
  });

  it('the default whitelist (no 4lw.commands.whitelist line) answers only srvr', async (t) => {
    if (!needApache(t) || !needPeer(t)) return;
    const pair = await Promise.all([startWithExactCfg('apache', {}), startWithExactCfg(peerKind(), {})]);
    try {
      const problems: string[] = [];
      for (const w of ['srvr', 'ruok', 'stat', 'mntr', 'conf']) {
        const [x, y] = await Promise.all(pair.map((s) => fourLetterWord(s.port, w)));
        const a = shape(w, x);
        const b = shape(w, y);
        if (a.join('\n') !== b.join('\n')) problems.push(`${w}:\n${diffLines(a, b, 'apache', peerKind())}`);
      }
      assert.deepEqual(problems, []);
    } finally {
      await Promise.all(pair.map((s) => s.stop()));
    }
  });
});
