/** The tszk ZooKeeper client: connect(), ZooKeeperClient, typed errors, ACL helpers. */
export { connect, ZooKeeperClient, CONFIG_NODE, toBytes } from './api.js';
export type { ClientEvents, CreateResult, DataResult, ChildrenResult, ACLResult, ClientInfo } from './api.js';
export * from './errors.js';
export * from './types.js';
export * from './acl.js';
export { Transaction } from './transaction.js';
export type {
  MultiOpInput,
  MultiOpResult,
  CreateOp,
  DeleteOp,
  SetDataOp,
  CheckOp,
  CreateOpResult,
  DeleteOpResult,
  SetDataOpResult,
  CheckOpResult,
  ReadOpInput,
  ReadOpResult,
  ResultsOf,
  ResultOf,
} from './transaction.js';
export { WatchStream } from './watch-stream.js';
export type { WatchKind, WatchStreamOptions } from './watch-stream.js';
export { parseConnectString, validatePath, pathProblem, joinPath, parentOf } from './path.js';
export type { HostPort, ParsedConnectString } from './path.js';
/** Watch event types and session states, as the wire numbers them (Java's Watcher.Event.*). */
export { EventType, KeeperState } from '../jute/constants.js';
