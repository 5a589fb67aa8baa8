/**
 * java.util.Properties' text format, which zoo.cfg is: `key=value`, `key:value` or `key value`;
 * `#` and `!` comment lines; a trailing backslash continues a line; `\t \n \r \f \uXXXX` escapes.
 * Each entry keeps the line it started on, so errors can name it.
 */

export interface PropertyLine {
  key: string;
  /** The value with leading whitespace removed, as Properties gives it (ZooKeeper trims it too). */
  value: string;
  line: number;
}

export function parseProperties(text: string): PropertyLine[] {
  const out: PropertyLine[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let logical = lines[i].replace(/^[ \t\f]+/, '');
    if (logical === '' || logical[0] === '#' || logical[0] === '!') continue;
    while (endsWithOddBackslashes(logical) && i + 1 < lines.length) {
      logical = logical.slice(0, -1) + lines[++i].replace(/^[ \t\f]+/, '');
    }
    if (endsWithOddBackslashes(logical)) logical = logical.slice(0, -1);
    const { key, rest } = splitKey(logical);
    out.push({ key: unescape(key), value: unescape(rest), line: start });
  }
  return out;
}

function endsWithOddBackslashes(s: string): boolean {
  let n = 0;
  for (let j = s.length - 1; j >= 0 && s[j] === '\\'; j--) n++;
  return n % 2 === 1;
}

function splitKey(s: string): { key: string; rest: string } {
  let j = 0;
  while (j < s.length) {
    const c = s[j];
    if (c === '\\') {
      j += 2;
      continue;
    }
    if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
    j++;
  }
  const key = s.substring(0, j);
  let k = j;
  while (k < s.length && (s[k] === ' ' || s[k] === '\t' || s[k] === '\f')) k++;
  if (k < s.length && (s[k] === '=' || s[k] === ':')) k++;
  while (k < s.length && (s[k] === ' ' || s[k] === '\t' || s[k] === '\f')) k++;
  return { key, rest: s.substring(k) };
}

function unescape(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let j = 0; j < s.length; j++) {
    const c = s[j];
    if (c !== '\\' || j + 1 >= s.length) {
      out += c;
      continue;
    }
    const n = s[++j];
    if (n === 't') out += '\t';
    else if (n === 'n') out += '\n';
    else if (n === 'r') out += '\r';
    else if (n === 'f') out += '\f';
    else if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(s.substr(j + 1, 4))) {
      out += String.fromCharCode(parseInt(s.substr(j + 1, 4), 16));
      j += 4;
    } else out += n;
  }
  return out;
}

/** `-Dkey=value` pairs from JVM flag strings (SERVER_JVMFLAGS, JVMFLAGS), later ones winning. */
export function systemPropertiesFrom(...flagStrings: (string | undefined)[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of flagStrings) {
    if (s === undefined) continue;
    for (const m of s.matchAll(/(?:^|\s)-D([^=\s]+)(?:=("[^"]*"|'[^']*'|\S*))?/g)) {
      let v = m[2] ?? '';
      if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
      out.set(m[1], v);
    }
  }
  return out;
}
