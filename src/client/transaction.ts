/**
 * multi (atomic writes) and multiRead: the operations, their typed results, and a builder whose
 * `commit()` resolves to a tuple typed after the operations added:
 *
 *   const [created, , stat] = await client.transaction()
 *     .create('/a', 'x')          // CreateOpResult
 *     .check('/b', 3)             // CheckOpResult
 *     .setData('/b', 'y')         // SetDataOpResult
 *     .commit();
 *
 * A failed multi throws the typed error of the operation that failed (NodeExistsError, ...), with
 * `error.multi = { index, codes }` telling which one and the code of each.
 */
import { OpCode, Err } from '../jute/constants.js';
import type { ACL, Stat, MultiOp, OpResult } from '../jute/records.js';
import type { CallOptions, CreateMode, Data } from './types.js';
import type { ZooKeeperError } from './errors.js';

export type CreateOp = { op: 'create'; path: string; data?: Data; mode?: CreateMode; acl?: readonly ACL[]; ttl?: number };
export type DeleteOp = { op: 'delete'; path: string; version?: number };
export type SetDataOp = { op: 'setData'; path: string; data: Data; version?: number };
export type CheckOp = { op: 'check'; path: string; version: number };
/** One write of a multi. */
export type MultiOpInput = CreateOp | DeleteOp | SetDataOp | CheckOp;

export interface CreateOpResult {
  op: 'create';
  /** The created path (with the sequence number for sequential modes), without the chroot. */
  path: string;
  /** The new znode's stat when the server sends it (3.8 does for container and TTL creates only). */
  stat: Stat | null;
}
export interface DeleteOpResult {
  op: 'delete';
}
export interface SetDataOpResult {
  op: 'setData';
  stat: Stat;
}
export interface CheckOpResult {
  op: 'check';
}
export type MultiOpResult = CreateOpResult | DeleteOpResult | SetDataOpResult | CheckOpResult;

/** The result type of one multi operation. */
export type ResultOf<O> = O extends CreateOp
  ? CreateOpResult
  : O extends DeleteOp
    ? DeleteOpResult
    : O extends SetDataOp
      ? SetDataOpResult
      : O extends CheckOp
        ? CheckOpResult
        : never;

/** The result tuple of a multi, element by element. */
export type ResultsOf<T extends readonly MultiOpInput[]> = { -readonly [K in keyof T]: ResultOf<T[K]> };

export type ReadOpInput = { op: 'getData'; path: string } | { op: 'getChildren'; path: string };
export type ReadOpResult =
  | { op: 'getData'; data: Buffer | null; stat: Stat }
  | { op: 'getChildren'; children: string[] }
  | { op: 'error'; error: ZooKeeperError };

/** Builds a multi; every call returns the builder with the result tuple extended. */
export class Transaction<R extends readonly MultiOpResult[] = []> {
  private readonly ops: MultiOpInput[] = [];

  constructor(private readonly run: (ops: MultiOpInput[], opts?: CallOptions) => Promise<MultiOpResult[]>) {}

  /** The operations added so far. */
  get operations(): readonly MultiOpInput[] {
    return this.ops;
  }

  create(path: string, data: Data = null, opts: { mode?: CreateMode; acl?: readonly ACL[]; ttl?: number } = {}): Transaction<[...R, CreateOpResult]> {
    this.ops.push({ op: 'create', path, data, ...opts });
    return this as unknown as Transaction<[...R, CreateOpResult]>;
  }

  delete(path: string, version = -1): Transaction<[...R, DeleteOpResult]> {
    this.ops.push({ op: 'delete', path, version });
    return this as unknown as Transaction<[...R, DeleteOpResult]>;
  }

  setData(path: string, data: Data, version = -1): Transaction<[...R, SetDataOpResult]> {
    this.ops.push({ op: 'setData', path, data, version });
    return this as unknown as Transaction<[...R, SetDataOpResult]>;
  }

  check(path: string, version: number): Transaction<[...R, CheckOpResult]> {
    this.ops.push({ op: 'check', path, version });
    return this as unknown as Transaction<[...R, CheckOpResult]>;
  }

  /** Sends the multi; all operations take effect or none does. */
  async commit(opts?: CallOptions): Promise<R> {
    return (await this.run(this.ops, opts)) as unknown as R;
  }
}

/** The wire opcode of a create: alone, create2 (the reply has the stat); in a multi, create (as Java's Op.create). */
export function createOpcode(mode: CreateMode, inMulti = false): typeof OpCode.create | typeof OpCode.create2 | typeof OpCode.createContainer | typeof OpCode.createTTL {
  if (mode === 'container') return OpCode.createContainer;
  if (mode === 'persistentWithTTL' || mode === 'persistentSequentialWithTTL') return OpCode.createTTL;
  return inMulti ? OpCode.create : OpCode.create2;
}

/** Finds the failing operation of a multi's results: its index and every code. */
export function multiFailure(results: readonly OpResult[]): { index: number; codes: number[] } | undefined {
  const codes = results.map((r) => (r.type === OpCode.error ? r.err : Err.Ok));
  const index = codes.findIndex((c) => c !== Err.Ok && c !== Err.RuntimeInconsistency);
  const i = index >= 0 ? index : codes.findIndex((c) => c !== Err.Ok);
  return i >= 0 ? { index: i, codes } : undefined;
}

export type { MultiOp };
