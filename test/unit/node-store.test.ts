import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeStore } from '../../src/tree/node-store.js';
import { ByteArena } from '../../src/tree/byte-arena.js';
import { SeededRandom } from '../../src/env/random.js';

test('node store agrees with a Map model under random creates, deletes and data changes', () => {
  for (const seed of [1, 2, 3, 42, 1234]) {
    const rnd = new SeededRandom(seed);
    const s = new NodeStore(4);
    const root = s.create(-1, '');
    // model: key "parent/name" -> { id, data }
    const model = new Map<string, { id: number; data: string | null; parent: number }>();
    const parents = [root];
    const names = ['a', 'b', 'é', 'long-name-'.repeat(5), 'x1', 'x2', 'zz', '\u4e2d\u6587'];
    for (let step = 0; step < 4000; step++) {
      const op = rnd.int(10);
      const parent = parents[rnd.int(parents.length)];
      const name = names[rnd.int(names.length)] + rnd.int(40);
      const key = `${parent}/${name}`;
      const existing = model.get(key);
      if (op < 5) {
        if (existing === undefined) {
          const id = s.create(parent, name);
          const data = rnd.int(4) === 0 ? null : 'd'.repeat(rnd.int(700));
          s.setData(id, data === null ? null : Buffer.from(data));
          model.set(key, { id, data, parent });
          if (rnd.int(3) === 0) parents.push(id);
        }
      } else if (op < 8) {
        if (existing !== undefined && s.childCount[existing.id] === 0) {
          s.remove(existing.id);
          model.delete(key);
          const pi = parents.indexOf(existing.id);
          if (pi >= 0) parents.splice(pi, 1);
        }
      } else if (existing !== undefined) {
        const data = 'e'.repeat(rnd.int(300));
        s.setData(existing.id, Buffer.from(data));
        existing.data = data;
      }
    }
    for (const [key, v] of model) {
      const name = key.substring(key.indexOf('/') + 1);
      assert.equal(s.child(v.parent, name), v.id, `seed ${seed}: lookup ${key}`);
      assert.equal(s.name(v.id), name);
      const d = s.data(v.id);
      assert.equal(d === null ? null : d.toString(), v.data, `seed ${seed}: data of ${key}`);
    }
    // every parent's child list is exactly the model's children, in creation order
    for (const p of parents) {
      const listed: number[] = [];
      for (let c = s.firstChild[p]; c >= 0; c = s.nextSib[c]) listed.push(c);
      const expected = [...model.values()].filter((v) => v.parent === p).map((v) => v.id);
      assert.deepEqual(listed.sort(), expected.sort(), `seed ${seed}: children of ${p}`);
      assert.equal(s.childCount[p], expected.length);
    }
    assert.equal(s.live, model.size + 1);
    assert.equal(s.child(root, 'never-created'), -1);
  }
});

test('byte arena reuses freed blocks of the same size class', () => {
  const a = new ByteArena(64);
  const x = a.alloc(100);
  a.free(x, 100);
  assert.equal(a.alloc(97), x, 'same class (104)');
  const y = a.alloc(5000);
  assert.ok(y > x);
  assert.equal(ByteArena.classSize(0), 0);
  assert.equal(ByteArena.classSize(1), 8);
  assert.equal(ByteArena.classSize(512), 512);
  assert.equal(ByteArena.classSize(513), 576);
  assert.ok(ByteArena.classSize(1_000_000) >= 1_000_000);
  assert.ok(ByteArena.classSize(1_000_000) < 1_000_000 * 1.13);
});
