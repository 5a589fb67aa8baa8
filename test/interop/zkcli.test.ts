/**
 * Apache's zkCli.sh (Debian) against tszk (issue 2): the ZooKeeper tutorial's commands, fed on stdin
 * in one session and also one command per invocation, give the same output as against Apache
 * ZooKeeper 3.8, with dates, zxids, ports and session ids normalized.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { needApache, apacheInstalled, startServer, RunningServer, ZK_CLI, ROOT } from '../helpers/servers.js';
import { join } from 'node:path';
import { diffLines } from './lib/differential.js';
import { needPeer, peerKind, tszkBuilt } from './lib/suite.js';

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function zkCli(connect: string, args: string[], input?: string, program = ZK_CLI): Promise<CliRun> {
  return new Promise((resolve) => {
    const p = spawn(program, ['-server', connect, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, CLIENT_JVMFLAGS: '-Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 60000);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    p.stdin.end(input ?? '');
  });
}

/** Masks dates, the server address and session ids; zxids become z<decimal> for rankZxids. */
export function normalizeCli(text: string, connect: string): string[] {
  const sids = new Map<string, string>();
  return text
    .split('\n')
    .filter((l) => !/^SLF4J:/.test(l) && !/^\s*$/.test(l))
    .map((l) =>
      l
        .split(connect)
        .join('<server>')
        .replace(/\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \w{3} \d+ [\d:]+ \w+ \d{4}/g, '<date>')
        .replace(/^(ephemeralOwner = )(0x[0-9a-f]+)$/, (_, k: string, v: string) => {
          if (v === '0x0') return k + v;
          if (!sids.has(v)) sids.set(v, `<session${sids.size + 1}>`);
          return k + sids.get(v)!;
        })
        .replace(/^([cmp]Zxid = )(0x[0-9a-f]+)$/, (_, k: string, v: string) => `${k}z${BigInt(v)}`),
    );
}

/**
 * The Java client prints the SyncConnected event from its event thread, racing the command's own
 * output: where the pair lands is the client's timing, not the server's answer. Put it first.
 */
function hoistConnected(lines: string[]): string[] {
  const i = lines.findIndex((l, k) => l === 'WATCHER::' && lines[k + 1] === 'WatchedEvent state:SyncConnected type:None path:null');
  if (i < 0) return lines;
  const rest = [...lines.slice(0, i), ...lines.slice(i + 2)];
  const at = rest.findIndex((l) => l.startsWith('Connecting to')) + 1;
  return [...rest.slice(0, at), 'WATCHER::', 'WatchedEvent state:SyncConnected type:None path:null', ...rest.slice(at)];
}

/** zxids compared by order: replaces z<number> by its dense rank among all zxids of the output. */
function rankZxids(lines: string[]): string[] {
  const vals = [...new Set(lines.flatMap((l) => [...l.matchAll(/\bz(\d+)\b/g)].map((m) => BigInt(m[1]))))].sort((a, b) => (a < b ? -1 : 1));
  const rank = new Map(vals.map((v, i) => [v, i + 1]));
  return lines.map((l) => l.replace(/\bz(\d+)\b/g, (_, v: string) => `zxid#${rank.get(BigInt(v))}`));
}

const TUTORIAL = [
  'ls /',
  'create /test node',
  'ls /',
  'get /test',
  'create -e /e v',
  'create -s /s',
  'create -s /s',
  'create -e -s /es',
  'ls /',
  'get /test',
  'set /test junk',
  'get /test',
  'stat /test',
  'get -s /test',
  'ls -s /',
  'stat /e',
  'delete /test',
  'ls /',
  'create /d',
  'create /d/x',
  'create /d/x/y',
  'delete /d',
  'deleteall /d',
  'ls /',
  'quit',
];

const ERRORS = [
  'create /dup a',
  'create /dup b',
  'get /nope',
  'set /nope x',
  'delete /nope',
  'create /nope/child',
  'set /dup x 7',
  'delete -v 9 /dup',
  'create -e /eph',
  'create /eph/child',
  'create /dup/k',
  'delete /dup',
  'stat /nope',
  'ls /nope',
  'getAcl /dup',
  'setAcl /dup world:anyone:r',
  'getAcl /dup',
  'set /dup y',
  'addauth digest user:pass',
  'create /mine x auth:user:pass:cdrwa',
  'getAcl /mine',
  'whoami',
  'create -t 60000 /ttl x',
  'create -c /cont',
  'stat /cont',
  'sync /',
  'getAllChildrenNumber /',
  'getEphemerals /',
  'ls -R /d0',
  'create /d0',
  'create /d0/a',
  'create /d0/a/b',
  'ls -R /d0',
  'deleteall /d0',
  'ls /',
  'quit',
];

/** Forms of the 3.4 shell (the tutorial tszk came from is written for 3.4). */
const LEGACY = [
  'create /old v',
  'ls / watch',
  'get /old watch',
  'stat /old watch',
  'set /old v2',
  'ls -s /old watch',
  'delete /old 0',
  'ls /',
  'quit',
];

