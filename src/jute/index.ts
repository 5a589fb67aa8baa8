export * from './reader.js';
export * from './writer.js';
export * from './constants.js';
export * from './records.js';
export * from './txn.js';
