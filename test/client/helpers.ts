/**
 * Helpers of the client and recipe tests: servers on ports in the 24xxx range (tszk by default;
 * TSZK_CLIENT_SERVER=apache runs them against Debian's Apache ZooKeeper 3.8), clients that are
 * always closed, and small waiting utilities.
 */
import { createServer } from 'node:net';
import { before, after, type TestContext } from 'node:test';
import { startServer, apacheInstalled, type RunningServer, type ServerOptions } from '../helpers/servers.js';
import { connect, type ZooKeeperClient, type ConnectOptions } from '../../src/index.js';

export type ServerKind = 'tszk' | 'apache';

/** Which server the client tests run against. */
export function serverKind(): ServerKind {
  return process.env.TSZK_CLIENT_SERVER === 'apache' ? 'apache' : 'tszk';
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.unref();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A free port in 24000-24999. */
export async function port24(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const p = 24000 + Math.floor(Math.random() * 1000);
    if (await canBind(p)) return p;
  }
  throw new Error('no free port in 24000-24999');
}

/** Starts a server of the given kind on a 24xxx port (tickTime 200 so sessions expire quickly). */
export async function startTestServer(kind: ServerKind = serverKind(), opts: ServerOptions = {}): Promise<RunningServer> {
  const port = opts.port ?? (await port24());
  return startServer(kind, { ...opts, port, cfg: { tickTime: 200, maxSessionTimeout: 60000, ...opts.cfg } });
}

/** Skips loudly when Apache is needed but missing (fails under TSZK_REQUIRE_INTEROP=1). */
export function needServerKind(t: TestContext, kind: ServerKind): boolean {
  if (kind !== 'apache' || apacheInstalled()) return true;
  const msg = "SKIPPED: Debian's Apache ZooKeeper is not installed (/usr/share/zookeeper); this test did not run";
  if (process.env.TSZK_REQUIRE_INTEROP === '1') throw new Error(msg);
  console.warn(`\n*** ${msg} ***\n`);
  t.skip(msg);
  return false;
}

/** Tracks clients so a test can close them all. */
export class Clients {
  readonly all: ZooKeeperClient[] = [];
  constructor(readonly connectString: string) {}
  async open(opts: ConnectOptions = {}, connectString = this.connectString): Promise<ZooKeeperClient> {
    const c = await connect(connectString, { sessionTimeout: 10000, ...opts });
    this.all.push(c);
    return c;
  }
  async closeAll(): Promise<void> {
    await Promise.all(this.all.splice(0).map((c) => c.close().catch(() => undefined)));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `cond` holds (or throws after timeoutMs). */
export async function waitUntil(cond: () => boolean | Promise<boolean>, timeoutMs = 10000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await sleep(20);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Resolves with the next emission of an event (or rejects after timeoutMs). */
export function nextEvent<T extends unknown[]>(emitter: { once(ev: string, fn: (...a: T) => void): unknown }, ev: string, timeoutMs = 10000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${ev} within ${timeoutMs} ms`)), timeoutMs);
    emitter.once(ev, (...a: T) => {
      clearTimeout(t);
      resolve(a);
    });
  });
}

/**
 * For a describe block: a server of serverKind() started before its tests, and a pool of clients;
 * both closed after them. Read `server` and `clients` inside the tests.
 */
export function suiteServer(): { readonly server: RunningServer; readonly clients: Clients } {
  const ctx = {} as { server: RunningServer; clients: Clients };
  before(async () => {
    ctx.server = await startTestServer();
    ctx.clients = new Clients(ctx.server.connectString);
  });
  after(async () => {
    await ctx.clients?.closeAll();
    await ctx.server?.stop();
  });
  return ctx;
}
