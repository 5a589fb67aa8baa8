/** Differential cases: znode kinds: sequential, ephemeral, container, TTL. */
import type { Case } from '../lib/differential.js';

const c = (area: string, name: string, steps: Case['steps'], extra: Partial<Case> = {}): Case => ({ name: `${area}/${name}`, area, steps, ...extra });

const sequential: Case[] = [
  c('sequential', 'numbering-%010d', [
    { op: 'create', path: '/s', expect: 'Ok' },
    { op: 'create', path: '/s/n-', flags: 'PS', expect: 'Ok' },
    { op: 'create', path: '/s/n-', flags: 'PS' },
    { op: 'create2', path: '/s/m-', flags: 'PS' },
    { op: 'create', path: '/s/', flags: 'PS' },
    { op: 'getChildren2', path: '/s' },
  ]),
  c('sequential', 'counter-is-parent-cversion-after-deletes', [
    { op: 'create', path: '/s' },
    { op: 'create', path: '/s/a' },
    { op: 'create', path: '/s/b' },
    { op: 'delete', path: '/s/a' },
    { op: 'create', path: '/s/q', flags: 'PS' },
    { op: 'delete', path: '/s/b' },
    { op: 'create', path: '/s/q', flags: 'PS' },
    { op: 'getChildren2', path: '/s' },
  ]),
  c('sequential', 'counter-unchanged-by-setData-and-failed-creates', [
    { op: 'create', path: '/s' },
    { op: 'create', path: '/s/q', flags: 'PS' },
    { op: 'setData', path: '/s', data: 'x' },
    { op: 'create', path: '/s/q0000000000', expect: 'NodeExists' },
    { op: 'create', path: '/s/q', flags: 'PS' },
    { op: 'exists', path: '/s' },
  ]),
  c('sequential', 'ephemeral-sequential', [
    { op: 'create', path: '/s' },
    { op: 'create', path: '/s/e-', flags: 'ES', expect: 'Ok' },
    { op: 'create2', path: '/s/e-', flags: 'ES' },
    { op: 'getEphemerals', path: '/s' },
    { connect: 'b' },
    { s: 'b', op: 'create', path: '/s/e-', flags: 'ES' },
    { s: 'b', op: 'closeSession' },
    { op: 'getChildren2', path: '/s' },
    { op: 'create', path: '/s/e-', flags: 'ES' },
  ]),
  c('sequential', 'name-collision-with-explicit-node', [
    { op: 'create', path: '/s' },
    { op: 'create', path: '/s/q0000000000' },
    { op: 'create', path: '/s/q', flags: 'PS', expect: 'Ok' },
    { op: 'create', path: '/s/x' },
    { op: 'create', path: '/s/x0000000004' },
    { op: 'create', path: '/s/x', flags: 'PS', expect: 'NodeExists' },
    { op: 'create', path: '/s/x', flags: 'PS' },
    { op: 'getChildren2', path: '/s' },
  ]),
  c('sequential', 'in-multi', [
    { op: 'create', path: '/s' },
    { op: 'multi', ops: [{ op: 'create', path: '/s/m', flags: 'PS' }, { op: 'create', path: '/s/m', flags: 'PS' }, { op: 'create2', path: '/s/m', flags: 'ES' }] },
    { op: 'getChildren2', path: '/s' },
  ]),
  c('sequential', 'in-failed-multi-does-not-advance', [
    { op: 'create', path: '/s' },
    { op: 'multi', ops: [{ op: 'create', path: '/s/m', flags: 'PS' }, { op: 'create', path: '/nope/x' }] },
    { op: 'create', path: '/s/m', flags: 'PS' },
    { op: 'getChildren2', path: '/s' },
  ]),
  c('sequential', 'under-root-of-case-with-sequential-parent', [
    { op: 'create', path: '/p-', flags: 'PS' },
    { op: 'create', path: '/p-0000000000/c-', flags: 'PS' },
    { op: 'getChildren', path: '/' },
    { op: 'getChildren', path: '/p-0000000000' },
  ]),
  c('sequential', 'sequential-parent-missing', [
    { op: 'create', path: '/nope/q', flags: 'PS', expect: 'NoNode' },
    { op: 'create', path: '/nope/q', flags: 'ES', expect: 'NoNode' },
  ]),
  c('sequential', 'ttl-sequential', [
    { op: 'create', path: '/s' },
    { op: 'createTTL', path: '/s/t-', flags: 'TTLS', ttl: 100000, expect: 'Ok' },
    { op: 'createTTL', path: '/s/t-', flags: 'TTLS', ttl: 100000 },
    { op: 'getChildren2', path: '/s' },
  ]),
];

