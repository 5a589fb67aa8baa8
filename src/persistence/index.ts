/**
 * persistence/: ZooKeeper 3.8's own data files — txn logs, fuzzy snapshots, recovery, purge.
 * See each module's comment; DESIGN.md for where this sits in the pipeline.
 */
export * from './files.js';
export * from './adler32.js';
export * from './log-format.js';
export * from './txn-log.js';
export * from './txn-log-reader.js';
export * from './truncate.js';
export * from './snapshot-writer.js';
export * from './snapshot-reader.js';
export { isValidSnapshotFile, openSnapshotInput } from './snap-stream.js';
export * from './recovery.js';
export * from './purge.js';
export * from './epoch-files.js';
export * from './snapshot-policy.js';
