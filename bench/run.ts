/**
 * `npm run bench`: tszk's client against node-zookeeper-client, and tszk's server against Apache
 * ZooKeeper 3.8 (when Debian's `zookeeper` package is installed), in one session on one machine.
 *
 *   npm run bench -- [--seconds 3] [--rounds 3] [--inflight 64] [--servers tszk,apache]
 *
 * Both servers run side by side but only one is loaded at a time; rounds interleave
 * (server × client × op), so drift on a noisy machine hits every cell alike. Each cell keeps
 * `inflight` requests outstanding on one session for `seconds`, on 100 znodes of 100 bytes; it
 * records requests per second and the server's CPU time per request (from /proc). The report gives
 * medians over rounds, and ratios: tszk client / node-zookeeper-client on the same server, and
 * tszk server / Apache server with the same client. Ratios, not absolute numbers, are what a
 * shared machine can tell.
 *
 * The full Java-client comparison (many clients, create too) is ../shared/bench/compare.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { connect, type ZooKeeperClient } from '../src/index.js';
import { apacheInstalled, startServer, type RunningServer } from '../test/helpers/servers.js';

type ServerKind = 'tszk' | 'apache';
type ClientKind = 'tszk' | 'node-zookeeper-client';
type Op = 'getData' | 'setData';

const NODES = 100;
const DATA = Buffer.alloc(100, 'x');

interface Options {
  seconds: number;
  rounds: number;
  inflight: number;
  servers: ServerKind[];
}

function parseArgs(argv: string[]): Options {
  const o: Options = { seconds: 3, rounds: 3, inflight: 64, servers: ['tszk', 'apache'] };
  for (let i = 0; i < argv.length; i += 2) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (v === undefined) throw new Error(`${k}: a value is missing`);
    if (k === '--seconds') o.seconds = Number(v);
    else if (k === '--rounds') o.rounds = Number(v);
    else if (k === '--inflight') o.inflight = Number(v);
    else if (k === '--servers') o.servers = v.split(',') as ServerKind[];
    else throw new Error(`unknown option ${k} (--seconds, --rounds, --inflight, --servers)`);
  }
  for (const s of o.servers) if (s !== 'tszk' && s !== 'apache') throw new Error(`--servers: unknown server ${s}`);
  if (!(o.seconds > 0 && o.rounds >= 1 && o.inflight >= 1)) throw new Error('--seconds, --rounds and --inflight must be positive');
  return o;
}

/** The one operation a bench loop repeats; resolves when the reply is in. */
interface BenchClient {
  call(op: Op, path: string): Promise<void>;
  close(): Promise<void>;
}

async function tszkClient(connectString: string): Promise<BenchClient> {
  const zk: ZooKeeperClient = await connect(connectString, { sessionTimeout: 30000 });
  return {
    call: async (op, path) => {
      if (op === 'getData') await zk.getData(path);
      else await zk.setData(path, DATA);
    },
    close: () => zk.close(),
  };
}

/** The part of node-zookeeper-client's callback API the bench uses (it ships no types). */
interface Nzc {
  once(event: 'connected', cb: () => void): void;
  connect(): void;
  close(): void;
  getData(path: string, cb: (err: Error | null) => void): void;
  setData(path: string, data: Buffer, version: number, cb: (err: Error | null) => void): void;
}

async function nzcClient(connectString: string): Promise<BenchClient> {
  const lib = createRequire(import.meta.url)('node-zookeeper-client') as { createClient(cs: string, o: object): Nzc };
  const zk = lib.createClient(connectString, { sessionTimeout: 30000 });
  await new Promise<void>((resolve) => {
    zk.once('connected', resolve);
    zk.connect();
  });
  const done = (resolve: () => void, reject: (e: Error) => void) => (err: Error | null) => (err ? reject(err) : resolve());
  return {
    call: (op, path) =>
      new Promise<void>((resolve, reject) => {
        if (op === 'getData') zk.getData(path, done(resolve, reject));
        else zk.setData(path, DATA, -1, done(resolve, reject));
      }),
    close: async () => zk.close(),
  };
}

const openClient = (c: ClientKind, connectString: string): Promise<BenchClient> =>
  c === 'tszk' ? tszkClient(connectString) : nzcClient(connectString);

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.substring(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks; USER_HZ is 100 on Linux
}

interface Cell {
  opsPerSec: number;
  cpuUsPerOp: number;
}

