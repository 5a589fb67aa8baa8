/**
 * Records real election-port and quorum-port traffic of an Apache ZooKeeper 3.8 ensemble (Debian's
 * `zookeeper` package) into test/data/quorum/capture/, for the wire round-trip test
 * (test/unit/quorum-wire.test.ts). Not a test itself: run it by hand when the captures need redoing:
 *
 *   npx tsc -p . && node dist/test/interop/quorum-capture.js test/data/quorum/capture
 *
 * Three participants and one observer run on 127.0.0.1 (ports 231xx). Each server's zoo.cfg names
 * its own ports truthfully and every other server by a recording TCP proxy's port, so every
 * connection between two servers passes one proxy, which saves the bytes of each direction. The
 * scenario: start servers 1..3 one by one (election), the observer, client writes through a
 * follower and the observer (REQUEST, PROPOSAL, ACK, COMMIT, INFORM, SYNC, PING), a follower
 * restarted after missing writes (DIFF with proposals), one restarted with an empty dataDir
 * (SNAP), and a staged learner with txns its leader never had (TRUNC; see captureTrunc).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ROOT, ZK_JARS, ZK_CLI } from '../helpers/servers.js';

const HOST = '127.0.0.1';
const quorumPort = (sid: number): number => 23110 + sid;
const electionPort = (sid: number): number => 23120 + sid;
const proxyQuorumPort = (sid: number): number => 23130 + sid;
const proxyElectionPort = (sid: number): number => 23140 + sid;
const clientPort = (sid: number): number => 23150 + sid;
const SIDS = [1, 2, 3, 4];
const OBSERVER = 4;
/** Enough of each stream for every packet type; the rest is PINGs. */
const MAX_BYTES_PER_DIRECTION = 48 * 1024;

interface Recording {
  id: number;
  kind: 'election' | 'quorum';
  /** The server the proxy forwards to (it accepted the connection). */
  acceptor: number;
  /** Bytes the connecting server sent, and the bytes it got back. */
  sent: Buffer[];
  received: Buffer[];
  sentBytes: number;
  receivedBytes: number;
}

const recordings: Recording[] = [];
const proxies: Server[] = [];
const sockets = new Set<Socket>();

function startProxy(kind: Recording['kind'], acceptor: number, listen: number, target: number): void {
  const srv = createServer((client) => {
    const rec: Recording = { id: recordings.length + 1, kind, acceptor, sent: [], received: [], sentBytes: 0, receivedBytes: 0 };
    recordings.push(rec);
    const upstream = connect(target, HOST);
    sockets.add(client).add(upstream);
    client.on('data', (c: Buffer) => {
      if (rec.sentBytes < MAX_BYTES_PER_DIRECTION) rec.sent.push(Buffer.from(c));
      rec.sentBytes += c.length;
      upstream.write(c);
    });
    upstream.on('data', (c: Buffer) => {
      if (rec.receivedBytes < MAX_BYTES_PER_DIRECTION) rec.received.push(Buffer.from(c));
      rec.receivedBytes += c.length;
      client.write(c);
    });
    const close = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  srv.listen(listen, HOST);
  proxies.push(srv);
}

function writeConfigs(base: string): void {
  for (const sid of SIDS) {
    const dir = join(base, `s${sid}`);
    mkdirSync(join(dir, 'data'), { recursive: true });
    writeFileSync(join(dir, 'data', 'myid'), `${sid}\n`);
    const lines = [
      'tickTime=500',
      'initLimit=10',
      'syncLimit=5',
      `dataDir=${join(dir, 'data')}`,
      `clientPort=${clientPort(sid)}`,
      '4lw.commands.whitelist=*',
      'admin.enableServer=false',
      'electionPortBindRetry=10',
    ];
    if (sid === OBSERVER) lines.push('peerType=observer');
    for (const other of SIDS) {
      const ports = other === sid ? `${quorumPort(other)}:${electionPort(other)}` : `${proxyQuorumPort(other)}:${proxyElectionPort(other)}`;
      lines.push(`server.${other}=${HOST}:${ports}${other === OBSERVER ? ':observer' : ''}`);
    }
    writeFileSync(join(dir, 'zoo.cfg'), lines.join('\n') + '\n');
  }
}

const running = new Map<number, ChildProcess>();

function startServer(base: string, sid: number): void {
  const cfg = join(base, `s${sid}`, 'zoo.cfg');
  const log = openSync(join(base, `s${sid}`, 'server.log'), 'a');
  const child = spawn('java', ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', `/etc/zookeeper/conf_example:${ZK_JARS}:/usr/share/java/slf4j-simple.jar`,
    'org.apache.zookeeper.server.quorum.QuorumPeerMain', cfg], { stdio: ['ignore', log, log], detached: true });
  running.set(sid, child);
}

async function stopServer(sid: number): Promise<void> {
  const child = running.get(sid);
  if (!child) return;
  running.delete(sid);
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  process.kill(-child.pid!, 'SIGKILL');
  await exited;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function fourLetter(sid: number, word: string): Promise<string> {
  return new Promise((res) => {
    const s = connect(clientPort(sid), HOST);
    let out = '';
    s.on('connect', () => s.write(word));
    s.on('data', (c: Buffer) => (out += c.toString()));
    s.on('close', () => res(out));
    s.on('error', () => res(''));
  });
}

async function mode(sid: number): Promise<string> {
  return /Mode: (\w+)/.exec(await fourLetter(sid, 'srvr'))?.[1] ?? 'down';
}

async function waitForModes(sids: number[], timeoutMs = 60000): Promise<Map<number, string>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const modes = new Map<number, string>();
    for (const sid of sids) modes.set(sid, await mode(sid));
    if ([...modes.values()].every((m) => m === 'leader' || m === 'follower' || m === 'observer')) return modes;
    if (Date.now() > end) throw new Error(`ensemble did not settle: ${[...modes].join(' ')}`);
    await sleep(300);
  }
}