describe("tszk's zkCli.sh against Apache's zkCli.sh (Debian), both on Apache ZooKeeper 3.8", () => {
  // Two fresh Apache servers: each client runs the same scripts in the same order on its own.
  let servers: RunningServer[] = [];
  before(async () => {
    if (!apacheInstalled()) return;
    servers = await Promise.all([startServer('apache'), startServer('apache')]);
  });
  after(() => Promise.all(servers.map((s) => s.stop())));

  /** Without JLine, Java prints no prompt; tszk's shell on a pipe prints one. Both go. */
  const shape = (text: string, connect: string): string[] =>
    rankZxids(normalizeCli(text.replace(/\[zk: [^\]]*\((CONNECTING|CONNECTED)\) \d+\] /g, ''), connect))
      .filter((l) => !/^JLine support is /.test(l))
      // After quit, Java's event thread may print the Closed event before the JVM exits, or not.
      .filter((l, i, all) => !(l === 'WATCHER::' && all[i + 1] === 'WatchedEvent state:Closed type:None path:null') && !(l === 'WatchedEvent state:Closed type:None path:null' && all[i - 1] === 'WATCHER::'));

  for (const [name, script] of [['tutorial', TUTORIAL], ['errors', ERRORS], ['3.4 forms', LEGACY]] as const) {
    it(`prints what Apache's zkCli prints: ${name}`, async (t) => {
      if (!needApache(t)) return;
      const [apache, tszk] = await Promise.all([
        zkCli(servers[0]!.connectString, [], script.join('\n') + '\n'),
        zkCli(servers[1]!.connectString, [], script.join('\n') + '\n', join(ROOT, 'bin/zkCli.sh')),
      ]);
      const a = [`exit ${apache.code}`, '--- stdout', ...hoistConnected(shape(apache.stdout, servers[0]!.connectString)), '--- stderr', ...shape(apache.stderr, servers[0]!.connectString)];
      const b = [`exit ${tszk.code}`, '--- stdout', ...hoistConnected(shape(tszk.stdout, servers[1]!.connectString)), '--- stderr', ...shape(tszk.stderr, servers[1]!.connectString)];
      assert.ok(a.length > 8, `Apache's zkCli printed almost nothing:\n${apache.stdout}\n${apache.stderr}`);
      if (a.join('\n') !== b.join('\n')) assert.fail(`tszk's zkCli (${name}) differs from Apache's\n${diffLines(a, b, "Apache's zkCli", "tszk's zkCli")}`);
    });
  }
});

describe('zkCli.sh (Debian) against Apache ZooKeeper 3.8 and ' + peerKind(), () => {
  const canRun = apacheInstalled() && existsSync(ZK_CLI) && (peerKind() === 'apache' || tszkBuilt());
  let servers: RunningServer[] = [];

  before(async () => {
    if (!canRun) return;
    servers = await Promise.all([startServer('apache'), startServer(peerKind())]);
  });
  after(() => Promise.all(servers.map((s) => s.stop())));

  async function compareScript(t: { skip: (m: string) => void }, name: string, lines: string[]): Promise<void> {
    const runs = await Promise.all(servers.map((s) => zkCli(s.connectString, [], lines.join('\n') + '\n')));
    const shaped = runs.map((r, i) => ({
      stdout: rankZxids(normalizeCli(r.stdout, servers[i].connectString)),
      stderr: rankZxids(normalizeCli(r.stderr, servers[i].connectString)),
      code: r.code,
    }));
    assert.ok(shaped[0].stdout.length > 3, `zkCli printed almost nothing against Apache (${name}):\n${runs[0].stdout}\n${runs[0].stderr}`);
    const a = [`exit ${shaped[0].code}`, '--- stdout', ...shaped[0].stdout, '--- stderr', ...shaped[0].stderr];
    const b = [`exit ${shaped[1].code}`, '--- stdout', ...shaped[1].stdout, '--- stderr', ...shaped[1].stderr];
    if (a.join('\n') !== b.join('\n')) assert.fail(`zkCli ${name}: output against ${peerKind()} differs from Apache's\n${diffLines(a, b, 'apache', peerKind())}`);
    void t;
  }

  it('runs the ZooKeeper tutorial (one session, commands on stdin) with the same output', async (t) => {
    if (!needApache(t) || !needPeer(t)) return;
    await compareScript(t, 'tutorial', TUTORIAL);
  });

  it('prints the same errors, ACLs, auth and znode kinds', async (t) => {
    if (!needApache(t) || !needPeer(t)) return;
    await compareScript(t, 'errors', ERRORS);
  });

  it('runs one command per invocation with the same output and exit code', async (t) => {
    if (!needApache(t) || !needPeer(t)) return;
    const cmds = [['create', '/one', 'x'], ['get', '/one'], ['ls', '/'], ['stat', '/one'], ['get', '/missing'], ['delete', '/one'], ['ls', '/']];
    const problems: string[] = [];
    for (const cmd of cmds) {
      const runs = await Promise.all(servers.map((s) => zkCli(s.connectString, cmd)));
      const a = [`exit ${runs[0].code}`, ...hoistConnected(rankZxids(normalizeCli(runs[0].stdout + runs[0].stderr, servers[0].connectString)))];
      const b = [`exit ${runs[1].code}`, ...hoistConnected(rankZxids(normalizeCli(runs[1].stdout + runs[1].stderr, servers[1].connectString)))];
      if (a.join('\n') !== b.join('\n')) problems.push(`zkCli ${cmd.join(' ')}:\n${diffLines(a, b, 'apache', peerKind())}`);
    }
    assert.deepEqual(problems, []);
  });
});
