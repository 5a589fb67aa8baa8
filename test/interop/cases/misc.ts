/** Differential cases: the remaining opcodes (sync, getAllChildrenNumber, getEphemerals, whoAmI,
 *  reconfig, sasl, check, unknown opcodes), quotas, jute.maxbuffer and malformed frames. */
import type { Case } from '../lib/differential.js';

const c = (area: string, name: string, steps: Case['steps'], extra: Partial<Case> = {}): Case => ({ name: `${area}/${name}`, area, steps, ...extra });

/** A request frame in hex: length, xid, type, body. */
function frameHex(xid: number, type: number, bodyHex = ''): string {
  const b = Buffer.alloc(12);
  b.writeInt32BE(xid, 4);
  b.writeInt32BE(type, 8);
  // The length is filled in by the runner (<LEN>) once <S:...> tokens are expanded.
  return '<LEN>' + b.subarray(4).toString('hex') + bodyHex;
}
function ustr(s: string): string {
  const b = Buffer.from(s, 'utf8');
  const l = Buffer.alloc(4);
  l.writeInt32BE(b.length);
  return l.toString('hex') + b.toString('hex');
}

const ops: Case[] = [
  c('ops', 'getAllChildrenNumber', [
    { op: 'create', path: '/a' },
    { op: 'create', path: '/a/b' },
    { op: 'create', path: '/a/b/c' },
    { op: 'create', path: '/a/d', flags: 'E' },
    { op: 'getAllChildrenNumber', path: '/', expect: 'Ok' },
    { op: 'getAllChildrenNumber', path: '/a' },
    { op: 'getAllChildrenNumber', path: '/a/b/c' },
    { op: 'getAllChildrenNumber', path: '/nope', expect: 'NoNode' },
    { op: 'getAllChildrenNumber', path: '!relative' },
    { op: 'getAllChildrenNumber', path: '/a/' },
  ]),
  c('ops', 'sync', [
    { op: 'sync', path: '/', expect: 'Ok' },
    { op: 'sync', path: '/nope' },
    { op: 'sync', path: '!' },
    { op: 'create', path: '/x' },
    { op: 'sync', path: '/x' },
  ]),
  c('ops', 'check-top-level', [
    { op: 'create', path: '/x' },
    { op: 'check', path: '/x', version: 3, expect: 'BadVersion' },
    { op: 'check', path: '/nope', version: 0, expect: 'NoNode' },
    { op: 'check', path: '!relative', version: 0 },
    { op: 'exists', path: '/x' },
  ]),
  c('ops', 'check-top-level-success', [
    { op: 'create', path: '/x' },
    { op: 'check', path: '/x', version: 0, replyTimeoutMs: 1000 },
    { op: 'check', path: '/x', version: -1, replyTimeoutMs: 1000 },
    { op: 'exists', path: '/x' },
  ]),
  c('ops', 'reconfig-standalone', [
    { op: 'reconfig', joining: 'server.2=127.0.0.1:2888:3888;2181', expect: 'ReconfigDisabled' },
    { op: 'reconfig', leaving: '1' },
    { op: 'reconfig', members: 'server.1=127.0.0.1:2888:3888;2181' },
    { op: 'reconfig' },
    { op: 'exists', path: '/' },
  ]),
  c('ops', 'reconfig-as-super', [
    { op: 'auth', scheme: 'digest', auth: 'super:secret' },
    { op: 'reconfig', joining: 'server.2=127.0.0.1:2888:3888;2181' },
    { op: 'exists', path: '/' },
  ]),
  c('ops', 'sasl-without-sasl-configured', [
    { op: 'sasl', token: 'hello' },
    { op: 'sasl', token: null },
    { op: 'exists', path: '/' },
    { op: 'whoAmI' },
  ]),
  c('ops', 'whoAmI-after-auths', [
    { op: 'whoAmI' },
    { op: 'auth', scheme: 'digest', auth: 'u1:p' },
    { op: 'whoAmI' },
    { op: 'auth', scheme: 'digest', auth: 'u2:p' },
    { op: 'auth', scheme: 'digest', auth: 'u1:p' },
    { op: 'whoAmI' },
  ]),
  c('ops', 'unknown-opcode', [
    { connect: 'b' },
    { op: 'raw', type: 99 },
    { s: 'b', op: 'exists', path: '/' },
  ]),
  c('ops', 'unknown-opcode-negative', [
    // Each connection is closed after its answer; waiting for that keeps the transcript's order
    // independent of how fast the close reaches the runner.
    { op: 'raw', type: -99 },
    { waitClosed: 'a' },
    { connect: 'b' },
    { s: 'b', op: 'raw', type: 10 },
    { waitClosed: 'b' },
    { connect: 'c' },
    { s: 'c', op: 'raw', type: 0 },
    { waitClosed: 'c' },
  ]),
  c('ops', 'createSession-opcode-after-handshake', [
    { op: 'raw', type: -10, hex: '00000000' },
    { connect: 'b' },
    { s: 'b', op: 'exists', path: '/' },
  ]),
  c('ops', 'removed-opcodes-and-error-opcode', [
    { op: 'raw', type: -1 },
    { connect: 'b' },
    { s: 'b', op: 'raw', type: 23 },
  ]),
  c('ops', 'truncated-request-bodies', [
    { op: 'raw', type: 1, hex: '0000000a2f' },
    { connect: 'b' },
    { s: 'b', op: 'raw', type: 4, hex: '00000001' },
    { connect: 'c' },
    { s: 'c', op: 'raw', type: 3 },
    { connect: 'd' },
    { s: 'd', op: 'exists', path: '/' },
  ]),
  c('ops', 'trailing-bytes-after-request', [
    { op: 'create', path: '/x' },
    { op: 'raw', type: 3, hex: ustr('/x') + '00' + 'deadbeef' },
    { op: 'exists', path: '/x' },
  ]),
  c('ops', 'negative-string-length', [
    { op: 'raw', type: 4, hex: 'ffffff0000' },
    { connect: 'b' },
    { s: 'b', op: 'exists', path: '/' },
  ]),
  c('ops', 'null-path-string', [
    { op: 'raw', type: 3, hex: 'ffffffff00' },
    { op: 'exists', path: '/' },
  ]),
  c('ops', 'invalid-utf8-path', [
    { op: 'raw', type: 1, hex: '<S:/bad|c328ff>' + 'ffffffff' + '00000001' + '0000001f' + ustr('world') + ustr('anyone') + '00000000' },
    { op: 'getChildren', path: '/' },
    { op: 'raw', type: 3, hex: '<S:/bad|ff>' + '00' },
    { op: 'exists', path: '/' },
  ]),
  c('ops', 'invalid-utf8-data-is-just-bytes', [
    { op: 'create', path: '/x', data: { hex: 'c328ff00' } },
    { op: 'getData', path: '/x' },
  ]),
  c('ops', 'requests-with-unexpected-xids', [
    { op: 'create', path: '/x' },
    { rawBytes: 'exists /x with xid 7 (not outstanding)', hex: frameHex(7, 3, '<S:/x|>' + '00') },
    { rawBytes: 'exists /x with xid 0', hex: frameHex(0, 3, '<S:/x|>' + '00') },
    { rawBytes: 'exists /x with xid -5', hex: frameHex(-5, 3, '<S:/x|>' + '00') },
    { op: 'exists', path: '/x' },
  ]),
  c('ops', 'frame-length-zero-and-short', [
    { rawBytes: 'frame of length 0', hex: '00000000' },
    { connect: 'b' },
    { s: 'b', rawBytes: 'frame of length 4', hex: '0000000400000001' },
    { connect: 'c' },
    { s: 'c', rawBytes: 'negative frame length', hex: 'ffffffff' },
    { connect: 'd' },
    { s: 'd', op: 'exists', path: '/' },
  ]),
];

