/**
 * `zkCleanup.sh`'s engine, with PurgeTxnLog's command line:
 *
 *   node dist/src/persistence/cleanup-cli.js dataLogDir [snapDir] -n count
 *
 * keeps the `count` (≥ 3) newest snapshots and the logs they need, removes the rest, and prints one
 * "Removing file: <date>\t<path>" line per file, as PurgeTxnLog does.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { purge, MIN_SNAP_RETAIN_COUNT } from './purge.js';

const USAGE = [
  'Usage:',
  'PurgeTxnLog dataLogDir [snapDir] -n count',
  '\tdataLogDir -- path to the txn log directory',
  '\tsnapDir -- path to the snapshot directory',
  '\tcount -- the number of old snaps/logs you want to keep, value should be greater than or equal to 3',
].join('\n');

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** Runs the command; returns the exit code. */
export function cleanupMain(args: string[], io: CliIo): number {
  const usage = (): number => {
    io.out(USAGE);
    return 1;
  };
  if (args.length < 3 || args.length > 4) return usage();
  const dataLogDir = args[0];
  const snapDir = args.length === 4 ? args[1] : args[0];
  const flag = args[args.length - 2];
  const countText = args[args.length - 1];
  for (const d of new Set([dataLogDir, snapDir])) {
    if (!existsSync(d)) {
      io.err(`Path '${resolve(d)}' does not exist. `);
      return usage();
    }
  }
  if (!/^[+-]?\d+$/.test(countText)) {
    io.err(`'${countText}' can not be parsed to integer.`);
    return usage();
  }
  const count = Number(countText);
  if (count < MIN_SNAP_RETAIN_COUNT) {
    io.err('count should be greater than or equal to 3');
    return usage();
  }
  if (flag !== '-n') return usage();
  const r = purge(snapDir, dataLogDir, count);
  for (const f of r.removed) io.out(`Removing file: ${new Date(f.mtimeMs).toLocaleString()}\t${f.path}`);
  for (const f of r.failed) io.err(`Failed to remove ${f.path}`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = cleanupMain(process.argv.slice(2), {
    out: (l) => process.stdout.write(l + '\n'),
    err: (l) => process.stderr.write(l + '\n'),
  });
}
