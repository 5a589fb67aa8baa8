/**
 * A full disk under a running server (issue 3): the dataDir is a small tmpfs, almost filled by
 * another file. Writes then fail with a clear error (SystemError to the client, a log line saying
 * why); reads keep working; nothing acknowledged is lost; once the other file is removed, writes
 * work again, and a restart finds exactly the acknowledged data. Needs root to mount a tmpfs;
 * skipped loudly where that is not allowed (the injected-ENOSPC unit tests cover the log itself).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, openSync, writeSync, closeSync, unlinkSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTszk, freePort } from '../helpers/servers.js';
import { RawClient } from '../interop/lib/raw-client.js';
import { OpCode, Err } from '../../src/jute/constants.js';
import { writeCreate } from '../../src/jute/records.js';
import { JuteReader } from '../../src/jute/reader.js';

const OPEN = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const VALUE = Buffer.alloc(20000, 'v');

function mountTmpfs(dir: string, size: string): string | null {
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  return r.status === 0 ? null : (r.stderr || r.error?.message || 'mount failed').trim();
}

/** Fills the file system but for `leave` bytes. */
function fillBut(dir: string, leave: number): string {
  const f = join(dir, 'filler');
  const fd = openSync(f, 'w');
  const block = Buffer.alloc(4096, 1);
  try {
    for (;;) {
      const s = statfsSync(dir);
      if (s.bavail * s.bsize <= leave) break;
      writeSync(fd, block);
    }
  } catch {
    /* ENOSPC: full */
  } finally {
    closeSync(fd);
  }
  return f;
}

async function create(c: RawClient, path: string): Promise<number> {
  const r = await c.request(OpCode.create, (w) => writeCreate(w, { path, data: VALUE, acl: OPEN, flags: 0, ttl: 0n }, false));
  return r.header.err;
}

async function getLength(c: RawClient, path: string): Promise<number> {
  const r = await c.request(OpCode.getData, (w) => w.ustring(path).bool(false));
  if (r.header.err !== Err.Ok) return -r.header.err;
  return new JuteReader(r.body).buffer()?.length ?? 0;
}

test('a full disk: writes fail clearly, reads keep working, nothing acknowledged is lost, writes resume when space returns', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'tszk-fulldisk-server-'));
  const mnt = join(base, 'disk');
  spawnSync('mkdir', ['-p', mnt]);
  const why = mountTmpfs(mnt, '16m');
  if (why !== null) {
    const msg = `SKIPPED: cannot mount a tmpfs here (${why}); the injected-ENOSPC unit tests cover the txn log`;
    process.stderr.write(`\n*** ${msg} ***\n`);
    rmSync(base, { recursive: true, force: true });
    t.skip(msg);
    return;
  }
  const port = await freePort();
  let server = await startTszk({
    port,
    cfg: { dataDir: join(mnt, 'data'), preAllocSize: 64, snapCount: 1000000, 'admin.enableServer': 'false' },
  });
  try {
    const c = await RawClient.connect(port);
    const acked: string[] = [];
    for (let i = 0; i < 10; i++) {
      assert.equal(await create(c, `/before${i}`), Err.Ok);
      acked.push(`/before${i}`);
    }
    const filler = fillBut(mnt, 200 * 1024);
    // Keep writing until the disk refuses.
    let failedWith = 0;
    for (let i = 0; i < 200 && failedWith === 0; i++) {
      const err = await create(c, `/during${i}`);
      if (err === Err.Ok) acked.push(`/during${i}`);
      else failedWith = err;
    }
    assert.equal(failedWith, Err.SystemError, 'a write on a full disk fails with SystemError');
    // The log line reaches the pipe a moment after the reply may have: wait for it.
    for (let i = 0; i < 100 && !/Writing the txn log failed.*(ENOSPC|no space)/i.test(server.output()); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(server.output(), /Writing the txn log failed.*(ENOSPC|no space)/i, 'the log says why');
    // Reads keep working, on the same session and a new one.
    for (const p of acked) assert.equal(await getLength(c, p), VALUE.length, p);
    const reader = await RawClient.connect(port);
    assert.equal(await getLength(reader, acked[0]), VALUE.length);
    reader.destroy();
    // Still full: writes keep failing, and the failure does not break the server.
    assert.equal(await create(c, '/stillfull'), Err.SystemError);
    unlinkSync(filler);
    let resumed = false;
    for (let i = 0; i < 20 && !resumed; i++) {
      const err = await create(c, `/after${i}`);
      if (err === Err.Ok) {
        acked.push(`/after${i}`);
        resumed = true;
      } else await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(resumed, 'writes resume once the disk has room');
    c.destroy();
    await server.stop({ keepDir: true });
    server = await startTszk({ dir: server.dir });
    const after = await RawClient.connect(server.port);
    for (const p of acked) assert.equal(await getLength(after, p), VALUE.length, `${p} survives the restart`);
    assert.equal(await getLength(after, '/stillfull'), -Err.NoNode, 'a write that failed is not there');
    after.destroy();
  } finally {
    await server.stop();
    spawnSync('umount', [mnt]);
    rmSync(base, { recursive: true, force: true });
  }
});
