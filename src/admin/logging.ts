/**
 * The server's log: levelled and structured (pino). On the console, one human-readable line per
 * event in log4j's layout as Apache ZooKeeper's conf/log4j.properties prints it
 * ("2026-11-25 01:47:25,123 [myid:1] - INFO  [main] - message"); with a log directory, also one JSON
 * object per line in <dir>/tszk.log for machines.
 *
 * The level comes from ZOO_LOG4J_PROP's first word ("INFO,CONSOLE" → info), as with Apache's scripts.
 */
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { pino, destination, multistream, type DestinationStream, type Level, type StreamEntry } from 'pino';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
/** The server's Logger (zk-server.ts), with optional structured fields. */
export type LogFn = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

export interface LoggerOptions {
  /** Human-readable lines on stdout. */
  console: boolean;
  /** Directory for tszk.log (JSON lines); none when undefined. */
  logDir?: string;
  /** pino level name; default info. */
  level?: Level;
  /** The server id shown as [myid:N]. */
  myid?: number;
}

export interface ServerLogger {
  log: LogFn;
  /** The log file, if any. */
  readonly file?: string;
  /** Writes out what is buffered (call before exiting). */
  flush(): void;
}

/** ZOO_LOG4J_PROP="DEBUG,ROLLINGFILE" → 'debug'; unknown or absent → undefined. */
export function levelFromLog4jProp(prop: string | undefined): Level | undefined {
  const word = prop?.split(',')[0]?.trim().toLowerCase();
  switch (word) {
    case 'trace': case 'debug': case 'info': case 'warn': case 'error': case 'fatal':
      return word;
    case 'all':
      return 'trace';
    default:
      return undefined;
  }
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** log4j's ISO8601 date: "2026-11-25 01:47:25,123" in local time. */
function log4jDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())},${pad(d.getMilliseconds(), 3)}`;
}

/** Turns pino's JSON line back into the console layout (logging is rare enough for the round trip). */
export function humanLine(json: string, myid: number | undefined): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  // pid, hostname and myid are in every JSON line; the console layout shows myid in its own place.
  const { level, time, msg, component, pid: _pid, hostname: _host, myid: _myid, ...rest } = o;
  const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  const lvl = (LEVEL_NAMES[Number(level)] ?? String(level)).padEnd(5);
  return `${log4jDate(typeof time === 'number' ? time : Date.now())} [myid:${myid ?? ''}] - ${lvl} [${typeof component === 'string' ? component : 'main'}] - ${String(msg ?? '')}${extra}\n`;
}

export function createServerLogger(opts: LoggerOptions): ServerLogger {
  const level = opts.level ?? 'info';
  const streams: StreamEntry[] = [];
  if (opts.console) {
    const consoleStream: DestinationStream = { write: (line: string) => void process.stdout.write(humanLine(line, opts.myid)) };
    streams.push({ level, stream: consoleStream });
  }
  let file: string | undefined;
  let fileDest: ReturnType<typeof destination> | undefined;
  if (opts.logDir !== undefined) {
    mkdirSync(opts.logDir, { recursive: true });
    file = join(opts.logDir, 'tszk.log');
    // Opened here, so the stream is ready (and flushable) from the first line on.
    fileDest = destination({ dest: openSync(file, 'a'), sync: false });
    streams.push({ level, stream: fileDest });
  }
  const logger = pino(
    { level, base: opts.myid === undefined ? { pid: process.pid } : { pid: process.pid, myid: opts.myid } },
    multistream(streams),
  );
  const log: LogFn = (lvl, msg, fields) => {
    if (fields === undefined) logger[lvl](msg);
    else logger[lvl](fields, msg);
  };
  return {
    log,
    file,
    flush: () => {
      try {
        fileDest?.flushSync();
      } catch {
        /* not open yet, or already closed */
      }
    },
  };
}
