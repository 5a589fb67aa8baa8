#!/usr/bin/env node
/**
 * The Node side of bin/zkServer.sh. The script finds the configuration, the log directory and the
 * pid file and daemonizes (start, stop, restart, print-cmd), as Apache ZooKeeper's script does; this
 * program does what Apache's script runs Java for:
 *
 *   zkServer.js start-foreground [zoo.cfg]   run a server until SIGTERM/SIGINT (QuorumPeerMain)
 *   zkServer.js status [zoo.cfg]             "Client port found: ...", then the server's "Mode: ..."
 *                                            (the script's grep/sed plus FourLetterWordMain ... srvr)
 *   zkServer.js version                      one line, like VersionInfoMain
 *
 * Errors are one line and a usage line, never a stack trace.
 */
import { existsSync, readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { dirname, join, resolve } from 'node:path';
import { loadConfigFile } from '../config/parse.js';
import { systemPropertiesFrom } from '../config/properties-file.js';
import { ConfigError } from '../config/types.js';
import { VERSION_LINE } from '../admin/version.js';
import type { ServerConfig } from '../config/types.js';

const USAGE = 'Usage: zkServer.js {start-foreground|status|version} [zoo.cfg]';
const DEFAULT_CFG = 'conf/zoo.cfg';

/** A user-facing failure: printed as one line, then the usage when `usage` is set. */
class CliError extends Error {
  constructor(
    message: string,
    readonly code = 1,
    readonly usage = false,
  ) {
    super(message);
  }
}

function loadConfig(cfgPath: string): ServerConfig {
  const file = resolve(cfgPath);
  if (!existsSync(file)) throw new CliError(`Error: config file ${file} is missing`, 2, true);
  try {
    // zkServer.sh puts SERVER_JVMFLAGS before JVMFLAGS on java's command line: the latter win.
    return loadConfigFile(file, { systemProperties: systemPropertiesFrom(process.env.SERVER_JVMFLAGS, process.env.JVMFLAGS) });
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(`Invalid config, exiting abnormally: ${e.message}`, 2);
    throw e;
  }
}

async function startForeground(cfgPath: string): Promise<number> {
  const config = loadConfig(cfgPath);
  // Loaded here, so that status and version do not pay for the server's modules.
  const [{ runServer }, { createServerLogger, levelFromLog4jProp }] = await Promise.all([import('./server-main.js'), import('../admin/logging.js')]);
  const logDir = process.env.ZOO_LOG_DIR;
  const logger = createServerLogger({
    console: true,
    logDir: logDir !== undefined && logDir !== '' ? logDir : undefined,
    level: levelFromLog4jProp(process.env.ZOO_LOG4J_PROP),
    myid: config.myId,
  });
  const log = logger.log;
  const fail = (what: string, e: unknown): void => {
    log('error', `${what}: ${e instanceof Error ? e.message : String(e)}`, e instanceof Error ? { stack: e.stack } : undefined);
    logger.flush();
    process.exit(1);
  };
  process.on('uncaughtException', (e) => fail('Unexpected exception, exiting abnormally', e));
  process.on('unhandledRejection', (e) => fail('Unexpected exception, exiting abnormally', e));
  log('info', `Starting tszk: ${VERSION_LINE}`, { pid: process.pid });
  let running;
  try {
    running = await runServer(config, log);
  } catch (e) {
    log('error', `Unable to start the server, exiting abnormally: ${(e as Error).message}`);
    logger.flush();
    return 1;
  }
  const signal = await new Promise<string>((done) => {
    process.once('SIGTERM', () => done('SIGTERM'));
    process.once('SIGINT', () => done('SIGINT'));
  });
  log('info', `Received ${signal}, shutting down`);
  await running.stop();
  log('info', 'Server stopped');
  logger.flush();
  return 0;
}

/** The raw key=value lines of a zoo.cfg, as the script's grep/sed sees them (the last one wins). */
function rawConfig(file: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const i = t.indexOf('=');
    if (i > 0) out.set(t.substring(0, i).trim(), t.substring(i + 1).trim());
  }
  return out;
}

/** "addr:port", "[v6]:port" or "port" after the ';' of a server.N line → [address, port]. */
function splitClientAddress(spec: string, fallback: string): [string, string] {
  const v6 = /^\[(.*)\]:(\d+)$/.exec(spec);
  if (v6 !== null) return [v6[1], v6[2]];
  const m = /^(.*):(\d+)$/.exec(spec);
  if (m !== null) return [m[1], m[2]];
  return [fallback, spec];
}

