/** Differential cases: session handshake, timeouts, re-attach, expiry, closeSession. The main
 *  servers run with tickTime=200, minSessionTimeout 400 (2 ticks) and maxSessionTimeout 20000. */
import type { Case } from '../lib/differential.js';

const area = 'session';
const c = (name: string, steps: Case['steps'], extra: Partial<Case> = {}): Case => ({ name: `session/${name}`, area, steps, ...extra });

export const cases: Case[] = [
  c('timeout-negotiation', [
    { connect: 'lo', timeout: 1 },
    { connect: 'zero', timeout: 0 },
    { connect: 'neg', timeout: -5 },
    { connect: 'mid', timeout: 5000 },
    { connect: 'hi', timeout: 1000000 },
    { connect: 'edge-lo', timeout: 400 },
    { connect: 'edge-hi', timeout: 20000 },
    { s: 'lo', op: 'exists', path: '/' },
  ], { sessions: [] }),
  c('readOnly-byte-absent-and-true', [
    { connect: 'old', readOnly: null },
    { s: 'old', op: 'exists', path: '/' },
    { connect: 'ro', readOnly: true },
    { s: 'ro', op: 'create', path: '/x' },
    { s: 'ro', op: 'getData', path: '/x' },
  ], { sessions: [] }),
  c('reattach-keeps-session', [
    { op: 'create', path: '/e', flags: 'E' },
    { drop: 'a' },
    { reattach: 'a' },
    { op: 'exists', path: '/e' },
    { op: 'getEphemerals', path: '/' },
    { op: 'create', path: '/e2', flags: 'E' },
  ]),
  c('reattach-while-old-connection-open', [
    { op: 'create', path: '/e', flags: 'E' },
    { reattach: 'a' },
    { op: 'exists', path: '/e' },
  ]),
  c('reattach-with-new-timeout', [
    { drop: 'a' },
    { reattach: 'a', timeout: 5000 },
    { op: 'exists', path: '/' },
  ]),
  c('reattach-wrong-password', [
    { op: 'create', path: '/e', flags: 'E' },
    { drop: 'a' },
    { reattach: 'a', wrongPasswd: true },
    { connect: 'b' },
    { s: 'b', op: 'exists', path: '/e' },
    { reattach: 'a' },
    { op: 'exists', path: '/e' },
  ]),
  c('reattach-unknown-session-id', [
    { connect: 'b' },
    { s: 'b', op: 'closeSession' },
    { reattach: 'b' },
    { op: 'exists', path: '/' },
  ]),
  c('closeSession-reply-and-close', [
    { op: 'create', path: '/e', flags: 'E' },
    { connect: 'b' },
    { s: 'b', op: 'exists', path: '/e', watch: true },
    { op: 'closeSession', expect: 'Ok' },
    { s: 'b', op: 'exists', path: '/e' },
  ]),
  c('expiry-deletes-ephemerals-and-fires-watches', [
    { connect: 'b', timeout: 400 },
    { s: 'b', op: 'create', path: '/e', flags: 'E' },
    { s: 'b', op: 'create', path: '/es', flags: 'ES' },
    { op: 'exists', path: '/e', watch: true },
    { op: 'getChildren', path: '/', watch: true },
    { stopPing: 'b' },
    { waitClosed: 'b', timeoutMs: 8000 },
    { waitEvent: 'a', type: 'NodeDeleted', path: '/e', unordered: true },
    { op: 'getChildren2', path: '/' },
    { reattach: 'b' },
  ]),
  c('expired-session-reattach-gets-expired-answer', [
    { connect: 'b', timeout: 400 },
    { s: 'b', op: 'create', path: '/e', flags: 'E' },
    { op: 'exists', path: '/e', watch: true },
    { drop: 'b' },
    { waitEvent: 'a', type: 'NodeDeleted', path: '/e', timeoutMs: 8000 },
    { reattach: 'b' },
    { reattach: 'b', wrongPasswd: true },
  ]),
  c('pings-keep-session-alive', [
    { connect: 'b', timeout: 400 },
    { s: 'b', op: 'create', path: '/e', flags: 'E' },
    { sleep: 1500 },
    { s: 'b', op: 'exists', path: '/e' },
    { s: 'b', op: 'ping' },
  ]),
  c('requests-keep-session-alive', [
    { connect: 'b', timeout: 400 },
    { stopPing: 'b' },
    { s: 'b', op: 'create', path: '/e', flags: 'E' },
    { sleep: 150 },
    { s: 'b', op: 'exists', path: '/e' },
    { sleep: 150 },
    { s: 'b', op: 'exists', path: '/e' },
    { sleep: 150 },
    { s: 'b', op: 'exists', path: '/e' },
    { sleep: 150 },
    { s: 'b', op: 'getData', path: '/e' },
  ]),
  c('ping-reply', [
    { op: 'ping', expect: 'Ok' },
    { op: 'create', path: '/x' },
    { op: 'ping' },
  ]),
  c('many-sessions-ephemerals-cleanup', [
    { connect: 'b' },
    { connect: 'c' },
    { connect: 'd' },
    { s: 'b', op: 'create', path: '/b', flags: 'E' },
    { s: 'c', op: 'create', path: '/c', flags: 'E' },
    { s: 'd', op: 'create', path: '/d', flags: 'ES' },
    { op: 'getChildren', path: '/', watch: true },
    { s: 'c', op: 'closeSession' },
    { op: 'getChildren', path: '/', watch: true },
    { s: 'b', op: 'getEphemerals', path: '/' },
    { s: 'd', op: 'getEphemerals', path: '/' },
    { op: 'getChildren2', path: '/' },
  ]),
  c('handshake-odd-fields', [
    { connect: 'pv1', protocolVersion: 1 },
    { s: 'pv1', op: 'exists', path: '/' },
    { connect: 'pvneg', protocolVersion: -5 },
    { connect: 'shortpw', passwd: '0102' },
    { connect: 'nopw', passwd: '' },
    { s: 'nopw', op: 'exists', path: '/' },
  ], { sessions: [] }),
  c('reattach-with-short-or-empty-password', [
    { op: 'create', path: '/e', flags: 'E' },
    { drop: 'a' },
    { reattach: 'a', passwdHex: '' },
    { reattach: 'a', passwdHex: '00' },
    { reattach: 'a' },
    { op: 'exists', path: '/e' },
  ]),
  c('connect-with-lastZxidSeen-ahead', [
    { drop: 'a' },
    { reattach: 'a', lastZxid: 0x7fffffffffff },
    { connect: 'b' },
    { s: 'b', op: 'exists', path: '/' },
  ]),
];

/** Cases on a server with its own session limits. */
export const limitCases: Case[] = [
  c('custom-min-max-session-timeout', [
    { connect: 'lo', timeout: 100 },
    { connect: 'in', timeout: 5000 },
    { connect: 'hi', timeout: 60000 },
    { s: 'in', op: 'exists', path: '/' },
  ], { sessions: [], config: 'sessionLimits' }),
];
