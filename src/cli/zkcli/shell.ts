/**
 * zkCli's shell, as ZooKeeperMain runs it: `-server host:port[,...][/chroot] [-timeout ms] [-r]
 * [cmd args]`. With a command it runs it and exits (non-zero on error); without, it reads commands
 * with the `[zk: host:port(STATE) N]` prompt, a history kept across runs, tab completion of command
 * names and znode paths, and prints watch events as they arrive.
 */
import { createInterface, type Interface } from 'node:readline';
import { appendFileSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CliEvent, ZkCliBackend } from './backend.js';
import { watchedEventText } from './format.js';
import { KeeperState } from '../../jute/constants.js';
import { CliError, COMMAND_NAMES, findCommand, runCommand, SHELL_COMMANDS, usageLines, type CliOutput } from './commands.js';
import { splitCommandLine } from './cli-options.js';

export interface ShellOptions {
  server: string;
  timeout: number;
  readOnly: boolean;
  /** The command to run once (its words), or null for the interactive shell. */
  command: string[] | null;
}

export type BackendFactory = (connectString: string, opts: { timeout: number; readOnly: boolean; onEvent: (e: CliEvent) => void }) => ZkCliBackend;

/** ZooKeeperMain's option parsing; returns an error line for a missing option value. */
export function parseShellArgs(argv: readonly string[]): ShellOptions | string {
  const o: ShellOptions = { server: 'localhost:2181', timeout: 30000, readOnly: false, command: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = (): string | undefined => argv[++i];
    if (a === '-server' || a === '-timeout' || a === '-client-configuration') {
      const v = next();
      if (v === undefined) return `Error: no argument found for option ${a}`;
      if (a === '-server') o.server = v;
      else if (a === '-timeout') {
        if (!/^\d+$/.test(v)) return `Error: -timeout needs a number of milliseconds, not ${v}`;
        o.timeout = Number(v);
      }
    } else if (a === '-r') o.readOnly = true;
    else if (a === '-waitforconnection') continue;
    else if (!a.startsWith('-')) {
      o.command = argv.slice(i);
      break;
    }
  }
  return o;
}

export class ZkShell {
  private zk: ZkCliBackend;
  private host: string;
  private count = 0;
  private readonly history = new Map<number, string>();
  private printWatches = true;
  exitCode = 0;
  private rl: Interface | null = null;

  constructor(
    private readonly opts: ShellOptions,
    private readonly factory: BackendFactory,
    private readonly io: CliOutput,
    private readonly historyFile = join(homedir(), '.tszk_zkcli_history'),
  ) {
    this.host = opts.server;
    this.io.out(`Connecting to ${opts.server}`);
    this.zk = this.connect(opts.server);
  }

  private connect(host: string): ZkCliBackend {
    this.host = host;
    return this.factory(host, { timeout: this.opts.timeout, readOnly: this.opts.readOnly, onEvent: (e) => this.onEvent(e) });
  }

  private onEvent(e: CliEvent): void {
    // Java's zkCli is gone (System.exit) before its client's Closed event could be printed.
    if (!this.printWatches || e.state === KeeperState.Closed) return;
    this.io.out('\nWATCHER::');
    this.io.out(`\n${watchedEventText(e)}`);
    this.rl?.prompt(true);
  }

  prompt(): string {
    return `[zk: ${this.host}(${this.zk.state()}) ${this.count}] `;
  }

  /** One-shot mode: runs the command given on the command line; returns the exit code. */
  async runOnce(words: string[]): Promise<number> {
    await this.process(words);
    await this.zk.close();
    return this.exitCode;
  }