/** zkCli.sh, one command per run (it waits for its session); async, since the proxies run in this event loop. */
async function zkCli(sid: number, commands: string[]): Promise<void> {
  for (const command of commands) {
    await new Promise<void>((res) => {
      const p = spawn(ZK_CLI, ['-server', `${HOST}:${clientPort(sid)}`, ...command.split(' ')], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, CLIENT_JVMFLAGS: '-Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC' },
      });
      let err = '';
      p.stderr.on('data', (c: Buffer) => (err += c.toString()));
      const timer = setTimeout(() => p.kill('SIGKILL'), 60000);
      p.on('close', (code) => {
        clearTimeout(timer);
        const problems = err.split('\n').filter((l) => /Exception|KeeperErrorCode/.test(l));
        if (code !== 0 || problems.length > 0) process.stderr.write(`zkCli ${command} on ${sid}: exit ${code} ${problems.join(' | ')}\n`);
        res();
      });
    });
  }
}

function hexLines(b: Buffer): string {
  const out: string[] = [];
  for (let i = 0; i < b.length; i += 32) out.push(b.subarray(i, i + 32).toString('hex'));
  return out.join('\n') + '\n';
}

/**
 * A learner with txns its leader never had gets TRUNC. Apache never lets that happen in a healthy
 * run, so the dataDir of one server is rolled back to stage it: servers 1 and 2 (alone) write in
 * epoch 2; server 2 is then restored to its state before that epoch, and with server 3 it elects a
 * leader who picks epoch 2 again (nobody it hears of accepted more) and knows nothing of those
 * txns. Server 1 still has them: it joins, sends ACKEPOCH with a last zxid beyond the leader's
 * history, and is told to TRUNC.
 */
async function captureTrunc(base: string): Promise<void> {
  for (const sid of [...running.keys()]) await stopServer(sid);
  const dataDir = (sid: number): string => join(base, `s${sid}`, 'data');
  cpSync(dataDir(2), join(base, 's2-before'), { recursive: true });
  startServer(base, 1);
  startServer(base, 2);
  const modes = await waitForModes([1, 2]);
  const leader = [...modes].find(([, m]) => m === 'leader')![0];
  await zkCli(leader, ['create /capture/only-on-1-and-2 x', 'set /capture/only-on-1-and-2 y']);
  await stopServer(1);
  await stopServer(2);
  rmSync(dataDir(2), { recursive: true, force: true });
  cpSync(join(base, 's2-before'), dataDir(2), { recursive: true });
  startServer(base, 2);
  startServer(base, 3);
  await waitForModes([2, 3]);
  startServer(base, 1);
  await waitForModes([1]);
  await sleep(1500);
}

