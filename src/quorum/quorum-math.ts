/** Majority quorums over the voting members (QuorumMaj): observers never count. */
export function isQuorum(sids: Iterable<number>, voters: readonly number[]): boolean {
  let n = 0;
  for (const sid of sids) if (voters.includes(sid)) n++;
  return n * 2 > voters.length;
}

/** The voters among `sids`, sorted: what a state action reports as the quorum that decided. */
export function votersAmong(sids: Iterable<number>, voters: readonly number[]): number[] {
  return [...new Set(sids)].filter((s) => voters.includes(s)).sort((a, b) => a - b);
}