  /** Interactive mode until end of input or quit; returns the exit code. */
  async interactive(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, terminal: boolean): Promise<number> {
    this.io.out('Welcome to ZooKeeper!');
    this.io.out('JLine support is enabled');
    let saved: string[] = [];
    try {
      saved = readFileSync(this.historyFile, 'utf8').split('\n').filter((l) => l !== '').slice(-500).reverse();
    } catch {
      /* no history yet */
    }
    const rl = createInterface({ input, output, terminal, history: saved, historySize: 500, completer: (line: string, cb: (e: null, r: [string[], string]) => void) => void this.complete(line).then((r) => cb(null, r)) });
    this.rl = rl;
    rl.setPrompt(this.prompt());
    rl.prompt();
    let quit = false;
    for await (const line of rl) {
      if (line.trim() !== '') {
        try {
          appendFileSync(this.historyFile, `${line}\n`);
        } catch {
          /* a read-only home: history stays in memory */
        }
        const words = splitCommandLine(line);
        this.history.set(this.count, line);
        quit = await this.process(words);
        this.count++;
        if (quit) break;
      }
      rl.setPrompt(this.prompt());
      rl.prompt();
    }
    rl.close();
    this.rl = null;
    if (!quit) await this.zk.close();
    return this.exitCode;
  }

  /**
   * Tab completion as JLineZNodeCompleter: command names first, then znode paths. A single
   * candidate gets a trailing space, as JLine 2 (printSpaceAfterFullCompletion) gives it.
   */
  async complete(line: string): Promise<[string[], string]> {
    const token = line.endsWith(' ') ? '' : line.split(' ').at(-1) ?? '';
    const candidates = await this.candidates(token);
    return [candidates.length === 1 ? [`${candidates[0]} `] : candidates, token];
  }

  private async candidates(token: string): Promise<string[]> {
    if (!token.startsWith('/')) return COMMAND_NAMES.filter((c) => c.startsWith(token));
    const idx = token.lastIndexOf('/') + 1;
    const dir = idx === 1 ? '/' : token.substring(0, idx - 1);
    const prefix = token.substring(idx);
    try {
      const { children } = await this.zk.getChildren(dir, false);
      const base = dir === '/' ? '/' : `${dir}/`;
      return children.filter((c) => c.startsWith(prefix)).sort().map((c) => base + c);
    } catch {
      return [];
    }
  }

  /** Runs one command line; true when the shell should end. */
  private async process(words: string[]): Promise<boolean> {
    try {
      const end = await this.dispatch(words);
      // quit exits with the previous command's code, as Java's ZooKeeperMain does.
      if (!end) this.exitCode = 0;
      return end;
    } catch (e) {
      if (e instanceof CliError) {
        this.exitCode = e.exitCode;
        this.io.err(e.message);
        return false;
      }
      this.exitCode = 1;
      this.io.err(e instanceof Error ? e.message : String(e));
      return false;
    }
  }

  private async dispatch(words: string[]): Promise<boolean> {
    const cmd = words[0];
    if (cmd === undefined) {
      for (const l of usageLines()) this.io.err(l);
      throw new CliError('No command entered');
    }
    if (!(cmd in SHELL_COMMANDS) && findCommand(cmd) === undefined) {
      for (const l of usageLines()) this.io.err(l);
      throw new CliError(`Command not found: ${cmd}`, 127);
    }
    switch (cmd) {
      case 'quit':
        await this.zk.close();
        return true;
      case 'redo': {
        if (words.length < 2) break;
        const i = Number(words[1]);
        if (!Number.isInteger(i) || i >= this.count || i < 0) throw new CliError('Command index out of range');
        const again = this.history.get(i) ?? '';
        const w = splitCommandLine(again);
        if (w[0] === 'redo') throw new CliError('No redoing redos');
        this.history.set(this.count, again);
        return this.dispatch(w);
      }
      case 'history':
        for (let i = this.count - 10; i <= this.count; i++) if (i >= 0) this.io.out(`${i} - ${this.history.get(i) ?? 'null'}`);
        break;
      case 'printwatches':
        if (words.length === 1) this.io.out(`printwatches is ${this.printWatches ? 'on' : 'off'}`);
        else this.printWatches = words[1] === 'on';
        break;
      case 'connect':
        if (this.zk.isAlive()) await this.zk.close();
        this.zk = this.connect(words[1] ?? this.host);
        break;
    }
    if (!this.zk.isAlive()) {
      this.io.out('Not connected');
      return false;
    }
    const spec = findCommand(cmd);
    if (spec !== undefined) await runCommand(spec, words, { zk: this.zk, io: this.io });
    return false;
  }
}