const ephemeral: Case[] = [
  c('ephemeral', 'owner-and-no-children', [
    { op: 'create', path: '/e', flags: 'E', data: 'eph', expect: 'Ok' },
    { op: 'exists', path: '/e' },
    { op: 'create', path: '/e/c', expect: 'NoChildrenForEphemerals' },
    { op: 'create', path: '/e/c', flags: 'E', expect: 'NoChildrenForEphemerals' },
    { op: 'create', path: '/e/c', flags: 'PS', expect: 'NoChildrenForEphemerals' },
    { op: 'create2', path: '/e/c', flags: 'C', expect: 'NoChildrenForEphemerals' },
  ]),
  c('ephemeral', 'deleted-on-closeSession-with-watches', [
    { connect: 'b' },
    { s: 'b', op: 'create', path: '/e1', flags: 'E' },
    { s: 'b', op: 'create', path: '/e2', flags: 'E' },
    { op: 'exists', path: '/e1', watch: true },
    { op: 'getChildren', path: '/', watch: true },
    { s: 'b', op: 'closeSession', expect: 'Ok', unordered: true },
    { op: 'getChildren2', path: '/' },
  ]),
  c('ephemeral', 'another-session-may-delete', [
    { connect: 'b' },
    { s: 'b', op: 'create', path: '/e', flags: 'E' },
    { op: 'delete', path: '/e', expect: 'Ok' },
    { s: 'b', op: 'getEphemerals', path: '/' },
    { s: 'b', op: 'closeSession' },
  ]),
  c('ephemeral', 'getEphemerals-prefixes', [
    { op: 'create', path: '/p' },
    { op: 'create', path: '/p/e1', flags: 'E' },
    { op: 'create', path: '/p/e2', flags: 'E' },
    { op: 'create', path: '/pe', flags: 'E' },
    { op: 'create', path: '/q', flags: 'ES' },
    { op: 'getEphemerals', path: '/' },
    { op: 'getEphemerals', path: '/p' },
    { op: 'getEphemerals', path: '/p/' },
    { op: 'getEphemerals', path: '/p/e' },
    { op: 'getEphemerals', path: '/zzz' },
    { connect: 'b' },
    { s: 'b', op: 'getEphemerals', path: '/' },
  ]),
  c('ephemeral', 'getEphemerals-of-whole-server-root', [
    { op: 'create', path: '/e', flags: 'E' },
    { op: 'getEphemerals', path: '!/' },
    { op: 'getEphemerals', path: '!' },
    { op: 'getEphemerals', path: '!nope' },
  ]),
  c('ephemeral', 'setData-on-ephemeral-keeps-owner', [
    { op: 'create', path: '/e', flags: 'E' },
    { op: 'setData', path: '/e', data: 'x' },
    { op: 'setACL', path: '/e', acl: 'world:anyone:31' },
    { op: 'exists', path: '/e' },
  ]),
  c('ephemeral', 'survive-reattach', [
    { connect: 'b' },
    { s: 'b', op: 'create', path: '/e', flags: 'E' },
    { drop: 'b' },
    { op: 'exists', path: '/e' },
    { reattach: 'b' },
    { s: 'b', op: 'getEphemerals', path: '/' },
    { op: 'exists', path: '/e' },
  ]),
];

const container: Case[] = [
  c('container', 'create-and-stat', [
    { op: 'createContainer', path: '/c', data: 'd', expect: 'Ok' },
    { op: 'exists', path: '/c' },
    { op: 'create', path: '/c2', flags: 'C', expect: 'Ok' },
    { op: 'create2', path: '/c3', flags: 'C' },
    { op: 'getData', path: '/c3' },
  ]),
  c('container', 'reaped-after-last-child-deleted', [
    { op: 'createContainer', path: '/c' },
    { op: 'create', path: '/c/x' },
    { op: 'exists', path: '/c', watch: true },
    { op: 'delete', path: '/c/x' },
    { waitEvent: 'a', type: 'NodeDeleted', path: '/c' },
    { op: 'exists', path: '/c', expect: 'NoNode' },
    { op: 'getChildren2', path: '/' },
  ]),
  c('container', 'never-used-container-not-reaped', [
    { op: 'createContainer', path: '/c' },
    { sleep: 1200 },
    { op: 'exists', path: '/c', expect: 'Ok' },
  ]),
  c('container', 'container-with-child-kept', [
    { op: 'createContainer', path: '/c' },
    { op: 'create', path: '/c/x' },
    { sleep: 1000 },
    { op: 'getChildren2', path: '/c' },
  ]),
  c('container', 'nested-containers-reaped-bottom-up', [
    { op: 'createContainer', path: '/c' },
    { op: 'createContainer', path: '/c/d' },
    { op: 'create', path: '/c/d/x' },
    { op: 'exists', path: '/c', watch: true },
    { op: 'delete', path: '/c/d/x' },
    { waitEvent: 'a', type: 'NodeDeleted', path: '/c', timeoutMs: 15000 },
    { op: 'getChildren2', path: '/' },
  ]),
  c('container', 'ephemeral-child-session-closed', [
    { op: 'createContainer', path: '/c' },
    { connect: 'b' },
    { s: 'b', op: 'create', path: '/c/e', flags: 'ES' },
    { op: 'getChildren', path: '/c', watch: true },
    { op: 'exists', path: '/c', watch: true },
    { s: 'b', op: 'closeSession' },
    { waitEvent: 'a', type: 'NodeDeleted', path: '/c' },
  ]),
  c('container', 'delete-container-explicitly', [
    { op: 'createContainer', path: '/c' },
    { op: 'create', path: '/c/x' },
    { op: 'delete', path: '/c', expect: 'NotEmpty' },
    { op: 'delete', path: '/c/x' },
    { op: 'delete', path: '/c' },
  ]),
  c('container', 'createContainer-with-wrong-flags', [
    { op: 'createContainer', path: '/c', flags: 'P' },
    { op: 'createContainer', path: '/c2', flags: 'E' },
    { op: 'createContainer', path: '/c3', flags: 'PS' },
    { op: 'getChildren', path: '/' },
  ]),
  c('container', 'deleteContainer-opcode-from-client', [
    { op: 'createContainer', path: '/c' },
    { op: 'deleteContainer', path: '/c' },
    { op: 'create', path: '/p' },
    { op: 'deleteContainer', path: '/p' },
    { op: 'deleteContainer', path: '/nope' },
    { op: 'getChildren', path: '/' },
  ]),
];

