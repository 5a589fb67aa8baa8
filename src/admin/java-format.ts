/**
 * Values printed the way the JVM prints them, because operators' tools parse Apache ZooKeeper's
 * output: Double.toString, Long.toHexString, Date.toString, and the JSON that the AdminServer's
 * Jackson ObjectMapper writes with INDENT_OUTPUT (DefaultPrettyPrinter).
 */

/** A Java double: printed "0.0", "3.8182", "1.0E7" — never as an integer. */
export class JDouble {
  constructor(readonly value: number) {}
}

/**
 * A value of a command's result: numbers and bigints are Java longs, JDouble a double, Map an
 * object with its keys in order (a plain object would move integer-like keys to the front).
 */
export type JValue = null | boolean | string | number | bigint | JDouble | JValue[] | JMap;
export type JMap = Map<string, JValue>;

/** Java's Double.toString. */
export function javaDouble(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return 'Infinity';
  if (v === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(v);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(v);
    return s.includes('.') ? s : `${s}.0`;
  }
  // "Computerized scientific notation": one digit, a fraction of at least one digit, E, exponent.
  const [mantissa, exp] = v.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exp.startsWith('+') ? exp.substring(1) : exp}`;
}

/** Rounds half up to 4 decimals, as ZooKeeper's AvgMinMaxCounter.getAvg does with BigDecimal. */
export function round4(v: number): number {
  return Math.round(v * 10000) / 10000;
}

/** Long.toHexString: two's complement for negatives. */
export function hexLong(v: bigint | number): string {
  return BigInt.asUintN(64, BigInt(v)).toString(16);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const zoneFormat = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' });

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** java.util.Date.toString in the local time zone: "Wed Nov 25 01:48:05 UTC 2026". */
export function javaDate(ms: number): string {
  const d = new Date(ms);
  const zone = zoneFormat.formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? 'UTC';
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())} ${zone} ${d.getFullYear()}`;
}

/** A scalar as mntr prints it: longs as digits, doubles as Java doubles, strings as they are. */
export function javaScalar(v: string | number | bigint | JDouble | null): string {
  if (v === null) return 'null';
  if (v instanceof JDouble) return javaDouble(v.value);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : javaDouble(v);
  return String(v);
}

function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c >= 0x20) out += s[i];
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else out += `\\u00${c.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out + '"';
}

/**
 * JSON exactly as Jackson's DefaultPrettyPrinter lays it out: objects one field per line indented by
 * two spaces per object level, `"key" : value`, arrays inline as `[ a, b ]`, empty ones `[ ]` and
 * `{ }`, no trailing newline.
 */
export function jacksonJson(v: JValue, level = 0): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return jsonString(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : javaDouble(v);
  if (v instanceof JDouble) return javaDouble(v.value);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[ ]';
    return `[ ${v.map((x) => jacksonJson(x, level)).join(', ')} ]`;
  }
  if (v.size === 0) return '{ }';
  const inner = '  '.repeat(level + 1);
  const fields: string[] = [];
  for (const [k, x] of v) fields.push(`${inner}${jsonString(k)} : ${jacksonJson(x, level + 1)}`);
  return `{\n${fields.join(',\n')}\n${'  '.repeat(level)}}`;
}
