import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExpiryQueue } from '../../src/server/expiry-queue.js';
import { SessionTracker } from '../../src/server/session-tracker.js';
import { FrameDecoder, FrameError } from '../../src/server/frame-decoder.js';
import { sessionPassword, JavaRandom } from '../../src/server/java-random.js';
import { AuthRegistry, DigestAuthenticationProvider, IPAuthenticationProvider, generateDigest, javaSplit } from '../../src/server/auth.js';
import { sequenceSuffix, createMode } from '../../src/server/prep.js';

test('expiry queue expires whole tickTime buckets', () => {
  const q = new ExpiryQueue<string>(2000, 0);
  assert.equal(q.update('a', 5000, 100), 6000);
  q.update('b', 5500, 100);
  q.update('c', 9000, 100);
  assert.deepEqual(q.poll(5999), []);
  assert.deepEqual(q.poll(6000).sort(), ['a', 'b']);
  q.update('c', 1000, 7000); // touched: moves to a later bucket
  assert.deepEqual(q.poll(8000), []);
  assert.deepEqual(q.poll(10000), ['c']);
  assert.equal(q.size, 0);
});

test('session ids carry the server id in the top byte and never equal the container marker', () => {
  const id = SessionTracker.initialSessionId(3, 1_700_000_000_000);
  assert.equal(id >> 56n, 3n);
  const t = new SessionTracker(2000, 0, 1_700_000_000_000);
  const a = t.newSessionId();
  assert.equal(t.newSessionId(), a + 1n);
});

test('session tracker: touch extends life, expired sessions are marked closing', () => {
  const t = new SessionTracker(1000, 0, 0);
  t.add(1n, 3000, 0);
  t.add(2n, 3000, 0);
  assert.ok(t.touch(1n, 2500));
  const gone = t.expired(4000).map((s) => s.id);
  assert.deepEqual(gone, [2n]);
  assert.ok(t.get(2n)!.closing);
  assert.ok(!t.touch(2n, 4000), 'a closing session cannot be touched back to life');
});

test('session passwords are java.util.Random(id ^ 0xB3415C00).nextBytes, as Apache ZooKeeper derives them', () => {
  // Values printed by Java 17: new java.util.Random(id ^ 0xB3415C00L).nextBytes(new byte[16])
  assert.equal(sessionPassword(0x1000001a2b3c4d5n).toString('hex'), '75f7b92fa39dd98d12e9a0f471d573ff');
  assert.equal(sessionPassword(0n).toString('hex'), 'f22acd4a97e69d6d20a49bb638eadb38');
  assert.equal(sessionPassword(BigInt.asIntN(64, 0xff00000000000001n)).toString('hex'), '054cc74a37327db215e702e20c73f005');
  assert.equal(sessionPassword(0x7fffffffffffffffn).toString('hex'), '20f62cb5648dc2d771471c8a2486a9ee');
  // new Random(42).nextInt() in Java is -1170105035.
  assert.equal(new JavaRandom(42n).nextInt(), -1170105035);
});

function frame(body: Buffer): Buffer {
  const b = Buffer.alloc(4 + body.length);
  b.writeInt32BE(body.length);
  body.copy(b, 4);
  return b;
}

test('frame decoder splits frames across arbitrary chunk boundaries', () => {
  const frames = [Buffer.from('hello'), Buffer.alloc(0), Buffer.from('x'.repeat(3000)), Buffer.from('end')];
  const stream = Buffer.concat(frames.map(frame));
  for (const size of [1, 2, 3, 5, 7, 64, 4096]) {
    const out: string[] = [];
    const d = new FrameDecoder(1 << 20);
    for (let i = 0; i < stream.length; i += size) d.push(stream.subarray(i, i + size), (f) => out.push(f.toString()));
    assert.deepEqual(out, frames.map(String), `chunk size ${size}`);
  }
});

test('frame decoder rejects negative and oversized lengths', () => {
  const d = new FrameDecoder(100);
  const big = Buffer.alloc(4);
  big.writeInt32BE(101);
  assert.throws(() => d.push(big, () => undefined), FrameError);
  const neg = Buffer.alloc(4);
  neg.writeInt32BE(-5);
  assert.throws(() => new FrameDecoder(100).push(neg, () => undefined), FrameError);
});

test('frame decoder lets the first four bytes be taken as a four-letter word', () => {
  let word = '';
  const d = new FrameDecoder(100, (raw) => {
    word = raw.toString();
    return word === 'ruok';
  });
  let frames = 0;
  d.push(Buffer.from('ruok'), () => frames++);
  assert.equal(word, 'ruok');
  assert.equal(frames, 0);
});

test('digest ids are user:base64(sha1(user:password)) and Java split semantics hold', () => {
  assert.equal(generateDigest('super:test'), 'super:D/InIHSb7yEEbrWz8b9l71RjZJU=');
  assert.deepEqual(javaSplit('a:b:', ':'), ['a', 'b']);
  assert.deepEqual(javaSplit(':', ':'), []);
  assert.deepEqual(javaSplit('', ':'), ['']);
  assert.deepEqual(javaSplit('a:b:c', ':', 2), ['a', 'b:c']);
});

test('ACL checks: world, digest, ip with CIDR, super', () => {
  const reg = new AuthRegistry([new IPAuthenticationProvider(), new DigestAuthenticationProvider()]);
  const digest = generateDigest('bob:pw');
  const acl = [
    { perms: 1, id: { scheme: 'digest', id: digest } },
    { perms: 2, id: { scheme: 'ip', id: '10.0.0.0/8' } },
  ];
  assert.ok(reg.check(acl, 1, [{ scheme: 'digest', id: digest }]));
  assert.ok(!reg.check(acl, 2, [{ scheme: 'digest', id: digest }]));
  assert.ok(reg.check(acl, 2, [{ scheme: 'ip', id: '10.1.2.3' }]));
  assert.ok(!reg.check(acl, 2, [{ scheme: 'ip', id: '11.1.2.3' }]));
  assert.ok(reg.check(acl, 16, [{ scheme: 'super', id: '' }]));
  assert.ok(reg.check([], 16, []), 'an empty ACL allows everything');
  assert.equal(reg.fixup([{ perms: 31, id: { scheme: 'auth', id: '' } }], [{ scheme: 'ip', id: '1.2.3.4' }]), null, 'ip ids cannot stand for auth');
  assert.deepEqual(reg.fixup([{ perms: 31, id: { scheme: 'auth', id: '' } }], [{ scheme: 'digest', id: digest }]), [
    { perms: 31, id: { scheme: 'digest', id: digest } },
  ]);
  assert.equal(reg.fixup([{ perms: 31, id: { scheme: 'world', id: 'nobody' } }], []), null);
  assert.equal(reg.fixup([{ perms: 31, id: { scheme: 'ip', id: '1.2.3.4/33' } }], []), null);
  assert.equal(reg.fixup([], []), null);
});

test('sequence suffixes are %010d, including negative counters', () => {
  assert.equal(sequenceSuffix(0), '0000000000');
  assert.equal(sequenceSuffix(42), '0000000042');
  assert.equal(sequenceSuffix(2147483647), '2147483647');
  assert.equal(sequenceSuffix(-5), '-000000005');
  assert.equal(createMode(7), null);
  assert.deepEqual(createMode(3), { ephemeral: true, sequential: true, container: false, ttl: false });
});
