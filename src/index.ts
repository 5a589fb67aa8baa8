/**
 * tszk: Apache ZooKeeper rebuilt in TypeScript. The package root exports the client, its errors
 * and the recipes:
 *
 *   import { connect, Mutex } from 'tszk';
 */
export * from './client/index.js';
export * from './recipes/index.js';