const limits: Case[] = [
  c('limits', 'frame-over-jute-maxbuffer-closes-only-that-connection', [
    { connect: 'b' },
    { op: 'create', path: '/x' },
    { op: 'setData', path: '/x', data: { size: 3000 }, expect: 'Ok' },
    { op: 'setData', path: '/x', data: { size: 5000 } },
    { s: 'b', op: 'getData', path: '/x' },
    { s: 'b', rawBytes: 'length 1000000 header', hex: '000f4240' + '00000001' + '00000003' },
    { connect: 'c' },
    { s: 'c', op: 'exists', path: '/x' },
  ], { config: 'smallBuffer' }),
  c('limits', 'create-over-jute-maxbuffer', [
    { op: 'create', path: '/big', data: { size: 4200 } },
    { connect: 'b' },
    { s: 'b', op: 'exists', path: '/big' },
  ], { config: 'smallBuffer' }),
  c('limits', 'reply-over-jute-maxbuffer', [
    { op: 'create', path: '/p' },
    ...Array.from({ length: 30 }, (_, i) => ({ op: 'create' as const, path: `/p/${'n'.repeat(150)}${i}` })),
    { op: 'getChildren', path: '/p' },
    { op: 'getAllChildrenNumber', path: '/p' },
  ], { config: 'smallBuffer' }),
];

