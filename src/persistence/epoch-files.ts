/**
 * The quorum's epoch files, `acceptedEpoch` and `currentEpoch`, kept by QuorumPeer next to the
 * snapshots (in `<dataDir>/version-2`): the decimal text of a long, written atomically
 * (AtomicFileWritingIdiom: `<name>.tmp`, fsync, rename) and read back with Long.parseLong of the
 * first line.
 */
import { readFileSync, writeFileSync, openSync, fsyncSync, closeSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDirSync } from './files.js';

export const ACCEPTED_EPOCH_FILE = 'acceptedEpoch';
export const CURRENT_EPOCH_FILE = 'currentEpoch';

export class EpochFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EpochFileError';
  }
}

/** The value in `<snapDir>/<name>`, or null when the file does not exist. */
export function readEpochFile(snapDir: string, name: string): bigint | null {
  const file = join(snapDir, name);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const line = text.split(/\r?\n/, 1)[0];
  if (!/^[+-]?\d+$/.test(line)) throw new EpochFileError(`Found ${line} in ${file}`);
  const v = BigInt(line);
  if (v > 0x7fffffffffffffffn || v < -0x8000000000000000n) throw new EpochFileError(`Found ${line} in ${file}`);
  return v;
}

/** Writes `<snapDir>/<name>` atomically and durably. */
export function writeEpochFile(snapDir: string, name: string, value: bigint): void {
  const file = join(snapDir, name);
  const tmp = file + '.tmp';
  try {
    writeFileSync(tmp, value.toString());
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* not there */
    }
    throw e;
  }
  fsyncDirSync(snapDir);
}

export const readAcceptedEpoch = (snapDir: string): bigint | null => readEpochFile(snapDir, ACCEPTED_EPOCH_FILE);
export const readCurrentEpoch = (snapDir: string): bigint | null => readEpochFile(snapDir, CURRENT_EPOCH_FILE);
export const writeAcceptedEpoch = (snapDir: string, v: bigint): void => writeEpochFile(snapDir, ACCEPTED_EPOCH_FILE, v);
export const writeCurrentEpoch = (snapDir: string, v: bigint): void => writeEpochFile(snapDir, CURRENT_EPOCH_FILE, v);
