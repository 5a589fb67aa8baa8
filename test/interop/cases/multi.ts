/** Differential cases: multi (transactions) and multiRead. */
import type { Case } from '../lib/differential.js';

const area = 'multi';
const c = (name: string, steps: Case['steps'], extra: Partial<Case> = {}): Case => ({ name: `multi/${name}`, area, steps, ...extra });

export const cases: Case[] = [
  c('all-ops-succeed', [
    { op: 'create', path: '/x', data: 'x' },
    { op: 'create', path: '/d' },
    {
      op: 'multi',
      expect: 'Ok',
      ops: [
        { op: 'create', path: '/a', data: 'a' },
        { op: 'create2', path: '/b', data: 'b' },
        { op: 'check', path: '/x', version: 0 },
        { op: 'setData', path: '/x', data: 'y', version: 0 },
        { op: 'delete', path: '/d' },
        { op: 'createContainer', path: '/c' },
      ],
    },
    { op: 'getChildren2', path: '/' },
    { op: 'getData', path: '/x' },
  ]),
  c('partial-failure-rolls-back', [
    { op: 'create', path: '/a' },
    { op: 'multi', ops: [{ op: 'create', path: '/b' }, { op: 'create', path: '/a' }, { op: 'setData', path: '/a', data: 'z' }] },
    { op: 'exists', path: '/b', expect: 'NoNode' },
    { op: 'getData', path: '/a' },
  ]),
  c('failure-in-first-op', [
    { op: 'multi', ops: [{ op: 'delete', path: '/nope' }, { op: 'create', path: '/b' }, { op: 'create', path: '/c' }] },
    { op: 'getChildren', path: '/' },
  ]),
  c('failure-in-last-op', [
    { op: 'create', path: '/x' },
    { op: 'multi', ops: [{ op: 'create', path: '/b' }, { op: 'setData', path: '/x', data: 'q' }, { op: 'check', path: '/x', version: 0 }] },
    { op: 'getData', path: '/x' },
  ]),
  c('check-version-mismatch', [
    { op: 'create', path: '/x' },
    { op: 'multi', ops: [{ op: 'check', path: '/x', version: 3 }, { op: 'create', path: '/y' }] },
    { op: 'multi', ops: [{ op: 'check', path: '/nope', version: 0 }] },
    { op: 'multi', ops: [{ op: 'check', path: '/x', version: -1 }, { op: 'create', path: '/y' }] },
    { op: 'getChildren', path: '/' },
  ]),
  c('ops-see-earlier-ops', [
    {
      op: 'multi',
      ops: [
        { op: 'create', path: '/a' },
        { op: 'create', path: '/a/b' },
        { op: 'setData', path: '/a/b', data: '1' },
        { op: 'setData', path: '/a/b', data: '2', version: 1 },
        { op: 'check', path: '/a/b', version: 2 },
        { op: 'delete', path: '/a/b', version: 2 },
        { op: 'check', path: '/a', version: 0 },
      ],
    },
    { op: 'getChildren2', path: '/a' },
  ]),
  c('create-then-delete-same-node', [
    { op: 'multi', ops: [{ op: 'create', path: '/t' }, { op: 'delete', path: '/t' }] },
    { op: 'exists', path: '/t' },
    { op: 'exists', path: '/' },
  ]),
  c('delete-parent-with-child-in-same-multi', [
    { op: 'create', path: '/p' },
    { op: 'create', path: '/p/c' },
    { op: 'multi', ops: [{ op: 'delete', path: '/p' }, { op: 'delete', path: '/p/c' }] },
    { op: 'multi', ops: [{ op: 'delete', path: '/p/c' }, { op: 'delete', path: '/p' }] },
    { op: 'getChildren', path: '/' },
  ]),
  c('empty-multi', [
    { op: 'multi', ops: [], expect: 'Ok' },
    { op: 'multiRead', ops: [], expect: 'Ok' },
    { op: 'exists', path: '/' },
  ]),
  c('mixing-reads-and-writes-rejected', [
    { op: 'create', path: '/a' },
    { op: 'multi', ops: [{ op: 'create', path: '/b' }, { op: 'getData', path: '/a' }] },
    { op: 'multi', ops: [{ op: 'getChildren', path: '/a' }] },
    { op: 'multiRead', ops: [{ op: 'getData', path: '/a' }, { op: 'create', path: '/c' }] },
    { op: 'multiRead', ops: [{ op: 'setData', path: '/a' }] },
    { op: 'getChildren', path: '/' },
  ]),
  c('multiRead-results-and-errors', [
    { op: 'create', path: '/a', data: 'A' },
    { op: 'create', path: '/a/x' },
    { op: 'create', path: '/a/y' },
    {
      op: 'multiRead',
      expect: 'Ok',
      ops: [
        { op: 'getData', path: '/a' },
        { op: 'getChildren', path: '/a' },
        { op: 'getData', path: '/nope' },
        { op: 'getChildren', path: '/nope' },
        { op: 'getData', path: '/a/x' },
      ],
    },
  ]),
  c('multiRead-noauth', [
    { op: 'create', path: '/s', acl: 'world:anyone:c', data: 'secret' },
    { op: 'create', path: '/o', data: 'open' },
    { op: 'multiRead', ops: [{ op: 'getData', path: '/s' }, { op: 'getData', path: '/o' }, { op: 'getChildren', path: '/s' }] },
  ]),
  c('ephemeral-and-sequential-in-multi', [
    { op: 'create', path: '/q' },
    { op: 'multi', ops: [{ op: 'create', path: '/q/e', flags: 'ES' }, { op: 'create', path: '/q/e', flags: 'ES' }, { op: 'create', path: '/eph', flags: 'E' }] },
    { op: 'getEphemerals', path: '/' },
    { op: 'exists', path: '/eph' },
  ]),
  c('no-children-for-ephemerals-in-multi', [
    { op: 'multi', ops: [{ op: 'create', path: '/e', flags: 'E' }, { op: 'create', path: '/e/c' }] },
    { op: 'getChildren', path: '/' },
  ]),
  c('bad-path-in-multi', [
    { op: 'multi', ops: [{ op: 'create', path: '/ok' }, { op: 'create', path: '!relative' }] },
    { op: 'multi', ops: [{ op: 'create', path: '/ok' }, { op: 'create', path: '/x/' }] },
    { op: 'multi', ops: [{ op: 'setData', path: '/x//y' }] },
    { op: 'getChildren', path: '/' },
  ]),
  c('noauth-in-multi', [
    { op: 'create', path: '/r', acl: 'world:anyone:r' },
    { op: 'multi', ops: [{ op: 'create', path: '/ok' }, { op: 'create', path: '/r/c' }] },
    { op: 'multi', ops: [{ op: 'setData', path: '/r', data: 'x' }] },
    { op: 'getChildren', path: '/' },
  ]),
  c('invalid-acl-in-multi', [
    { op: 'multi', ops: [{ op: 'create', path: '/ok' }, { op: 'create', path: '/bad', acl: '' }] },
    { op: 'multi', ops: [{ op: 'create', path: '/bad', acl: 'creator' }] },
    { op: 'getChildren', path: '/' },
  ]),
  c('watches-fire-after-multi-commits', [
    { op: 'create', path: '/w', data: '0' },
    { connect: 'b' },
    { s: 'b', op: 'getData', path: '/w', watch: true },
    { s: 'b', op: 'getChildren', path: '/', watch: true },
    { s: 'b', op: 'exists', path: '/n', watch: true },
    { op: 'multi', ops: [{ op: 'setData', path: '/w', data: '1' }, { op: 'create', path: '/n' }] },
    { s: 'b', op: 'getData', path: '/w' },
  ]),
  c('failed-multi-fires-no-watches', [
    { op: 'create', path: '/w', data: '0' },
    { connect: 'b' },
    { s: 'b', op: 'getData', path: '/w', watch: true },
    { op: 'multi', ops: [{ op: 'setData', path: '/w', data: '1' }, { op: 'delete', path: '/nope' }] },
    { s: 'b', op: 'checkWatches', path: '/w', type: 'data', expect: 'Ok' },
  ]),
  c('unsupported-op-inside-multi', [
    { op: 'multi', ops: [{ op: 'raw', type: 9, hex: '00000001' + '2f' }] },
    { op: 'exists', path: '/' },
  ]),
  c('ops-not-allowed-in-multi', [
    { op: 'create', path: '/x' },
    // setACL (7), exists (3), getChildren2 (12), a nested multi (14), an unknown type (99)
    { op: 'multi', ops: [{ op: 'raw', type: 7, hex: '<S:/x|>' + 'ffffffff' + 'ffffffff' }] },
    { op: 'multi', ops: [{ op: 'raw', type: 3, hex: '<S:/x|>' + '00' }] },
    { op: 'multi', ops: [{ op: 'raw', type: 12, hex: '<S:/x|>' + '00' }] },
    { op: 'multi', ops: [{ op: 'raw', type: 14, hex: 'ffffffff01ffffffff' }] },
    { op: 'multi', ops: [{ op: 'create', path: '/y' }, { op: 'raw', type: 99, hex: '' }] },
    { op: 'getChildren', path: '/' },
  ]),
  c('check-and-setData-after-delete-in-same-multi', [
    { op: 'create', path: '/x' },
    { op: 'multi', ops: [{ op: 'delete', path: '/x' }, { op: 'check', path: '/x', version: 0 }] },
    { op: 'multi', ops: [{ op: 'delete', path: '/x' }, { op: 'setData', path: '/x', data: 'z' }] },
    { op: 'multi', ops: [{ op: 'delete', path: '/x' }, { op: 'create', path: '/x', data: 'again', flags: 'E' }] },
    { op: 'exists', path: '/x' },
  ]),
  c('many-ops', [
    { op: 'multi', ops: Array.from({ length: 50 }, (_, i) => ({ op: 'create' as const, path: `/n${i}`, data: `${i}` })) },
    { op: 'getAllChildrenNumber', path: '/' },
    { op: 'multi', ops: Array.from({ length: 50 }, (_, i) => ({ op: 'delete' as const, path: `/n${i}` })) },
    { op: 'getChildren2', path: '/' },
  ]),
  c('multi-ttl-and-container-stats', [
    { op: 'multi', ops: [{ op: 'create2', path: '/c', flags: 'C' }, { op: 'createTTL', path: '/t', ttl: 60000 }, { op: 'create2', path: '/p' }] },
    { op: 'exists', path: '/c' },
    { op: 'exists', path: '/t' },
  ]),
];
