/**
 * The Java programs of the tutorial tszk was made from (../shared/seed: "3.3 API 应用" and
 * "3.4 监听服务器节点动态上下线案例"), compiled with javac against Debian's ZooKeeper client and run
 * as written (test/interop/seed/*.java; only the connect string is a -D property), against tszk and
 * against Apache ZooKeeper 3.8, where they must behave the same.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, ZK_JARS, apacheInstalled, fourLetterWord, needApache, needJavac, startServer, type RunningServer } from '../helpers/servers.js';
import { connect } from '../../src/index.js';
import { LineProcess } from '../helpers/line-process.js';

const SOURCES = join(ROOT, 'test/interop/seed');

/** A Java program run with Debian's ZooKeeper client on the classpath. */
function javaProgram(classes: string, connectString: string, main: string, args: string[] = []): LineProcess {
  return new LineProcess('java', ['-Xmx64m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-cp', `${classes}:${ZK_JARS}`, `-DconnectString=${connectString}`, main, ...args]);
}

/** DistributeClient's "[a, b]" lines as sorted lists, consecutive repeats merged. */
function serverLists(lines: string[]): string[][] {
  const lists: string[][] = [];
  for (const l of lines) {
    const m = /^\[(.*)\]$/.exec(l);
    if (!m) continue;
    const list = m[1] === '' ? [] : m[1]!.split(', ').sort();
    if (lists.length === 0 || lists.at(-1)!.join() !== list.join()) lists.push(list);
  }
  return lists;
}

describe("the tutorial's Java examples, as written, against tszk and Apache ZooKeeper 3.8", () => {
  let classes = '';
  const javacInstalled = spawnSync('javac', ['-version'], { stdio: 'ignore' }).status === 0;
  before(() => {
    if (!apacheInstalled() || !javacInstalled) return;
    classes = mkdtempSync(join(tmpdir(), 'tszk-seed-java-'));
    const javac = spawnSync('javac', ['-nowarn', '-d', classes, '-cp', ZK_JARS, ...['DistributeServer', 'DistributeClient', 'ZkClientApi'].map((c) => join(SOURCES, `${c}.java`))], { encoding: 'utf8' });
    assert.equal(javac.status, 0, `javac failed:\n${javac.stderr}`);
  });
  after(() => {
    if (classes) rmSync(classes, { recursive: true, force: true });
  });

  for (const kind of ['tszk', 'apache'] as const) {
    it(`servers going online and offline are seen by the watching client (DistributeServer, DistributeClient) on ${kind}`, async (t) => {
      if (!needApache(t) || !needJavac(t)) return;
      // tickTime 500: the programs' 2000 ms sessions are allowed, and a killed server's expires soon.
      const server: RunningServer = await startServer(kind, { cfg: { tickTime: 500 } });
      const programs: LineProcess[] = [];
      const run = (main: string, ...args: string[]): LineProcess => {
        const p = javaProgram(classes, server.connectString, main, args);
        programs.push(p);
        return p;
      };
      try {
        // The tutorial creates /servers in zkCli first: `create /servers "servers"`.
        const cli = spawnSync(join(ROOT, 'bin/zkCli.sh'), ['-server', server.connectString, 'create', '/servers', 'servers'], { encoding: 'utf8', timeout: 30000 });
        assert.equal(cli.status, 0, cli.stderr);
        assert.match(cli.stderr, /^Created \/servers$/m);

        const client = run('DistributeClient');
        await client.waitFor((l) => l.includes('client is working ...') && serverLists(l).length === 1, 'the client starts and lists no server');
        const a = run('DistributeServer', 'hadoop102');
        await a.waitFor((l) => l.includes('hadoop102 is online /servers/server0000000000') && l.includes('hadoop102 is working ...'), 'hadoop102 registers');
        await client.waitFor((l) => serverLists(l).length === 2, 'the client sees hadoop102');
        const b = run('DistributeServer', 'hadoop103');
        await b.waitFor((l) => l.includes('hadoop103 is online /servers/server0000000001'), 'hadoop103 registers');
        await client.waitFor((l) => serverLists(l).length === 3, 'the client sees hadoop103');
        await a.kill();
        await client.waitFor((l) => serverLists(l).length === 4, 'the client sees hadoop102 go offline (its session expires)');
        await b.kill();
        await client.waitFor((l) => serverLists(l).length === 5, 'the client sees hadoop103 go offline');
        assert.deepEqual(serverLists(client.lines), [[], ['hadoop102'], ['hadoop102', 'hadoop103'], ['hadoop103'], []]);
      } finally {
        for (const p of programs) await p.kill();
        await server.stop();
      }
    });

    it(`the API section: create, getChildren with a watcher that re-arms itself, exists, on ${kind}`, async (t) => {
      if (!needApache(t) || !needJavac(t)) return;
      const server = await startServer(kind);
      const api = javaProgram(classes, server.connectString, 'ZkClientApi');
      const zk = await connect(server.connectString);
      try {
        await api.waitFor((l) => l.includes('done'), 'the API calls');
        const printed = api.lines.slice(0, api.lines.indexOf('done'));
        assert.deepEqual(printed.filter((l) => !l.includes('--')).sort(), ['not exist', 'qcx', 'zookeeper'], 'children of / and exists(/eclipse)');
        assert.equal((await zk.getData('/qcx')).data?.toString(), 'jinlian');
        // Each change of /'s children is printed, and the watcher sets the watch again each time.
        await api.waitFor((l) => l.includes('None--null'), 'the connection event');
        // The re-arming getChildren runs in the Java client's event thread: wait until the server
        // holds the watch again (the Java program's child watch on / is the only watch) before the
        // next change.
        const watched = async (): Promise<void> => {
          for (let i = 0; !/^zk_watch_count\t1$/m.test(await fourLetterWord(server.port, 'mntr')); i++) {
            if (i > 200) throw new Error('the watcher did not set the watch on / again');
            await new Promise((r) => setTimeout(r, 50));
          }
        };
        for (const [i, p] of ['/eclipse', '/other'].entries()) {
          await watched();
          await zk.create(p);
          await api.waitFor((l) => l.filter((x) => x === 'NodeChildrenChanged--/').length === i + 1, `event ${i + 1} for the children of /`);
        }
      } finally {
        await zk.close();
        await api.kill();
        await server.stop();
      }
    });
  }
});
