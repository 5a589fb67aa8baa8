/**
 * The request pipeline: prep → replicate → apply → reply, the one path every request takes.
 *
 * Writes are prepared into txns at once (prep runs ahead of apply), handed to the replicator, and
 * applied to the tree when it reports them durable, in zxid order. Requests that are not txns
 * (reads, pings, sync, watch management) run straight against the tree, but never overtake an
 * earlier write of their own session: each session has a queue, and a read waits behind that
 * session's pending writes. Replies therefore leave in each session's request order, and a watch
 * event fired by an applied txn reaches its connection before the reply that follows it.
 */
import { Err, OpCode } from '../jute/constants.js';
import type { Id } from '../jute/records.js';
import { encodeTxnEntry, TxnEntry } from '../jute/txn.js';
import type { DataTree, ProcessTxnResult } from '../tree/data-tree.js';
import type { FinalProcessor, ReplyTarget } from './final.js';
import type { PrepProcessor } from './prep.js';
import type { Replicator } from './replicator.js';
import type { SessionTracker } from './session-tracker.js';

export interface ClientRequest {
  sessionId: bigint;
  xid: number;
  type: number;
  body: Buffer;
  /** The connection to answer; null for the server's own requests (expiry, container reaping). */
  conn: ReplyTarget | null;
  authInfo: readonly Id[];
  /** Called when the request's txn was applied, before the reply (e.g. to finish a handshake). */
  onApplied?: (rc: ProcessTxnResult) => void;
  /** Called instead of a reply when the txn could not be made durable. */
  onFailed?: (err: Error) => void;
  receivedAt: number;
}

interface Pending {
  req: ClientRequest;
  write: boolean;
  rc?: ProcessTxnResult;
  failed?: Error;
}

export const TXN_OPS: ReadonlySet<number> = new Set<number>([
  OpCode.create,
  OpCode.create2,
  OpCode.createTTL,
  OpCode.createContainer,
  OpCode.delete,
  OpCode.deleteContainer,
  OpCode.setData,
  OpCode.setACL,
  OpCode.check,
  OpCode.multi,
  OpCode.reconfig,
  OpCode.createSession,
  OpCode.closeSession,
]);

export interface PipelineHooks {
  /** A txn was applied (for metrics, snapshots, session bookkeeping). */
  onTxnApplied?(entry: TxnEntry, rc: ProcessTxnResult): void;
  /** A request finished with this latency in ms (for stats). */
  onRequestDone?(req: ClientRequest, now: number): void;
  now(): number;
}

export class RequestPipeline {
  private readonly queues = new Map<bigint, Pending[]>();
  private inFlight = 0;

  constructor(
    private readonly tree: DataTree,
    private readonly sessions: SessionTracker,
    private readonly prep: PrepProcessor,
    private readonly final: FinalProcessor,
    private readonly replicator: Replicator,
    private readonly hooks: PipelineHooks,
  ) {}

  /** Requests accepted and not yet answered. */
  get outstanding(): number {
    return this.inFlight;
  }

  submit(req: ClientRequest): void {
    this.inFlight++;
    const write = TXN_OPS.has(req.type);
    let queue = this.queues.get(req.sessionId);
    if (!write && queue === undefined) {
      this.runRead(req);
      return;
    }
    if (queue === undefined) this.queues.set(req.sessionId, (queue = []));
    const p: Pending = { req, write };
    queue.push(p);
    if (!write) return; // waits behind this session's pending write
    const { hdr, txn } = this.prep.prepare({ sessionId: req.sessionId, cxid: req.xid, type: req.type, body: req.body, authInfo: req.authInfo });
    const entry: TxnEntry = { hdr, txn };
    this.replicator.replicate(entry, encodeTxnEntry(entry), (err) => (err === null ? this.commit(p, entry) : this.abort(p, err)));
  }

  private runRead(req: ClientRequest): void {
    this.inFlight--;
    const conn = req.conn;
    if (conn === null) return;
    const s = this.sessions.get(req.sessionId);
    if (s === undefined || s.closing) conn.reply(req.xid, this.tree.lastProcessedZxid, Err.SessionExpired);
    else this.final.processRead({ xid: req.xid, type: req.type, body: req.body, conn });
    this.hooks.onRequestDone?.(req, this.hooks.now());
  }

  /** Applies a durable txn, then answers everything of its session that can now be answered. */
  private commit(p: Pending, entry: TxnEntry): void {
    const { hdr, txn } = entry;
    if (txn.kind === 'createSession') this.sessions.add(hdr.clientId, txn.timeOut, this.hooks.now());
    const rc = this.tree.processTxn(hdr, txn);
    if (txn.kind === 'closeSession') this.sessions.remove(hdr.clientId);
    this.prep.applied(hdr.zxid);
    p.rc = rc;
    this.hooks.onTxnApplied?.(entry, rc);
    this.drain(p.req.sessionId);
  }

  private abort(p: Pending, err: Error): void {
    if (p.failed === undefined && p.rc === undefined) {
      // Everything prepared after the last applied txn is void: start again from the tree.
      this.prep.resetTo(this.tree.lastProcessedZxid);
      if (p.req.type === OpCode.closeSession) {
        const s = this.sessions.get(p.req.sessionId);
        if (s !== undefined) s.closing = false;
      }
    }
    p.failed = err;
    this.drain(p.req.sessionId);
  }

  private drain(sessionId: bigint): void {
    const queue = this.queues.get(sessionId);
    if (queue === undefined) return;
    while (queue.length > 0) {
      const head = queue[0];
      if (head.write) {
        if (head.rc === undefined && head.failed === undefined) break;
        queue.shift();
        this.inFlight--;
        this.finishWrite(head);
      } else {
        queue.shift();
        this.runRead(head.req);
      }
    }
    if (queue.length === 0) this.queues.delete(sessionId);
  }

  private finishWrite(p: Pending): void {
    const { req } = p;
    if (p.failed !== undefined) {
      if (req.onFailed) req.onFailed(p.failed);
      else req.conn?.reply(req.xid, this.tree.lastProcessedZxid, Err.SystemError);
    } else {
      req.onApplied?.(p.rc!);
      if (req.conn !== null && req.type !== OpCode.createSession) this.final.replyWrite(req.conn, req.xid, req.type, p.rc!);
    }
    this.hooks.onRequestDone?.(req, this.hooks.now());
  }
}