async function runCell(client: BenchClient, op: Op, s: RunningServer, o: Options): Promise<Cell> {
  const pid = s.process.pid!; // the JVM or node process itself: both are spawned directly
  const loop = async (until: number, count: { n: number }, k: number): Promise<void> => {
    for (let i = k; performance.now() < until; i += o.inflight) {
      await client.call(op, `/bench/n${i % NODES}`);
      count.n++;
    }
  };
  const count = { n: 0 };
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: o.inflight }, (_, k) => loop(t0 + o.seconds * 1000, count, k)));
  const secs = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(pid) - cpu0;
  return { opsPerSec: count.n / secs, cpuUsPerOp: (cpu * 1e6) / count.n };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (x: number, digits = 0): string => x.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ratio = (a: number[], b: number[]): string => {
  const rs = a.map((x, i) => x / b[i]!);
  return `${median(rs).toFixed(2)}× [${Math.min(...rs).toFixed(2)}..${Math.max(...rs).toFixed(2)}]`;
};

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (o.servers.includes('apache') && !apacheInstalled()) {
    console.warn("*** Apache ZooKeeper is not installed (apt-get install -y zookeeper): benchmarking tszk's server only ***");
    o.servers = o.servers.filter((s) => s !== 'apache');
  }
  const clients: ClientKind[] = ['tszk', 'node-zookeeper-client'];
  const ops: Op[] = ['getData', 'setData'];
  const servers = new Map<ServerKind, RunningServer>();
  const results = new Map<string, Cell[]>();
  const key = (s: ServerKind, c: ClientKind, op: Op): string => `${s}|${c}|${op}`;
  console.log(`bench: ${o.rounds} rounds × ${o.seconds} s per cell, ${o.inflight} requests in flight, ${NODES} znodes of ${DATA.length} bytes`);
  try {
    for (const s of o.servers) {
      // Apache with the JVM flags of ../shared/bench/compare (the test defaults cap its JIT).
      const server = await startServer(s, { cfg: { 'admin.enableServer': 'false' }, jvmFlags: ['-Xmx2g'] });
      servers.set(s, server);
      const zk = await connect(server.connectString);
      await zk.create('/bench');
      for (let i = 0; i < NODES; i++) await zk.create(`/bench/n${i}`, DATA);
      await zk.close();
    }
    // Warm-up: every cell once, unmeasured (the JVM compiles its hot paths, V8 too).
    for (const server of servers.values()) {
      for (const c of clients) {
        const client = await openClient(c, server.connectString);
        for (const op of ops) await runCell(client, op, server, o);
        await client.close();
      }
    }
    for (let r = 0; r < o.rounds; r++) {
      for (const [s, server] of servers) {
        for (const c of clients) {
          const client = await openClient(c, server.connectString);
          try {
            for (const op of ops) {
              const cell = await runCell(client, op, server, o);
              results.set(key(s, c, op), [...(results.get(key(s, c, op)) ?? []), cell]);
              console.log(`  round ${r + 1}: ${s} server, ${c} client, ${op}: ${fmt(cell.opsPerSec)} req/s, server CPU ${fmt(cell.cpuUsPerOp, 1)} µs/req`);
            }
          } finally {
            await client.close();
          }
        }
      }
    }
  } finally {
    for (const server of servers.values()) await server.stop();
  }

  const get = (s: ServerKind, c: ClientKind, op: Op, f: keyof Cell): number[] => (results.get(key(s, c, op)) ?? []).map((x) => x[f]);
  console.log('\nmedians over rounds [range of per-round ratios]');
  for (const s of servers.keys()) {
    for (const op of ops) {
      const t = get(s, 'tszk', op, 'opsPerSec');
      const n = get(s, 'node-zookeeper-client', op, 'opsPerSec');
      console.log(`  ${s} server, ${op}: tszk client ${fmt(median(t))} req/s, node-zookeeper-client ${fmt(median(n))} req/s: client ratio ${ratio(t, n)}`);
    }
  }
  if (servers.has('tszk') && servers.has('apache')) {
    for (const op of ops) {
      const tt = get('tszk', 'tszk', op, 'opsPerSec');
      const at = get('apache', 'tszk', op, 'opsPerSec');
      const tc = get('tszk', 'tszk', op, 'cpuUsPerOp');
      const ac = get('apache', 'tszk', op, 'cpuUsPerOp');
      console.log(`  ${op}, tszk server / Apache server (tszk client): throughput ${ratio(tt, at)}, server CPU per request ${ratio(tc, ac)}`);
    }
  }
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
