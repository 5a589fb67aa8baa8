import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandLine, splitCommandLine, CliParseError } from '../../src/cli/zkcli/cli-options.js';
import { aclLine, cliErrorMessage, parseAcl, permString, statLines, watchedEventText } from '../../src/cli/zkcli/format.js';
import { COMMAND_NAMES, usageLines } from '../../src/cli/zkcli/commands.js';
import { parseShellArgs } from '../../src/cli/zkcli/shell.js';
import { Err } from '../../src/jute/constants.js';

const S = { name: 's', hasArg: false, description: 'stats' };
const W = { name: 'w', hasArg: false, description: 'watch' };
const V = { name: 'v', hasArg: true, description: 'version' };

test('option parsing as commons-cli DefaultParser does it', () => {
  const cl = parseCommandLine(['get', '-s', '/a', '-w'], [S, W]);
  assert.deepEqual(cl.args, ['get', '/a']);
  assert.ok(cl.has('s') && cl.has('w'));
  assert.ok(parseCommandLine(['get', '-sw', '/a'], [S, W]).has('w'), 'concatenated flags');
  assert.equal(parseCommandLine(['set', '-v3', '/a', 'x'], [V]).value('v'), '3');
  assert.equal(parseCommandLine(['set', '-v', '-1', '/a', 'x'], [V]).value('v'), '-1', 'a negative number is a value');
  assert.deepEqual(parseCommandLine(['create', '/a', '-1'], [S]).args, ['create', '/a', '-1']);
  assert.deepEqual(parseCommandLine(['create', '--', '-x'], [S]).args, ['create', '-x']);
  assert.throws(() => parseCommandLine(['ls', '-x', '/'], [S]), (e: unknown) => e instanceof CliParseError && e.message === 'Unrecognized option: -x');
  assert.throws(() => parseCommandLine(['set', '/a', 'x', '-v'], [V]), /Missing argument for option: v/);
  const group = [{ names: ['n', 'b'], required: true }];
  const nb = [{ name: 'n', hasArg: true, description: 'num soft quota' }, { name: 'b', hasArg: true, description: 'bytes soft quota' }];
  assert.throws(() => parseCommandLine(['setquota', '/a'], nb, group), /Missing required option: \[-n num soft quota, -b bytes soft quota\]/);
  assert.throws(() => parseCommandLine(['setquota', '-n', '1', '-b', '2', '/a'], nb, group), /already been selected: 'n'/);
});

test("command lines split as ZooKeeperMain splits them, quotes kept together", () => {
  assert.deepEqual(splitCommandLine('  create /x "hello world"  '), ['create', '/x', 'hello world']);
  assert.deepEqual(splitCommandLine("set /x 'a b' "), ['set', '/x', 'a b']);
  assert.deepEqual(splitCommandLine('ls /'), ['ls', '/']);
  assert.deepEqual(splitCommandLine(''), []);
});

test('output formats: stat, ACLs, permissions, events, error messages', () => {
  process.env.TZ = 'UTC';
  const lines = statLines({ czxid: 2n, mzxid: 3n, ctime: 0, mtime: 1000, version: 1, cversion: 0, aversion: 0, ephemeralOwner: 0x100n, dataLength: 4, numChildren: 0, pzxid: 2n });
  assert.equal(lines[0], 'cZxid = 0x2');
  assert.match(lines[1], /^ctime = Thu Jan 01 00:00:00 \S+ 1970$/);
  assert.equal(lines[8], 'ephemeralOwner = 0x100');
  assert.equal(lines.length, 11);
  assert.equal(permString(31), 'cdrwa');
  assert.equal(aclLine({ perms: 31, id: { scheme: 'world', id: 'anyone' } }), "'world,'anyone\n: cdrwa");
  assert.equal(aclLine({ perms: 1, id: { scheme: 'ip', id: 'a,b}%\n' } }), "'ip,'a%2Cb%7D%25%0A\n: r");
  const errs: string[] = [];
  assert.deepEqual(parseAcl('digest:u:x:rw,bad,ip:1.2.3.4:q', (l) => errs.push(l)), [
    { perms: 3, id: { scheme: 'digest', id: 'u:x' } },
    { perms: 0, id: { scheme: 'ip', id: '1.2.3.4' } },
  ]);
  assert.deepEqual(errs, ['bad does not have the form scheme:id:perm', 'Unknown perm type: q']);
  assert.equal(watchedEventText({ type: -1, state: 3, path: null }), 'WatchedEvent state:SyncConnected type:None path:null');
  assert.equal(cliErrorMessage(Err.NoNode, '/x'), 'Node does not exist: /x');
  assert.equal(cliErrorMessage(Err.ConnectionLoss, '/x'), 'KeeperErrorCode = ConnectionLoss for /x');
});

test('the command set and usage are 3.8 zkCli\'s', () => {
  for (const c of ['addWatch', 'addauth', 'close', 'config', 'connect', 'create', 'delete', 'deleteall', 'delquota', 'get', 'getAcl', 'getAllChildrenNumber',
    'getEphemerals', 'history', 'listquota', 'ls', 'printwatches', 'quit', 'reconfig', 'redo', 'removewatches', 'rmr', 'set', 'setAcl', 'setquota', 'stat', 'sync', 'version', 'whoami']) {
    assert.ok(COMMAND_NAMES.includes(c), c);
  }
  const u = usageLines();
  assert.equal(u[0], 'ZooKeeper -server host:port -client-configuration properties-file cmd args');
  assert.ok(u.includes('\tls [-s] [-w] [-R] path'));
  assert.ok(u.includes('\tcreate [-s] [-e] [-c] [-t ttl] path [data] [acl]'));
  assert.deepEqual(parseShellArgs(['-server', 'h:1/app', '-timeout', '5000', '-r', 'ls', '/']), { server: 'h:1/app', timeout: 5000, readOnly: true, command: ['ls', '/'] });
  assert.equal(parseShellArgs(['-server']), 'Error: no argument found for option -server');
});
