/**
 * bin/zkServer.sh as the ZooKeeper tutorial uses it: copy conf/zoo_sample.cfg to zoo.cfg, set
 * dataDir, then start, status, restart, stop — with Apache's exact output lines, the pid file in
 * dataDir, the .out file in ZOO_LOG_DIR, -D properties from SERVER_JVMFLAGS, and one-line errors for
 * bad input. Runs in a temporary conf dir (ZOOCFGDIR) on free ports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ROOT, fourLetterWord, freePort } from '../helpers/servers.js';

const SCRIPT = join(ROOT, 'bin/zkServer.sh');
const USAGE = `Usage: ${SCRIPT} [--config <conf-dir>] {start|start-foreground|stop|version|restart|status|print-cmd}`;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** What the tutorial's zoo.cfg is: the shipped sample, with dataDir (and, here, free ports) set. */
function tutorialConfig(dataDir: string, clientPort: number, adminPort: number): string {
  const sample = join(ROOT, 'conf/zoo_sample.cfg');
  let text = existsSync(sample)
    ? readFileSync(sample, 'utf8')
    : // Until conf/zoo_sample.cfg ships: Apache's sample's settings.
      'tickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir=/tmp/zookeeper\nclientPort=2181\n';
  text = text.replace(/^dataDir=.*$/m, `dataDir=${dataDir}`).replace(/^clientPort=.*$/m, `clientPort=${clientPort}`);
  // The sample leaves the AdminServer on (port 8080); a test takes a free port instead.
  return `${text.endsWith('\n') ? text : `${text}\n`}admin.serverPort=${adminPort}\n`;
}

