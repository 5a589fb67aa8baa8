/**
 * tszk's bin/zkCli.sh (on tszk's own client) against a tszk server: the tutorial's commands in
 * one-shot mode, their output and exit codes, and bad input answered in one line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startTszk, freePort, ROOT } from '../helpers/servers.js';

test("tszk's zkCli.sh runs the tutorial's commands one at a time", async () => {
  const server = await startTszk();
  const cli = (...args: string[]) => {
    const r = spawnSync(join(ROOT, 'bin/zkCli.sh'), ['-server', server.connectString, ...args], { encoding: 'utf8', timeout: 30000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  try {
    let r = cli('create', '/test', 'node');
    assert.equal(r.code, 0);
    assert.match(r.err, /^Created \/test$/m);
    r = cli('get', '-s', '/test');
    assert.match(r.out, /^node\ncZxid = 0x[0-9a-f]+\nctime = .*\n(.*\n){8}numChildren = 0$/m);
    assert.match(r.out, /^WatchedEvent state:SyncConnected type:None path:null$/m);
    r = cli('create', '-e', '-s', '/x');
    assert.match(r.err, /^Created \/x0000000001$/m);
    r = cli('set', '/test', 'v2');
    assert.equal(r.code, 0);
    r = cli('stat', '/test');
    assert.match(r.out, /^dataVersion = 1$/m);
    r = cli('ls', '/');
    assert.match(r.out, /^\[test, zookeeper\]$/m, 'the ephemeral went with its session');
    // ls2, the tutorial's 3.4 command, which 3.8 dropped: children, then the stat.
    r = cli('ls2', '/');
    assert.equal(r.code, 0);
    assert.match(r.out, /^\[test, zookeeper\]\ncZxid = 0x0\n(.*\n){9}numChildren = 2$/m);
    assert.match(r.err, /^'ls2' has been deprecated\. Please use 'ls \[-s\] path' instead\.$/m);
    r = cli('deleteall', '/test');
    assert.equal(r.code, 0);
    r = cli('get', '/test');
    assert.equal(r.code, 1);
    assert.match(r.err, /^Node does not exist: \/test$/m);
    r = cli('frobnicate');
    assert.equal(r.code, 127);
    assert.match(r.err, /^Command not found: frobnicate$/m);
    assert.match(r.err, /^\tls \[-s\] \[-w\] \[-R\] path$/m, 'the usage follows');
    r = cli('ls', '-x', '/');
    assert.equal(r.code, 1);
    assert.match(r.err, /^Unrecognized option: -x$/m);
    r = cli('get', 'relative');
    assert.equal(r.code, 1);
    assert.match(r.err, /Path must start with \/ character/);
    for (const x of [r.err, cli('set', '-v', 'abc', '/a', 'b').err]) assert.doesNotMatch(x, /\n\s+at /, 'no stack trace');
  } finally {
    await server.stop();
  }
});

test("tszk's zkCli.sh with an unreachable server: one line, exit 1, no stack trace", async () => {
  const port = await freePort(); // nothing listens there
  for (const server of [`127.0.0.1:${port}`, 'nosuchhost.invalid:2181']) {
    const t0 = Date.now();
    const r = spawnSync(join(ROOT, 'bin/zkCli.sh'), ['-server', server, '-timeout', '1500', 'ls', '/'], { encoding: 'utf8', timeout: 30000 });
    assert.equal(r.status, 1, `${server}: ${r.stderr}`);
    assert.equal(r.stdout, `Connecting to ${server}\n`);
    assert.equal(r.stderr, 'KeeperErrorCode = ConnectionLoss for /\n', 'one line, as Java zkCli prints it');
    assert.ok(Date.now() - t0 < 20000, 'gives up after about the session timeout');
  }
});
