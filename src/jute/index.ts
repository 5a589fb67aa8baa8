export * from './reader.js';
export * from './writer.js';
export * from './constants.js';
export * from './records.js';
export * from './txn.js';
export * from './election.js';
export * from './quorum-packets.js';
