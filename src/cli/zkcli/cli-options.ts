/**
 * The option parsing Apache's zkCli commands get from commons-cli's DefaultParser, and its error
 * texts: `-s -w` or `-sw`, `-v 3` or `-v3`, options anywhere among the arguments, `--` ending them,
 * negative numbers taken as arguments, at most one option of a group.
 */

export interface OptionSpec {
  name: string;
  hasArg: boolean;
  description: string;
}

export interface OptionGroupSpec {
  names: string[];
  required: boolean;
}

export class CliParseError extends Error {}

export interface ParsedCommandLine {
  /** The arguments that are not options, the command name first (commons-cli's getArgs()). */
  args: string[];
  has(name: string): boolean;
  value(name: string): string | undefined;
}

export function parseCommandLine(tokens: readonly string[], options: readonly OptionSpec[], groups: readonly OptionGroupSpec[] = []): ParsedCommandLine {
  const byName = new Map(options.map((o) => [o.name, o]));
  const values = new Map<string, string | undefined>();
  const args: string[] = [];
  const chosen = new Map<OptionGroupSpec, string>();
  const select = (o: OptionSpec): void => {
    for (const g of groups) {
      if (!g.names.includes(o.name)) continue;
      const prev = chosen.get(g);
      if (prev !== undefined && prev !== o.name) {
        throw new CliParseError(`The option '${o.name}' was specified but an option from this group has already been selected: '${prev}'`);
      }
      chosen.set(g, o.name);
    }
  };
  let i = 0;
  const take = (o: OptionSpec, inline: string | undefined): void => {
    select(o);
    if (!o.hasArg) {
      values.set(o.name, undefined);
      return;
    }
    if (inline !== undefined && inline !== '') {
      values.set(o.name, inline);
      return;
    }
    const next = tokens[i + 1];
    if (next === undefined || (next.startsWith('-') && next.length > 1 && !isNumber(next))) throw new CliParseError(`Missing argument for option: ${o.name}`);
    values.set(o.name, next);
    i++;
  };
  let optionsEnded = false;
  for (; i < tokens.length; i++) {
    const t = tokens[i];
    if (optionsEnded || !t.startsWith('-') || t === '-' || (isNumber(t) && !byName.has(t.substring(1)))) {
      args.push(t);
      continue;
    }
    if (t === '--') {
      optionsEnded = true;
      continue;
    }
    const body = t.startsWith('--') ? t.substring(2) : t.substring(1);
    const eq = body.indexOf('=');
    const whole = byName.get(eq > 0 ? body.substring(0, eq) : body);
    if (whole !== undefined) {
      take(whole, eq > 0 ? body.substring(eq + 1) : undefined);
      continue;
    }
    const first = byName.get(body[0]);
    if (first === undefined || t.startsWith('--')) throw new CliParseError(`Unrecognized option: ${t}`);
    if (first.hasArg) {
      take(first, body.substring(1));
      continue;
    }
    // Concatenated flags: -sw.
    for (let k = 0; k < body.length; k++) {
      const o = byName.get(body[k]);
      if (o === undefined) throw new CliParseError(`Unrecognized option: -${body[k]}`);
      if (o.hasArg) {
        take(o, body.substring(k + 1));
        break;
      }
      take(o, undefined);
    }
  }
  for (const g of groups) {
    if (g.required && !chosen.has(g)) {
      const names = g.names.map((n) => `-${n} ${byName.get(n)?.description ?? ''}`.trim());
      throw new CliParseError(`Missing required option: [${names.join(', ')}]`);
    }
  }
  return { args, has: (n) => values.has(n), value: (n) => values.get(n) };
}

function isNumber(t: string): boolean {
  return /^-\d+(\.\d+)?$/.test(t);
}

/** ZooKeeperMain's line splitting: whitespace-separated words, "double" or 'single' quoted. */
export function splitCommandLine(line: string): string[] {
  const out: string[] = [];
  const re = /\s*([^"'\s]\S*|"[^"]*"|'[^']*')\s*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) {
    if (m[0] === '') {
      re.lastIndex++;
      continue;
    }
    let v = m[1];
    if (/^(['"])(.*)\1$/s.test(v)) v = v.substring(1, v.length - 1);
    out.push(v);
  }
  return out;
}
