/**
 * How a leader brings a learner's history in line with its own (LearnerHandler.syncFollower):
 *
 * - DIFF: the learner's last zxid is in the leader's window of recent committed txns; the leader
 *   sends the txns after it (as PROPOSAL + COMMIT pairs).
 * - TRUNC: the learner has txns the leader never committed (it is ahead of the window, or its last
 *   txns are missing from the window within one epoch); it cuts its log back to the last zxid they
 *   share, then gets the rest as with DIFF.
 * - SNAP: anything else (the learner is older than the window, or diverged across an epoch): the
 *   leader's whole database.
 *
 * A learner whose last zxid is makeZxid(e, 0) has nothing of epoch e, so it can take a DIFF from
 * the first txn above it. The window holds txns the leader has applied; proposals still in flight
 * are forwarded after the plan (Leader.startForwarding).
 */
import { epochOf, isEpochStart } from './zxid.js';
import type { Faults, Txn } from './types.js';

export type SyncPlan =
  | { readonly mode: 'DIFF' | 'TRUNC'; readonly zxid: bigint; readonly txns: readonly Txn[]; readonly through: bigint }
  | { readonly mode: 'SNAP'; readonly zxid: bigint; readonly through: bigint };

export function planLearnerSync(peerLastZxid: bigint, lastApplied: bigint, window: readonly Txn[], faults?: Faults): SyncPlan {
  if (peerLastZxid === lastApplied) return { mode: 'DIFF', zxid: peerLastZxid, txns: [], through: peerLastZxid };
  const min = window.length > 0 ? window[0].zxid : lastApplied;
  const max = window.length > 0 ? window[window.length - 1].zxid : lastApplied;
  const peerAtEpochStart = isEpochStart(peerLastZxid);

  if (peerLastZxid > max && !peerAtEpochStart) {
    // The learner is ahead: whatever it has beyond our last txn was never committed.
    if (faults?.skipTrunc) return { mode: 'DIFF', zxid: peerLastZxid, txns: [], through: peerLastZxid };
    return { mode: 'TRUNC', zxid: max, txns: [], through: max };
  }
  if (peerLastZxid >= min && peerLastZxid <= max) {
    let op: { mode: 'DIFF' | 'TRUNC'; zxid: bigint } | null = null;
    let prev = -1n;
    const txns: Txn[] = [];
    for (const t of window) {
      if (t.zxid < peerLastZxid) {
        prev = t.zxid;
        continue;
      }
      if (op === null) {
        if (t.zxid === peerLastZxid) {
          op = { mode: 'DIFF', zxid: max };
          continue;
        }
        if (peerAtEpochStart) {
          op = { mode: 'DIFF', zxid: max };
        } else {
          // Our next txn is past the learner's last one, which we never had.
          if (epochOf(t.zxid) !== epochOf(peerLastZxid)) return { mode: 'SNAP', zxid: lastApplied, through: lastApplied };
          op = faults?.skipTrunc ? { mode: 'DIFF', zxid: max } : { mode: 'TRUNC', zxid: prev };
        }
      }
      txns.push(t);
    }
    if (op === null) op = { mode: 'DIFF', zxid: max };
    return { ...op, txns, through: txns.length > 0 ? txns[txns.length - 1].zxid : op.mode === 'TRUNC' ? op.zxid : peerLastZxid };
  }
  return { mode: 'SNAP', zxid: lastApplied, through: lastApplied };
}
