/**
 * Shared by the admin tests: a client session that leaves the same state on any server (an
 * ephemeral, a node, data/exist/child watches), and a small HTTP GET.
 */
import { createRequire } from 'node:module';
import { request } from 'node:http';

interface ZkClient {
  once(event: 'connected', cb: () => void): void;
  connect(): void;
  close(): void;
  create(path: string, data: Buffer, mode: number, cb: (err: Error | null) => void): void;
  getData(path: string, watcher: () => void, cb: (err: Error | null) => void): void;
  exists(path: string, watcher: () => void, cb: (err: Error | null) => void): void;
  getChildren(path: string, watcher: () => void, cb: (err: Error | null) => void): void;
}
interface ZkModule {
  createClient(connectString: string, opts?: { sessionTimeout?: number }): ZkClient;
  CreateMode: { PERSISTENT: number; EPHEMERAL: number };
}

const zookeeper = createRequire(import.meta.url)('node-zookeeper-client') as ZkModule;

function call(fn: (cb: (err: Error | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));
}

/**
 * Connects and leaves: /eph (ephemeral), /p, a data watch on /p, an exists watch on /nope, a child
 * watch on /. Three txns (createSession, two creates): zxid 0x3 on a fresh server.
 */
export async function watchState(connectString: string): Promise<{ close(): void }> {
  const client = zookeeper.createClient(connectString, { sessionTimeout: 30000 });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no session with ${connectString}`)), 10000);
    client.once('connected', () => {
      clearTimeout(timer);
      resolve();
    });
    client.connect();
  });
  const none = (): void => undefined;
  await call((cb) => client.create('/eph', Buffer.from('x'), zookeeper.CreateMode.EPHEMERAL, cb));
  await call((cb) => client.create('/p', Buffer.from('y'), zookeeper.CreateMode.PERSISTENT, cb));
  await call((cb) => client.getData('/p', none, cb));
  await call((cb) => client.getChildren('/', none, cb));
  await new Promise<void>((resolve) => client.exists('/nope', none, () => resolve()));
  return { close: () => client.close() };
}

/**
 * A quota on /a as zkCli's setquota leaves it (limits and stats nodes under /zookeeper/quota/a),
 * then a node created under /a, which the server counts into the stats.
 */
export async function quotaState(connectString: string): Promise<void> {
  const client = zookeeper.createClient(connectString, { sessionTimeout: 30000 });
  await new Promise<void>((resolve) => {
    client.once('connected', () => resolve());
    client.connect();
  });
  try {
    const mk = (path: string, data: string): Promise<void> => call((cb) => client.create(path, Buffer.from(data), zookeeper.CreateMode.PERSISTENT, cb));
    await mk('/a', 'xy');
    await mk('/zookeeper/quota/a', '');
    await mk('/zookeeper/quota/a/zookeeper_limits', 'count=10,bytes=-1');
    await mk('/zookeeper/quota/a/zookeeper_stats', 'count=1,bytes=2');
    await mk('/a/b', 'abc');
  } finally {
    client.close();
  }
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function httpGet(port: number, path: string, method = 'GET'): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.setTimeout(10000, () => req.destroy(new Error(`GET ${path} timed out`)));
    req.end();
  });
}

/** The mntr keys of a Prometheus family: summaries avg_/min_/max_/cnt_/sum_(/pNN_) → their family. */
export function familyOfMonitorKey(key: string): { family: string; kind: 'summary' | 'scalar'; stat?: string } {
  const m = /^(avg|min|max|cnt|sum|p50|p95|p99|p999)_(.+)$/.exec(key);
  // Gauges named like a statistic exist (min_latency, max_latency, avg_latency, max_file_descriptor_count ...).
  if (m === null || ['avg_latency', 'min_latency', 'max_latency', 'max_file_descriptor_count', 'max_client_response_size',
    'min_client_response_size', 'max_proposal_size', 'min_proposal_size'].includes(key)) return { family: key, kind: 'scalar' };
  return { family: m[2], kind: 'summary', stat: m[1] };
}
