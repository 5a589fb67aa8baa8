/**
 * A fuzzy snapshot can hold a node created after the snapshot's ACL table was written, so its ACL
 * id is not in the table. Replaying the log's create for that node (NodeExists, no other effect)
 * must give the node the ACL the create carries, not leave it world-open.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataTree } from '../../src/tree/data-tree.js';
import { OpCode, Err } from '../../src/jute/constants.js';
import type { StatPersisted } from '../../src/tree/snapshot-types.js';

const stat = (zxid: bigint): StatPersisted => ({ czxid: zxid, mzxid: zxid, ctime: 1, mtime: 1, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, pzxid: zxid });
const SECRET = [{ perms: 31, id: { scheme: 'digest', id: 'alice:Pd5Ymj8z8h4nHYQYl2kk3CA6EFE=' } }];

test('replaying a create over a fuzzy snapshot node with an unknown ACL id restores its ACL', () => {
  const tree = new DataTree({ digestEnabled: false });
  const load = tree.loader();
  load.addAcl(1n, [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }]);
  load.addNode({ path: '', data: null, aclId: -1n, stat: stat(0n) });
  load.addNode({ path: '/zookeeper', data: null, aclId: -1n, stat: stat(0n) });
  load.addNode({ path: '/zookeeper/quota', data: null, aclId: -1n, stat: stat(0n) });
  load.addNode({ path: '/zookeeper/config', data: null, aclId: 1n, stat: stat(0n) });
  // ACL id 2 was added after the ACL table was written.
  load.addNode({ path: '/secret', data: Buffer.from('s'), aclId: 2n, stat: stat(5n) });
  load.finish();
  const id = tree.lookup('/secret');
  assert.ok(!tree.aclIsKnown(id), 'the snapshot left the ACL id dangling');
  const rc = tree.processTxn(
    { clientId: 1n, cxid: 1, zxid: 5n, time: 1, type: OpCode.create },
    { kind: 'create', path: '/secret', data: Buffer.from('s'), acl: SECRET, ephemeral: false, parentCVersion: 1 },
  );
  assert.equal(rc.err, Err.NodeExists);
  assert.deepEqual(tree.acl(id), SECRET);
  assert.equal(tree.version(id), 0, 'nothing else changed');
});
