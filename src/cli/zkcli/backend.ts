/**
 * What zkCli needs from a ZooKeeper client: the calls its commands make, errors carrying the
 * KeeperException code and path, and the events it prints. An adapter over tszk's own client
 * implements it (client-backend.ts).
 */
import type { ACL, Stat } from '../../jute/records.js';

/** A failed call: ZooKeeper's error code (Err) and the path it concerned. */
export class ZkCallError extends Error {
  constructor(
    readonly code: number,
    readonly path: string | null,
    message: string,
  ) {
    super(message);
  }
}

/** The client refused a path before sending anything (Java's IllegalArgumentException). */
export class BadPathError extends Error {}

export type CreateMode = 'persistent' | 'persistent_sequential' | 'ephemeral' | 'ephemeral_sequential' | 'container' | 'persistent_with_ttl' | 'persistent_sequential_with_ttl';
export type AddWatchMode = 'PERSISTENT' | 'PERSISTENT_RECURSIVE';
export type WatcherKind = 'children' | 'data' | 'any';

export interface CliEvent {
  type: number;
  state: number;
  path: string | null;
}

export interface ZkCliBackend {
  /** ZooKeeper.States' name: CONNECTING, CONNECTED, CONNECTEDREADONLY, CLOSED, ... */
  state(): string;
  isAlive(): boolean;
  create(path: string, data: Buffer | null, acl: ACL[], mode: CreateMode, ttl: bigint): Promise<string>;
  delete(path: string, version: number): Promise<void>;
  exists(path: string, watch: boolean): Promise<Stat | null>;
  getData(path: string, watch: boolean): Promise<{ data: Buffer | null; stat: Stat }>;
  setData(path: string, data: Buffer, version: number): Promise<Stat>;
  getChildren(path: string, watch: boolean): Promise<{ children: string[]; stat: Stat }>;
  getACL(path: string): Promise<{ acl: ACL[]; stat: Stat }>;
  setACL(path: string, acl: ACL[], version: number): Promise<Stat>;
  sync(path: string): Promise<void>;
  addWatch(path: string, mode: AddWatchMode): Promise<void>;
  removeAllWatches(path: string, kind: WatcherKind, local: boolean): Promise<void>;
  getEphemerals(prefix: string): Promise<string[]>;
  getAllChildrenNumber(path: string): Promise<number>;
  whoAmI(): Promise<{ scheme: string; user: string }[]>;
  addAuth(scheme: string, auth: Buffer): Promise<void>;
  /** A multi of deletes (deleteall's batches): true when it succeeded. */
  deleteMany(paths: string[]): Promise<boolean>;
  close(): Promise<void>;
}