test('zkServer.sh: start, status, restart, stop, print-cmd, version, as the tutorial runs them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tszk-zkserver-sh-'));
  const confDir = join(dir, 'conf');
  const logDir = join(dir, 'logs');
  const dataDir = join(dir, 'data');
  mkdirSync(confDir);
  const port = await freePort();
  const adminPort = await freePort();
  writeFileSync(join(confDir, 'zoo.cfg'), tutorialConfig(dataDir, port, adminPort));
  if (!existsSync(join(ROOT, 'conf/zoo_sample.cfg'))) t.diagnostic('conf/zoo_sample.cfg is not there yet: used its settings instead');
  const env = { ...process.env, ZOOCFGDIR: confDir, ZOO_LOG_DIR: logDir, SERVER_JVMFLAGS: '-Dzookeeper.4lw.commands.whitelist=ruok' };
  const sh = (...args: string[]): Run => {
    const r = spawnSync(SCRIPT, args, { env, encoding: 'utf8', timeout: 60000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const cfgPath = join(confDir, 'zoo.cfg');
  const pidFile = join(dataDir, 'zookeeper_server.pid');
  const found = `Client port found: ${port}. Client address: localhost. Client SSL: false.\n`;
  const notRunning = { status: 1, stdout: `${found}Error contacting service. It is probably not running.\n`, stderr: `Using config: ${cfgPath}\n` };
  let pid = 0;
  try {
    assert.deepEqual(sh('status'), notRunning, 'status of a server that is not running');

    assert.deepEqual(sh('start'), { status: 0, stdout: 'Starting zookeeper ... STARTED\n', stderr: `Using config: ${cfgPath}\n` });
    const pidText = readFileSync(pidFile, 'utf8');
    assert.match(pidText, /^\d+$/, 'the pid file holds the pid, no newline');
    pid = Number(pidText);
    assert.ok(alive(pid));
    const out = join(logDir, `zookeeper-${process.env.USER ?? userInfo().username}-server-${process.env.HOSTNAME ?? hostname()}.out`);
    assert.ok(existsSync(out), `${out} exists`);
    assert.ok(existsSync(join(logDir, 'tszk.log')));

    assert.deepEqual(sh('start'), { status: 1, stdout: `Starting zookeeper ... already running as process ${pid}.\n`, stderr: `Using config: ${cfgPath}\n` });
    assert.deepEqual(sh('status'), { status: 0, stdout: `${found}Mode: standalone\n`, stderr: `Using config: ${cfgPath}\n` });
    assert.deepEqual(sh('status', 'zoo.cfg'), { status: 0, stdout: `${found}Mode: standalone\n`, stderr: `Using config: ${cfgPath}\n` });
    // SERVER_JVMFLAGS' -D properties reach the server: only ruok (and srvr) are whitelisted.
    assert.equal(await fourLetterWord(port, 'ruok'), 'imok');
    assert.equal(await fourLetterWord(port, 'conf'), 'conf is not executed because it is not in the whitelist.\n');
    // The AdminServer is on by default, as in Apache.
    assert.ok(readFileSync(out, 'utf8').includes(`Started AdminServer on address 0.0.0.0, port ${adminPort} and command URL /commands`));

    const printCmd = sh('print-cmd');
    assert.equal(printCmd.status, 0);
    const tail = `" --max-semi-space-size=4 "${join(ROOT, 'dist/src/cli/zkServer.js')}" start-foreground "${cfgPath}" > "${out}" 2>&1 < /dev/null\n`;
    assert.ok(printCmd.stdout.startsWith('"') && printCmd.stdout.endsWith(tail), printCmd.stdout);
    assert.match(printCmd.stdout.substring(1, printCmd.stdout.length - tail.length), /node/, 'the node binary comes first');

    const version = sh('version');
    assert.equal(version.status, 0);
    assert.match(version.stdout, /^tszk, version \d+\.\d+\.\d+ \d{4}-\d\d-\d\d \d\d:\d\d UTC \(Apache ZooKeeper 3\.8\.0 compatible\)\n$/);

    assert.deepEqual(sh('restart'), {
      status: 0,
      stdout: 'Stopping zookeeper ... STOPPED\nStarting zookeeper ... STARTED\n',
      stderr: `Using config: ${cfgPath}\n`.repeat(3),
    });
    assert.ok(!alive(pid), 'the old server is gone');
    pid = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(alive(pid));
    assert.deepEqual(sh('status'), { status: 0, stdout: `${found}Mode: standalone\n`, stderr: `Using config: ${cfgPath}\n` });

    assert.deepEqual(sh('stop'), { status: 0, stdout: 'Stopping zookeeper ... STOPPED\n', stderr: `Using config: ${cfgPath}\n` });
    assert.ok(!existsSync(pidFile), 'stop removes the pid file');
    assert.ok(!alive(pid), 'stop ends the server');
    assert.deepEqual(sh('status'), notRunning);
    assert.deepEqual(sh('stop'), {
      status: 0,
      stdout: `Stopping zookeeper ... no zookeeper to stop (could not find file ${pidFile})\n`,
      stderr: `Using config: ${cfgPath}\n`,
    });
  } finally {
    if (pid !== 0 && alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('zkServer.sh: --config, a config given by path, start-foreground', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tszk-zkserver-sh-'));
  try {
    const confDir = join(dir, 'etc');
    mkdirSync(confDir);
    const port = await freePort();
    const cfg = join(dir, 'elsewhere.cfg');
    writeFileSync(cfg, `tickTime=2000\ndataDir=${join(dir, 'data')}\nclientPort=${port}\nadmin.enableServer=false\n`);
    const env: NodeJS.ProcessEnv = { ...process.env, ZOO_LOG_DIR: join(dir, 'logs') };
    delete env.ZOOCFGDIR;
    // A path with a directory is used as given; --config names the conf dir for bare names.
    const r = spawnSync(SCRIPT, ['--config', confDir, 'print-cmd', cfg], { env, encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.equal(r.stderr, `Using config: ${cfg}\n`);
    assert.ok(r.stdout.includes(` start-foreground "${cfg}" > `));
    writeFileSync(join(confDir, 'zoo.cfg'), readFileSync(cfg));
    const r2 = spawnSync(SCRIPT, ['--config', confDir, 'print-cmd'], { env, encoding: 'utf8' });
    assert.equal(r2.stderr, `Using config: ${join(confDir, 'zoo.cfg')}\n`);

    // start-foreground runs in the foreground with the console log, until SIGTERM.
    const { spawn } = await import('node:child_process');
    const child = spawn(SCRIPT, ['--config', confDir, 'start-foreground'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const end = Date.now() + 15000;
    while (!/Mode: standalone/.test(await fourLetterWord(port, 'srvr', '127.0.0.1', 500)) && Date.now() < end) {
      await new Promise((res) => setTimeout(res, 100));
    }
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(text, / - INFO {2}\[main\] - Reading configuration from: /);
    assert.match(text, / - INFO {2}\[main\] - Server stopped$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('zkServer.sh: bad input gets one line and the usage, never a stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tszk-zkserver-sh-'));
  try {
    const env = { ...process.env, ZOOCFGDIR: dir, ZOO_LOG_DIR: join(dir, 'logs') };
    const run = (...args: string[]): Run => {
      const r = spawnSync(SCRIPT, args, { env, encoding: 'utf8' });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    assert.deepEqual(run('bogus'), { status: 1, stdout: '', stderr: `Error: unknown command 'bogus'\n${USAGE}\n` });
    assert.deepEqual(run(), { status: 1, stdout: '', stderr: `Error: no command given\n${USAGE}\n` });
    for (const verb of ['start', 'status', 'stop', 'start-foreground', 'print-cmd']) {
      assert.deepEqual(run(verb, 'missing.cfg'), {
        status: 1,
        stdout: '',
        stderr: `Using config: ${join(dir, 'missing.cfg')}\nError: config file ${join(dir, 'missing.cfg')} is missing\n${USAGE}\n`,
      }, verb);
    }
    // The Node side on its own: the same discipline.
    const js = join(ROOT, 'dist/src/cli/zkServer.js');
    const node = (...args: string[]): Run => {
      const r = spawnSync(process.execPath, [js, ...args], { encoding: 'utf8' });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const usage = 'Usage: zkServer.js {start-foreground|status|version} [zoo.cfg]\n';
    assert.deepEqual(node('bogus'), { status: 2, stdout: '', stderr: `Error: unknown command bogus\n${usage}` });
    const missing = join(dir, 'none.cfg');
    assert.deepEqual(node('start-foreground', missing), { status: 2, stdout: '', stderr: `Error: config file ${missing} is missing\n${usage}` });
    assert.deepEqual(node('status', missing), { status: 1, stdout: '', stderr: `Error: config file ${missing} is missing\n${usage}` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