/** Quotas: main runs with -Dzookeeper.enforceQuota=true; hard limits give QuotaExceeded. */
const quota: Case[] = [
  c('quota', 'count-hard-limit', [
    { op: 'create', path: '/q' },
    { op: 'create', path: '!/zookeeper/quota~' },
    { op: 'create', path: '!/zookeeper/quota~/q' },
    { op: 'create', path: '!/zookeeper/quota~/q/zookeeper_limits', data: 'count=-1,bytes=-1,countHardLimit=3,byteHardLimit=-1' },
    { op: 'create', path: '!/zookeeper/quota~/q/zookeeper_stats', data: 'count=0,bytes=0' },
    { op: 'getData', path: '!/zookeeper/quota~/q/zookeeper_stats' },
    { op: 'create', path: '/q/a', expect: 'Ok' },
    { op: 'create', path: '/q/b', expect: 'Ok' },
    { op: 'create', path: '/q/c', expect: 'QuotaExceeded' },
    { op: 'multi', ops: [{ op: 'create', path: '/q/d' }] },
    { op: 'getData', path: '!/zookeeper/quota~/q/zookeeper_stats' },
    { op: 'delete', path: '/q/a' },
    { op: 'create', path: '/q/c', expect: 'Ok' },
  ], { cleanup: ['!/zookeeper/quota~'] }),
  c('quota', 'bytes-hard-limit', [
    { op: 'create', path: '/q', data: '12345' },
    { op: 'create', path: '!/zookeeper/quota~' },
    { op: 'create', path: '!/zookeeper/quota~/q' },
    { op: 'create', path: '!/zookeeper/quota~/q/zookeeper_limits', data: 'count=-1,bytes=-1,countHardLimit=-1,byteHardLimit=10' },
    { op: 'create', path: '!/zookeeper/quota~/q/zookeeper_stats', data: 'count=0,bytes=0' },
    { op: 'setData', path: '/q', data: '1234567890', expect: 'Ok' },
    { op: 'setData', path: '/q', data: '12345678901', expect: 'QuotaExceeded' },
    { op: 'create', path: '/q/c', data: 'x', expect: 'QuotaExceeded' },
    { op: 'create', path: '/q/c', data: '' },
    { op: 'getData', path: '!/zookeeper/quota~/q/zookeeper_stats' },
  ], { cleanup: ['!/zookeeper/quota~'] }),
  c('quota', 'soft-limit-only-is-not-enforced', [
    { op: 'create', path: '/q' },
    { op: 'create', path: '!/zookeeper/quota~' },
    { op: 'create', path: '!/zookeeper/quota~/q' },
    { op: 'create', path: '!/zookeeper/quota~/q/zookeeper_limits', data: 'count=2,bytes=-1' },
    { op: 'create', path: '!/zookeeper/quota~/q/zookeeper_stats', data: 'count=0,bytes=0' },
    { op: 'create', path: '/q/a' },
    { op: 'create', path: '/q/b' },
    { op: 'create', path: '/q/c', expect: 'Ok' },
    { op: 'getData', path: '!/zookeeper/quota~/q/zookeeper_stats' },
  ], { cleanup: ['!/zookeeper/quota~'] }),
  c('quota', 'stats-track-deletes-and-setData', [
    { op: 'create', path: '/q', data: 'ab' },
    { op: 'create', path: '/q/x', data: 'abc' },
    { op: 'create', path: '!/zookeeper/quota~' },
    { op: 'create', path: '!/zookeeper/quota~/q' },
    { op: 'create', path: '!/zookeeper/quota~/q/zookeeper_limits', data: 'count=100,bytes=100' },
    { op: 'create', path: '!/zookeeper/quota~/q/zookeeper_stats', data: 'count=0,bytes=0' },
    { op: 'getData', path: '!/zookeeper/quota~/q/zookeeper_stats' },
    { op: 'setData', path: '/q/x', data: 'abcdefgh' },
    { op: 'create', path: '/q/y', data: '1' },
    { op: 'delete', path: '/q/x' },
    { op: 'getData', path: '!/zookeeper/quota~/q/zookeeper_stats' },
  ], { cleanup: ['!/zookeeper/quota~'] }),
];