const ttl: Case[] = [
  c('ttl', 'create-and-stat', [
    { op: 'createTTL', path: '/t', ttl: 600000, data: 'x', expect: 'Ok' },
    { op: 'exists', path: '/t' },
    { op: 'getData', path: '/t' },
    { op: 'createTTL', path: '/t', ttl: 600000, expect: 'NodeExists' },
  ]),
  c('ttl', 'bad-ttl-values-and-flags', [
    { op: 'createTTL', path: '/t0', ttl: 0, expect: 'BadArguments' },
    { op: 'createTTL', path: '/t1', ttl: -5, expect: 'BadArguments' },
    { op: 'createTTL', path: '/t2', ttl: 0xffffffffff + 1 },
    { op: 'createTTL', path: '/t3', ttl: 0xffffffffff },
    { op: 'createTTL', path: '/t4', ttl: 1000, flags: 'P', expect: 'BadArguments' },
    { op: 'createTTL', path: '/t5', ttl: 1000, flags: 'E', expect: 'BadArguments' },
    { op: 'createTTL', path: '/t6', ttl: 1000, flags: 'C', expect: 'BadArguments' },
    { op: 'create', path: '/t7', flags: 'TTL', expect: 'BadArguments' },
    { op: 'create2', path: '/t8', flags: 'TTLS', expect: 'BadArguments' },
    { op: 'create', path: '/t9', flags: 7 },
    { op: 'create', path: '/t10', flags: -1 },
    { op: 'getChildren', path: '/' },
  ]),
  c('ttl', 'expires-when-childless', [
    { op: 'createTTL', path: '/t', ttl: 300 },
    { op: 'exists', path: '/t', watch: true },
    { waitEvent: 'a', type: 'NodeDeleted', path: '/t', timeoutMs: 10000 },
    { op: 'exists', path: '/t', expect: 'NoNode' },
  ]),
  c('ttl', 'kept-while-it-has-children', [
    { op: 'createTTL', path: '/t', ttl: 200 },
    { op: 'create', path: '/t/c' },
    { sleep: 1200 },
    { op: 'exists', path: '/t', expect: 'Ok' },
    { op: 'exists', path: '/t', watch: true },
    { op: 'delete', path: '/t/c' },
    { waitEvent: 'a', type: 'NodeDeleted', path: '/t' },
  ]),
  c('ttl', 'setData-postpones-expiry', [
    { op: 'createTTL', path: '/t', ttl: 3000 },
    { sleep: 2000 },
    { op: 'setData', path: '/t', data: 'touch' },
    { sleep: 2000 },
    { op: 'exists', path: '/t', watch: true, expect: 'Ok' },
    { waitEvent: 'a', type: 'NodeDeleted', path: '/t', timeoutMs: 10000 },
  ]),
  c('ttl', 'in-multi', [
    { op: 'multi', ops: [{ op: 'createTTL', path: '/t', ttl: 600000 }, { op: 'createTTL', path: '/t-', ttl: 600000, flags: 'TTLS' }] },
    { op: 'multi', ops: [{ op: 'createTTL', path: '/u', ttl: 0 }] },
    { op: 'getChildren', path: '/' },
  ]),
];

const extended: Case[] = [
  c('ttl', 'disabled-without-extendedTypesEnabled', [
    { op: 'createTTL', path: '/t', ttl: 1000 },
    { op: 'create', path: '/t', flags: 'TTL' },
    { op: 'createContainer', path: '/c', expect: 'Ok' },
    { op: 'getChildren', path: '/' },
  ], { config: 'noExtended' }),
];

export const cases: Case[] = [...sequential, ...ephemeral, ...container, ...ttl, ...extended];