async function main(): Promise<void> {
  // The output directory is always explicit: running this by accident must not replace the
  // committed captures.
  if (!process.argv[2]) {
    process.stderr.write(`usage: node dist/test/interop/quorum-capture.js <outDir>   (the committed captures: ${join(ROOT, 'test/data/quorum/capture')})\n`);
    process.exit(2);
  }
  const outDir = resolve(process.argv[2]);
  const base = mkdtempSync(join(tmpdir(), 'tszk-quorum-capture-'));
  writeConfigs(base);
  for (const sid of SIDS) {
    startProxy('quorum', sid, proxyQuorumPort(sid), quorumPort(sid));
    startProxy('election', sid, proxyElectionPort(sid), electionPort(sid));
  }
  try {
    // The tutorial's start-up: one server at a time, in order of id.
    for (const sid of [1, 2, 3]) {
      startServer(base, sid);
      await sleep(2500);
    }
    let modes = await waitForModes([1, 2, 3]);
    const leader = [...modes].find(([, m]) => m === 'leader')![0];
    const followers = [1, 2, 3].filter((s) => s !== leader);
    process.stdout.write(`leader ${leader}, followers ${followers.join(',')}\n`);
    startServer(base, OBSERVER);
    await waitForModes([OBSERVER]);

    // Writes forwarded by a follower and by the observer; a sync; an ephemeral (session close txn).
    await zkCli(followers[0], ['create /capture v1', 'set /capture v2', 'create -e /capture-eph e', 'sync /capture', 'get /capture']);
    await zkCli(OBSERVER, ['create /capture/obs o', 'sync /capture', 'delete /capture/obs']);
    await sleep(2000); // a few PINGs

    // A follower that misses writes gets a DIFF with PROPOSAL/COMMIT pairs.
    const lagging = followers[1];
    await stopServer(lagging);
    await zkCli(followers[0], ['create /capture/missed-1 a', 'create /capture/missed-2 b', 'set /capture v3']);
    startServer(base, lagging);
    modes = await waitForModes([lagging]);
    await sleep(1500);

    // An empty dataDir: the leader sends a SNAP.
    await stopServer(lagging);
    rmSync(join(base, `s${lagging}`, 'data', 'version-2'), { recursive: true, force: true });
    startServer(base, lagging);
    await waitForModes([lagging]);
    await zkCli(leader, ['create /capture/after-snap x']);
    await sleep(1500);

    await captureTrunc(base);
  } finally {
    for (const sid of [...running.keys()]) await stopServer(sid);
    for (const s of sockets) s.destroy();
    for (const p of proxies) p.close();
  }

  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const manifest: string[] = [];
  for (const rec of recordings) {
    const sent = Buffer.concat(rec.sent);
    const received = Buffer.concat(rec.received);
    if (sent.length === 0 && received.length === 0) continue;
    const name = `${rec.kind}-${String(rec.id).padStart(2, '0')}-to-${rec.acceptor}`;
    writeFileSync(join(outDir, `${name}.sent.hex`), hexLines(sent));
    writeFileSync(join(outDir, `${name}.received.hex`), hexLines(received));
    manifest.push(`${name} ${rec.kind} acceptor=${rec.acceptor} sent=${rec.sentBytes} received=${rec.receivedBytes}` +
      `${rec.sentBytes > MAX_BYTES_PER_DIRECTION || rec.receivedBytes > MAX_BYTES_PER_DIRECTION ? ' (cut at whole chunks)' : ''}`);
  }
  writeFileSync(join(outDir, 'MANIFEST.txt'), manifest.join('\n') + '\n');
  if (process.env.KEEP_CAPTURE_DIR !== '1') rmSync(base, { recursive: true, force: true });
  else process.stdout.write(`server dirs and logs kept in ${base}\n`);
  process.stdout.write(`${manifest.length} connections recorded into ${outDir}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  for (const child of running.values()) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  process.exit(1);
});
