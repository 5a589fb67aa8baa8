/**
 * Crash safety of the standalone server (issue 3): while clients write with many requests in
 * flight, the server is killed with SIGKILL at random moments, 20 times over the same data
 * directory. After each restart every write a client saw acknowledged must be there, and a multi
 * must be all there or not at all. Some rounds also leave a torn record at the end of the newest
 * log (as a crash mid-write would), which recovery must cut back rather than refuse.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, openSync, writeSync, closeSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTszk, freePort, type RunningServer } from '../helpers/servers.js';
import { RawClient } from '../interop/lib/raw-client.js';
import { OpCode, Err } from '../../src/jute/constants.js';
import { writeCreate, writeMultiOps, readStat } from '../../src/jute/records.js';
import { JuteReader } from '../../src/jute/reader.js';
import { scanLogFile } from '../../src/persistence/txn-log-reader.js';
import { SeededRandom } from '../../src/env/random.js';

const OPEN = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const ROUNDS = 20;
const CLIENTS = 4;
const IN_FLIGHT = 16;

function createBody(path: string, data: string) {
  return (w: import('../../src/jute/writer.js').JuteWriter) =>
    writeCreate(w, { path, data: Buffer.from(data), acl: OPEN, flags: 0, ttl: 0n }, false);
}

interface Acked {
  singles: Map<string, string>;
  multis: string[][];
}

/** Keeps IN_FLIGHT writes outstanding on one connection until it breaks; records what was acked. */
async function writeUntilKilled(client: RawClient, prefix: string, acked: Acked, attempted: string[][]): Promise<void> {
  let n = 0;
  const one = async (): Promise<void> => {
    while (!client.isClosed) {
      const i = n++;
      try {
        if (i % 5 === 4) {
          const paths = ['a', 'b', 'c'].map((x) => `${prefix}-m${i}-${x}`);
          attempted.push(paths);
          const r = await client.request(OpCode.multi, (w) =>
            writeMultiOps(w, paths.map((path) => ({ op: OpCode.create, req: { path, data: Buffer.from('m'), acl: OPEN, flags: 0, ttl: 0n } }))),
          );
          if (r.header.err === Err.Ok) acked.multis.push(paths);
        } else {
          const path = `${prefix}-s${i}`;
          const r = await client.request(OpCode.create, createBody(path, `v${i}`));
          if (r.header.err === Err.Ok) acked.singles.set(path, `v${i}`);
        }
      } catch {
        return; // the connection died with the server
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, one));
}

async function exists(c: RawClient, path: string): Promise<boolean> {
  const r = await c.request(OpCode.exists, (w) => w.ustring(path).bool(false));
  return r.header.err === Err.Ok;
}

async function getData(c: RawClient, path: string): Promise<string | null> {
  const r = await c.request(OpCode.getData, (w) => w.ustring(path).bool(false));
  if (r.header.err !== Err.Ok) return null;
  const rd = new JuteReader(r.body);
  const data = rd.buffer();
  readStat(rd);
  return data === null ? '' : data.toString();
}

/** Writes garbage right after the last valid record of the newest log: a torn write. */
function tearNewestLog(dataDir: string, rnd: SeededRandom): string | null {
  const dir = join(dataDir, 'version-2');
  const logs = readdirSync(dir).filter((f) => f.startsWith('log.')).sort((a, b) => (BigInt('0x' + a.slice(4)) < BigInt('0x' + b.slice(4)) ? -1 : 1));
  const newest = logs.at(-1);
  if (newest === undefined) return null;
  const scan = scanLogFile(join(dir, newest));
  let step = scan.next();
  while (!step.done) step = scan.next();
  const end = step.value.validEnd;
  const fd = openSync(join(dir, newest), 'r+');
  // A plausible record start (non-zero checksum and length) followed by half its bytes.
  const junk = rnd.bytes(13 + rnd.int(40));
  junk[0] |= 0x80;
  writeSync(fd, junk, 0, junk.length, end);
  closeSync(fd);
  return newest;
}

test('SIGKILL under load 20 times: every acknowledged write survives, multis are atomic, torn tails are cut back', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tszk-crash-'));
  const port = await freePort();
  const rnd = new SeededRandom(Number(process.env.TSZK_CRASH_SEED ?? 20261125));
  const acked: Acked = { singles: new Map(), multis: [] };
  const attempted: string[][] = [];
  let server: RunningServer | undefined;
  let torn = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      server = await startTszk(round === 0 ? { dir, port, cfg: { snapCount: 400 } } : { dir, port });
      // Everything acknowledged in earlier rounds is still there.
      const checker = await RawClient.connect(server.port);
      for (const [path, data] of acked.singles) assert.equal(await getData(checker, path), data, `round ${round}: acknowledged ${path} lost`);
      for (const paths of acked.multis) for (const p of paths) assert.ok(await exists(checker, p), `round ${round}: acknowledged multi member ${p} lost`);
      for (const paths of attempted) {
        const present = await Promise.all(paths.map((p) => exists(checker, p)));
        assert.ok(present.every((x) => x) || present.every((x) => !x), `round ${round}: multi half-applied: ${paths.join(',')} → ${present}`);
      }
      await checker.close();
      if (round === 0) {
        const setup = await RawClient.connect(server.port);
        await setup.request(OpCode.create, createBody('/crash', ''));
        await setup.close();
      }
      const clients = await Promise.all(Array.from({ length: CLIENTS }, () => RawClient.connect(server!.port)));
      const writing = clients.map((c, i) => writeUntilKilled(c, `/crash/r${round}c${i}`, acked, attempted));
      await new Promise((r) => setTimeout(r, 150 + rnd.int(600)));
      await server.kill();
      await Promise.all(writing);
      for (const c of clients) c.destroy();
      if (round % 4 === 3 && tearNewestLog(server.dataDir, rnd) !== null) torn++;
    }
    server = await startTszk({ dir, port });
    const c = await RawClient.connect(server.port);
    for (const [path, data] of acked.singles) assert.equal(await getData(c, path), data, `final: acknowledged ${path} lost`);
    await c.close();
    assert.ok(acked.singles.size > ROUNDS * 10, `the load was real: ${acked.singles.size} acknowledged creates`);
    assert.ok(torn >= 4, 'torn tails were exercised');
    assert.match(server.output(), /Truncated the torn end/, 'recovery reported cutting a torn tail');
  } finally {
    await server?.stop({ keepDir: true });
    rmSync(dir, { recursive: true, force: true });
  }
});
