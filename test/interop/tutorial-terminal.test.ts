/**
 * The ZooKeeper tutorial as a new user runs it, in a real terminal (tmux): copy
 * conf/zoo_sample.cfg to conf/zoo.cfg, set dataDir, `bin/zkServer.sh start`, `status`, the
 * interactive `bin/zkCli.sh` (prompt, commands, tab completion, history kept across runs), `quit`,
 * `bin/zkServer.sh stop`. Then the tutorial's commands typed into both zkCli programs (tszk's and
 * Debian's Apache one) against both servers: the four transcripts are the same, dates aside.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, ZK_CLI, freePort, needApache, needTmux, startServer, waitForServing } from '../helpers/servers.js';
import { Terminal } from '../helpers/terminal.js';

/** A tutorial step: the line typed, and what ends its output (none: the command prints nothing). */
interface Step {
  cmd: string;
  until?: RegExp;
}

const TUTORIAL: Step[] = [
  { cmd: 'ls /', until: /^\[zookeeper\]$/m },
  { cmd: 'create /test node', until: /^Created \/test$/m },
  { cmd: 'create -e -s /x', until: /^Created \/x\d{10}$/m },
  { cmd: 'get -s /test', until: /^numChildren = 0$/m },
  { cmd: 'set /test v2' },
  { cmd: 'stat /test', until: /^numChildren = 0$/m },
  { cmd: 'ls /', until: /^\[test, x\d{10}, zookeeper\]$/m },
  { cmd: 'deleteall /test' },
  { cmd: 'ls /', until: /^\[x\d{10}, zookeeper\]$/m },
  { cmd: 'get /nosuch', until: /^Node does not exist: \/nosuch$/m },
];

const CONNECTED = /^WatchedEvent state:SyncConnected type:None path:null$/m;
const PROMPT = /^\[zk: [^\]]*\((CONNECTING|CONNECTED)\) (\d+)\] ?(.*)$/;
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The lines after the n-th (0-based) echo of `cmd`, with or without a prompt before it. */
function afterEcho(screen: string, cmd: string, n: number): string | undefined {
  const echo = new RegExp(`^(\\[zk: [^\\]]*\\] )?${escape(cmd)}$`);
  const lines = screen.split('\n');
  let seen = -1;
  for (let i = 0; i < lines.length; i++) {
    if (echo.test(lines[i]!) && ++seen === n) return lines.slice(i + 1).join('\n');
  }
  return undefined;
}

/**
 * Types each step once the previous one is done: its output complete (until) or its line echoed;
 * with a prompt, the next prompt shown too. Returns the screen before `quit`.
 */
async function runTutorial(term: Terminal, steps: Step[], prompted: boolean): Promise<string> {
  await term.waitFor((s) => CONNECTED.test(s), 'SyncConnected event', 60000);
  const typed = new Map<string, number>();
  for (const [i, step] of steps.entries()) {
    const n = typed.get(step.cmd) ?? 0;
    typed.set(step.cmd, n + 1);
    term.type(step.cmd);
    await term.waitFor((s) => {
      const after = afterEcho(s, step.cmd, n);
      if (after === undefined || (step.until && !step.until.test(after))) return false;
      return !prompted || new RegExp(`^\\[zk: [^\\]]*\\(CONNECTED\\) ${i + 1}\\] ?$`, 'm').test(after);
    }, `output of "${step.cmd}"`);
  }
  return term.screen();
}

/**
 * The transcript as command → output: start-up banners, log noise and the connection event
 * (printed from the Java client's own thread, anywhere) dropped; prompts and bare echoes become
 * "> cmd"; dates in Java's Date.toString() form become <date> (any other form is kept, and differs).
 */