/** Cases that need a server configured for them. */
const configured: Case[] = [
  c('config', 'enforce-auth-digest', [
    // zookeeper.enforce.auth.enabled with schemes=digest: a connection without digest auth gets
    // SessionClosedRequireSaslAuth for its first request (a ping too) and is closed.
    { op: 'exists', path: '/' },
    { connect: 'b', auth: ['digest', 'u:p'] },
    { s: 'b', op: 'create', path: '/x', expect: 'Ok' },
    { s: 'b', op: 'whoAmI' },
    { connect: 'c', auth: ['ip', '127.0.0.1'] },
    { connect: 'd', auth: ['digest', 'v:q'] },
    { s: 'd', op: 'getData', path: '/x', expect: 'Ok' },
  ], { config: 'enforceAuth' }),
  c('config', 'skipACL-yes-ignores-acls', [
    { op: 'create', path: '/locked', acl: 'world:anyone:0', data: 'x' },
    { op: 'getData', path: '/locked', expect: 'Ok' },
    { op: 'setData', path: '/locked', data: 'y', expect: 'Ok' },
    { op: 'create', path: '/locked/c', expect: 'Ok' },
    { op: 'getACL', path: '/locked' },
    { op: 'setACL', path: '/locked', acl: 'read', expect: 'Ok' },
    { op: 'create', path: '/bad', acl: '' },
    { op: 'create', path: '/bad2', acl: 'digest:nocolon:r' },
    { op: 'getChildren', path: '/' },
  ], { config: 'skipACL' }),
  c('config', 'maxClientCnxns-per-ip', [
    // The case's setup session and 'a' are two of the three connections allowed from 127.0.0.1.
    { connect: 'b' },
    { connect: 'c' },
    { s: 'b', op: 'exists', path: '/' },
    { s: 'b', op: 'closeSession' },
    { connect: 'd' },
    { s: 'd', op: 'exists', path: '/' },
    { connect: 'e' },
  ], { config: 'cnxnLimit' }),
  c('config', 'localSessionsEnabled-in-standalone', [
    { op: 'create', path: '/e', flags: 'E', expect: 'Ok' },
    { op: 'exists', path: '/e' },
    { connect: 'b' },
    { s: 'b', op: 'create', path: '/e2', flags: 'ES' },
    { s: 'b', op: 'closeSession' },
    { op: 'getChildren', path: '/' },
  ], { config: 'localSessions' }),
];

export const cases: Case[] = [...ops, ...limits, ...quota, ...configured];
