/**
 * ZooTrace's text trace mask, which gtmk/stmk and get_trace_mask/set_trace_mask read and set. tszk
 * has no trace output; it keeps the value so the commands answer as Apache's do (default 306).
 */
let mask = 306n;

export function getTraceMask(): bigint {
  return mask;
}

export function setTraceMask(v: bigint): void {
  mask = v;
}