/** Sends a four-letter word and resolves with the answer ('' on any failure). */
function fourLetterWord(host: string, port: number, word: string, secure: boolean, timeoutMs = 5000): Promise<string> {
  return new Promise((done) => {
    const chunks: Buffer[] = [];
    const tlsOptions = (): { key?: Buffer; cert?: Buffer } => {
      // CLIENT_JVMFLAGS carries the client's TLS settings for the script; PEM key stores are usable here.
      const m = /-Dzookeeper\.ssl\.keyStore\.location=(\S+)/.exec(`${process.env.CLIENT_JVMFLAGS ?? ''} ${process.env.JVMFLAGS ?? ''}`);
      if (m === null || !m[1].endsWith('.pem')) return {};
      try {
        const pem = readFileSync(m[1]);
        return { key: pem, cert: pem };
      } catch {
        return {};
      }
    };
    const sock = secure
      ? tlsConnect({ host, port, rejectUnauthorized: false, ...tlsOptions() }, () => sock.write(word))
      : netConnect({ host, port }, () => sock.write(word));
    const timer = setTimeout(() => sock.destroy(), timeoutMs);
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearTimeout(timer);
      done(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** `zkServer.sh status`: the same messages and exit codes as Apache's script. */
async function status(cfgPath: string): Promise<number> {
  const file = resolve(cfgPath);
  if (!existsSync(file)) throw new CliError(`Error: config file ${file} is missing`, 1, true);
  const cfg = rawConfig(file);
  const out = (s: string): void => void process.stdout.write(`${s}\n`);
  let secure = false;
  let address = cfg.get('clientPortAddress') || 'localhost';
  let port = cfg.get('clientPort') ?? '';
  if (!/^\d+$/.test(port)) {
    port = '';
    let myid = '';
    try {
      myid = readFileSync(join(cfg.get('dataDir') ?? '', 'myid'), 'utf8').trim();
    } catch {
      /* not a quorum member */
    }
    if (!/^\d+$/.test(myid)) {
      out('myid could not be determined, will not able to locate clientPort in the server configs.');
    } else {
      const serverLine = (m: Map<string, string>): string | undefined => {
        const spec = m.get(`server.${myid}`);
        return spec !== undefined && spec.includes(';') ? spec.substring(spec.lastIndexOf(';') + 1).trim() : undefined;
      };
      let spec = serverLine(cfg);
      if (spec === undefined) {
        out('Client port not found in static config file. Looking in dynamic config file.');
        const dyn = cfg.get('dynamicConfigFile');
        if (dyn !== undefined) {
          try {
            spec = serverLine(rawConfig(resolve(dirname(file), dyn)));
          } catch {
            /* unreadable */
          }
        }
      }
      if (spec === undefined) out('Client port not found in the server configs');
      else [address, port] = splitClientAddress(spec, address);
    }
  }
  if (port === '') {
    out('Client port not found. Looking for secureClientPort in the static config.');
    const securePort = cfg.get('secureClientPort');
    if (securePort === undefined || securePort === '') {
      out('Unable to find either secure or unsecure client port in any configs. Terminating.');
      return 1;
    }
    secure = true;
    port = securePort;
    address = cfg.get('secureClientPortAddress') || 'localhost';
  }
  out(`Client port found: ${port}. Client address: ${address}. Client SSL: ${secure}.`);
  const answer = await fourLetterWord(address, Number(port), 'srvr', secure);
  const mode = answer.split('\n').find((l) => l.includes('Mode'));
  if (mode === undefined) {
    if (secure) {
      out(' ');
      out(`Note: We used secureClientPort (${port}) to establish connection, but we failed. The 'status'`);
      out('  command establishes a client connection to the server to execute diagnostic commands. Please make sure you');
      out('  provided the client TLS settings in the CLIENT_JVMFLAGS environment variable! E.g.:');
      out('  CLIENT_JVMFLAGS="-Dzookeeper.ssl.keyStore.location=/tmp/client.pem" ./zkServer.sh status');
      out(' ');
    }
    out('Error contacting service. It is probably not running.');
    return 1;
  }
  // The script prints `echo $STAT`: runs of whitespace collapse to one space.
  out(mode.trim().split(/\s+/).join(' '));
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [verb, cfgPath = DEFAULT_CFG, ...rest] = argv;
  if (rest.length > 0) throw new CliError(`Error: unexpected argument ${rest[0]}`, 2, true);
  switch (verb) {
    case 'start-foreground':
      return startForeground(cfgPath);
    case 'status':
      return status(cfgPath);
    case 'version':
      process.stdout.write(`${VERSION_LINE}\n`);
      return 0;
    case undefined:
      throw new CliError('Error: no command given', 2, true);
    default:
      throw new CliError(`Error: unknown command ${verb}`, 2, true);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const err = e instanceof CliError ? e : new CliError(`Error: ${e instanceof Error ? e.message : String(e)}`);
    process.stderr.write(`${err.message}\n`);
    if (err.usage) process.stderr.write(`${USAGE}\n`);
    process.exit(err.code);
  },
);
