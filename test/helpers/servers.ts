/**
 * Starting real servers for integration, interop and differential tests: Apache ZooKeeper 3.8
 * (Debian's `zookeeper` package) and tszk, each on a free port with a fresh dataDir.
 *
 * Tests that need Debian's packages call `needApache(t)` / `needKazoo(t)`: when the package is
 * missing they skip loudly, unless TSZK_REQUIRE_INTEROP=1 (set by .ci/run), where they fail.
 */
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { tmuxInstalled } from './terminal.js';

/** The project root (this file is at dist/test/helpers/servers.js once built). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const ZK_JARS = '/usr/share/java/zookeeper.jar:/usr/share/java/zookeeper-jute.jar';
/**
 * Netty jars Debian's zookeeper.jar manifest leaves out: without them Apache's Netty server and
 * client (needed for TLS) accept connections but never answer. Added to Apache's class path.
 */
export const NETTY_EXTRA_JARS = '/usr/share/java/netty-codec.jar:/usr/share/java/netty-resolver.jar';
export const ZK_CLI = '/usr/share/zookeeper/bin/zkCli.sh';
/** kazoo is installed for Debian's python, not for whatever python3 is first on PATH. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

export function apacheInstalled(): boolean {
  return existsSync('/usr/share/java/zookeeper.jar') && existsSync('/usr/share/java/zookeeper-jute.jar');
}

let kazooCache: boolean | undefined;
export function kazooInstalled(): boolean {
  if (kazooCache === undefined) {
    kazooCache = existsSync(SYSTEM_PYTHON) && spawnSync(SYSTEM_PYTHON, ['-c', 'import kazoo'], { stdio: 'ignore' }).status === 0;
  }
  return kazooCache;
}

function need(t: TestContext, ok: boolean, what: string, pkg: string): boolean {
  if (ok) return true;
  const msg = `SKIPPED: ${what} is not installed (apt-get install -y ${pkg}); this test did not run`;
  if (process.env.TSZK_REQUIRE_INTEROP === '1') throw new Error(`${what} is required in CI but missing`);
  process.stderr.write(`\n*** ${msg} ***\n`);
  t.skip(msg);
  return false;
}

/** True when Apache ZooKeeper can run; otherwise skips the test loudly (fails in CI). */
export function needApache(t: TestContext): boolean {
  return need(t, apacheInstalled(), "Debian's Apache ZooKeeper", 'zookeeper');
}
export function needKazoo(t: TestContext): boolean {
  return need(t, kazooInstalled(), 'kazoo (python3-kazoo)', 'python3-kazoo');
}
/** True when javac can compile Java programs (a JDK); otherwise skips loudly. */
export function needJavac(t: TestContext): boolean {
  return need(t, spawnSync('javac', ['-version'], { stdio: 'ignore' }).status === 0, 'javac (a JDK)', 'default-jdk-headless');
}
/** True when tmux can run (a real terminal for interactive tests); otherwise skips loudly. */
export function needTmux(t: TestContext): boolean {
  return need(t, tmuxInstalled(), 'tmux', 'tmux');
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** Sends a four-letter word and returns the whole answer ('' if the connection fails). */
export function fourLetterWord(port: number, word: string | Buffer, host = '127.0.0.1', timeoutMs = 2000): Promise<string> {
  return new Promise((resolveAnswer) => {
    const chunks: Buffer[] = [];
    const sock = netConnect(port, host);
    const timer = setTimeout(() => sock.destroy(), timeoutMs);
    sock.on('connect', () => sock.write(word));
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearTimeout(timer);
      resolveAnswer(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** Waits until the server serves requests: `srvr` shows a Mode line (ruok answers earlier than that). */
export async function waitForServing(port: number, timeoutMs = 30000, host = '127.0.0.1'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (/^Mode: /m.test(await fourLetterWord(port, 'srvr', host, 1000))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server on port ${port} was not serving (srvr) within ${timeoutMs} ms`);
}

export interface RunningServer {
  kind: 'apache' | 'tszk';
  port: number;
  /** host:port for clients. */
  connectString: string;
  dir: string;
  dataDir: string;
  cfgPath: string;
  process: ChildProcess;
  /** Everything the server printed so far. */
  output(): string;
  /** SIGTERM, wait for exit; removes the directory unless keepDir. */
  stop(opts?: { keepDir?: boolean }): Promise<void>;
  /** SIGKILL: a crash. Keeps the directory so a restart can reuse it. */
  kill(): Promise<void>;
}

export interface ServerOptions {
  /** Extra zoo.cfg lines, e.g. { maxSessionTimeout: '60000' }. */
  cfg?: Record<string, string | number>;
  /** Reuse this directory (and its data) instead of a fresh one, e.g. to restart after kill(). */
  dir?: string;
  port?: number;
  /** -D system properties, passed as Apache's scripts pass SERVER_JVMFLAGS. */
  systemProps?: Record<string, string>;
  env?: Record<string, string>;
  /** Apache only: JVM flags instead of the defaults, which favour a quick start over speed. */
  jvmFlags?: string[];
}

function writeConfig(dir: string, port: number, cfg: Record<string, string | number> = {}): { cfgPath: string; dataDir: string } {
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const lines: Record<string, string | number> = {
    tickTime: 2000,
    initLimit: 10,
    syncLimit: 5,
    dataDir,
    clientPort: port,
    maxClientCnxns: 0,
    '4lw.commands.whitelist': '*',
    'admin.enableServer': 'false',
    extendedTypesEnabled: 'true',
    ...cfg,
  };
  const cfgPath = join(dir, 'zoo.cfg');
  writeFileSync(cfgPath, Object.entries(lines).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  return { cfgPath, dataDir };
}

async function launch(kind: 'apache' | 'tszk', opts: ServerOptions): Promise<RunningServer> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), `tszk-${kind}-`));
  let port = opts.port;
  let cfgPath = join(dir, 'zoo.cfg');
  let dataDir = join(dir, 'data');
  if (opts.dir && existsSync(cfgPath) && port === undefined) {
    port = Number(/^clientPort=(\d+)$/m.exec(readFileSync(cfgPath, 'utf8'))?.[1]);
  } else {
    port ??= await freePort();
    ({ cfgPath, dataDir } = writeConfig(dir, port, opts.cfg));
  }
  const props = Object.entries(opts.systemProps ?? {}).map(([k, v]) => `-D${k}=${v}`);
  let child: ChildProcess;
  if (kind === 'apache') {
    const args = [...(opts.jvmFlags ?? ['-Xmx512m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1']), '-cp', `/etc/zookeeper/conf_example:${ZK_JARS}:${NETTY_EXTRA_JARS}`,
      '-Dzookeeper.extendedTypesEnabled=true', ...props, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', cfgPath];
    child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, ...opts.env } });
  } else {
    const env = { ...process.env, ...opts.env, SERVER_JVMFLAGS: [process.env.SERVER_JVMFLAGS ?? '', ...props].join(' ').trim() };
    child = spawn(process.execPath, [join(ROOT, 'dist/src/cli/zkServer.js'), 'start-foreground', cfgPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env,
    });
  }
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const signal = async (sig: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid!, sig);
    } catch {
      /* already gone */
    }
    const hard = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, 10000);
    await exited;
    clearTimeout(hard);
  };
  const server: RunningServer = {
    kind,
    port,
    connectString: `127.0.0.1:${port}`,
    dir,
    dataDir,
    cfgPath,
    process: child,
    output: () => out,
    stop: async (o) => {
      await signal('SIGTERM');
      if (!o?.keepDir) rmSync(dir, { recursive: true, force: true });
    },
    kill: () => signal('SIGKILL'),
  };
  try {
    await Promise.race([
      waitForServing(port, kind === 'apache' ? 60000 : 20000),
      exited.then(() => {
        throw new Error(`${kind} server exited during start-up:\n${out}`);
      }),
    ]);
  } catch (e) {
    await server.stop({ keepDir: !!opts.dir });
    throw e;
  }
  return server;
}

export function startApache(opts: ServerOptions = {}): Promise<RunningServer> {
  return launch('apache', opts);
}

/** Starts tszk as a user would: `bin/zkServer.sh start-foreground` semantics, built code in dist/. */
export function startTszk(opts: ServerOptions = {}): Promise<RunningServer> {
  return launch('tszk', opts);
}

export function startServer(kind: 'apache' | 'tszk', opts: ServerOptions = {}): Promise<RunningServer> {
  return launch(kind, opts);
}