function transcript(screen: string, steps: Step[]): string[] {
  const cmds = new Set(steps.map((s) => s.cmd));
  const out: string[] = [];
  for (const line of screen.split('\n')) {
    if (/^(SLF4J: |JLine support is |Welcome to ZooKeeper!$|Connecting to |WATCHER::$|$)/.test(line) || CONNECTED.test(line)) continue;
    const prompt = PROMPT.exec(line);
    if (prompt) {
      if (prompt[3] !== '') out.push(`> ${prompt[3]}`);
      continue;
    }
    if (cmds.has(line)) out.push(`> ${line}`);
    else out.push(line.replace(/^([cm]time) = \w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} \w+ \d{4}$/, '$1 = <date>'));
  }
  return out;
}

/** A checkout-like directory: bin/, dist/, node_modules/ of this one, and a copy of conf/. */
function tutorialDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tszk-tutorial-'));
  for (const x of ['bin', 'dist', 'node_modules', 'package.json']) symlinkSync(join(ROOT, x), join(dir, x));
  cpSync(join(ROOT, 'conf'), join(dir, 'conf'), { recursive: true });
  mkdirSync(join(dir, 'home'));
  return dir;
}

describe('the ZooKeeper tutorial in a terminal', () => {
  it('runs as a new user runs it: zoo_sample.cfg, zkServer.sh start/status/stop, interactive zkCli.sh', async (t) => {
    if (!needTmux(t)) return;
    const dir = tutorialDir();
    const port = await freePort();
    const adminPort = await freePort();
    // HOME is the user's: zkCli keeps its history there.
    const env = { ...process.env, HOME: join(dir, 'home'), ZOO_LOG_DIR: join(dir, 'logs') };
    const sh = (...args: string[]): { status: number | null; stdout: string; stderr: string } =>
      spawnSync(join(dir, 'bin/zkServer.sh'), args, { cwd: dir, env, encoding: 'utf8', timeout: 60000 });
    const terms: Terminal[] = [];
    try {
      // The tutorial's zoo.cfg: the sample with dataDir changed (and free ports, so the test can
      // run beside other servers: the sample's 2181 and the AdminServer's default 8080).
      const sample = readFileSync(join(dir, 'conf/zoo_sample.cfg'), 'utf8');
      assert.match(sample, /^dataDir=\/tmp\/zookeeper$/m);
      assert.match(sample, /^clientPort=2181$/m);
      writeFileSync(
        join(dir, 'conf/zoo.cfg'),
        sample.replace(/^dataDir=.*$/m, `dataDir=${join(dir, 'data')}`).replace(/^clientPort=.*$/m, `clientPort=${port}`) + `admin.serverPort=${adminPort}\n`,
      );

      let r = sh('start');
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'Starting zookeeper ... STARTED\n');
      assert.match(r.stderr, new RegExp(`^Using config: ${escape(join(dir, 'conf/zoo.cfg'))}$`, 'm'));
      await waitForServing(port);
      assert.ok(existsSync(join(dir, 'data/zookeeper_server.pid')), 'the pid file is in dataDir');
      r = sh('status');
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^Client port found: ${port}\\. Client address: localhost\\. Client SSL: false\\.$`, 'm'));
      assert.match(r.stdout, /^Mode: standalone$/m);

      const term = Terminal.open(`bin/zkCli.sh -server 127.0.0.1:${port}`, { cwd: dir, env });
      terms.push(term);
      const screen = await runTutorial(term, TUTORIAL, true);
      const lines = screen.split('\n');
      assert.equal(lines[0], `Connecting to 127.0.0.1:${port}`);
      assert.ok(lines.includes('Welcome to ZooKeeper!'));
      assert.ok(lines.includes(`[zk: 127.0.0.1:${port}(CONNECTED) 1] create /test node`), 'prompt with host, state and command number');
      const seq = /^Created \/(x\d{10})$/m.exec(screen)![1];
      const stat = transcript(afterEcho(screen, 'stat /test', 0)!, TUTORIAL);
      assert.deepEqual(stat.slice(0, stat.indexOf('> ls /')), [
        'cZxid = 0x2', 'ctime = <date>', 'mZxid = 0x4', 'mtime = <date>', 'pZxid = 0x2', 'cversion = 0',
        'dataVersion = 1', 'aclVersion = 0', 'ephemeralOwner = 0x0', 'dataLength = 2', 'numChildren = 0',
      ]);
      assert.match(afterEcho(screen, 'ls /', 2)!, new RegExp(`^\\[${seq}, zookeeper\\]$`, 'm'), 'deleteall removed /test; the ephemeral lives on');

      // Tab completes znode paths and command names (with JLine's trailing space).
      term.type('ls /zoo', false);
      term.key('Tab');
      await term.waitFor((s) => s.endsWith('ls /zookeeper'), 'the completed path');
      term.key('Enter');
      await term.waitFor((s) => /^\[config, quota\]$/m.test(s), 'ls of the completed path');
      term.type('getEph', false);
      term.key('Tab');
      await term.waitFor((s) => s.endsWith('getEphemerals'), 'the completed command');
      term.type('/');
      await term.waitFor((s) => new RegExp(`^\\[/${seq}\\]$`, 'm').test(s), 'getEphemerals output');
      // Up recalls the last line.
      term.key('Up');
      await term.waitFor((s) => s.endsWith('getEphemerals /'), 'the recalled line');
      term.key('C-u');
      term.type('quit');
      assert.equal(await term.waitForExit(), 0, 'quit exits with 0 (the last command succeeded)');

      // History persists: a new zkCli recalls the last session's lines.
      const again = Terminal.open(`bin/zkCli.sh -server 127.0.0.1:${port}`, { cwd: dir, env });
      terms.push(again);
      await again.waitFor((s) => CONNECTED.test(s), 'SyncConnected event');
      again.key('Up');
      await again.waitFor((s) => s.endsWith('quit'), 'the last line of the earlier session');
      again.key('Up');
      await again.waitFor((s) => s.endsWith('getEphemerals /'), 'the line before it');
      again.key('C-u');
      again.type('quit');
      assert.equal(await again.waitForExit(), 0);

      r = sh('stop');
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'Stopping zookeeper ... STOPPED\n');
      assert.ok(!existsSync(join(dir, 'data/zookeeper_server.pid')), 'stop removes the pid file');
      r = sh('status');
      assert.notEqual(r.status, 0, 'status after stop fails');
      assert.match(r.stdout + r.stderr, /Error contacting service\. It is probably not running\./);
    } finally {
      for (const term of terms) term.close();
      sh('stop');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("gives the same transcript with tszk's and Apache's zkCli.sh against tszk and Apache ZooKeeper 3.8", async (t) => {
    if (!needTmux(t) || !needApache(t)) return;
    const home = mkdtempSync(join(tmpdir(), 'tszk-tutorial-home-'));
    const env = { ...process.env, HOME: home, CLIENT_JVMFLAGS: '-Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC' };
    const clis = { tszk: join(ROOT, 'bin/zkCli.sh'), apache: ZK_CLI } as const;
    const results: Record<string, string[]> = {};
    try {
      for (const server of ['apache', 'tszk'] as const) {
        for (const cli of ['apache', 'tszk'] as const) {
          // A fresh server each time: the same zxids and sequence numbers are expected.
          const s = await startServer(server);
          const term = Terminal.open(`${clis[cli]} -server ${s.connectString}`, { cwd: home, env });
          try {
            const screen = await runTutorial(term, TUTORIAL, cli === 'tszk');
            results[`${cli} zkCli against ${server}`] = transcript(screen, TUTORIAL);
            // The last command failed: quit exits with its code, as Java's ZooKeeperMain does.
            term.type('quit');
            assert.equal(await term.waitForExit(30000), 1, `${cli} zkCli: quit exits with the failed command's code`);
          } finally {
            term.close();
            await s.stop();
          }
        }
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
    const baseline = results['apache zkCli against apache']!;
    assert.ok(baseline.includes('> create /test node') && baseline.includes('Created /test') && baseline.includes('dataVersion = 1'), baseline.join('\n'));
    for (const [name, lines] of Object.entries(results)) assert.deepEqual(lines, baseline, `${name} differs from Apache's zkCli against Apache ZooKeeper`);
  });
});
