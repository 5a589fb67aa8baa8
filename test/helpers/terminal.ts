/**
 * A real terminal for tests: a program run in a detached tmux session (its own server socket, no
 * user configuration), driven with send-keys and read with capture-pane, as a user at a keyboard
 * would drive it. The pane stays after the program exits, so its exit status can be read.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

let sessions = 0;

export function tmuxInstalled(): boolean {
  return spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
}

export interface TerminalOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  columns?: number;
  rows?: number;
}

export class Terminal {
  private constructor(
    private readonly socket: string,
    private readonly statusDir: string,
  ) {}

  /** Runs `command` (a shell command line) in a new terminal. */
  static open(command: string, opts: TerminalOptions): Terminal {
    const socket = `tszk-test-${process.pid}-${++sessions}`;
    const term = new Terminal(socket, mkdtempSync(join(tmpdir(), 'tszk-terminal-')));
    // The exit status goes to a file: tmux 3.3 sometimes leaves a dead pane's process unreaped,
    // and its #{pane_dead_status} empty. One tmux invocation: the options must hold before the
    // program starts (it may exit at once).
    const run = `${command}; echo $? > ${join(term.statusDir, 'status')}`;
    term.tmux(
      ['-f', '/dev/null', 'start-server', ';', 'set-option', '-gw', 'remain-on-exit', 'on', ';', 'set-option', '-g', 'history-limit', '20000', ';',
        'new-session', '-d', '-x', String(opts.columns ?? 200), '-y', String(opts.rows ?? 50), '-c', opts.cwd, run],
      opts.env,
    );
    return term;
  }

  private tmux(args: string[], env?: NodeJS.ProcessEnv): string {
    const r = spawnSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8', env: env ?? process.env, timeout: 10000 });
    if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr || r.error?.message || `exit ${r.status}`}`);
    return r.stdout;
  }

  /** Types text as-is (no key names), then presses Enter unless told not to. */
  type(text: string, enter = true): void {
    if (text !== '') this.tmux(['send-keys', '-t', '0', '-l', text]);
    if (enter) this.key('Enter');
  }

  /** Presses a named key: Enter, Tab, Up, C-c ... */
  key(name: string): void {
    this.tmux(['send-keys', '-t', '0', name]);
  }

  /** Everything the terminal shows, scroll-back included, wrapped lines joined. */
  screen(): string {
    return this.tmux(['capture-pane', '-p', '-J', '-t', '0', '-S', '-']).replace(/\s+$/, '');
  }

  /** The program's exit status once it has ended, else undefined. */
  exitStatus(): number | undefined {
    try {
      const text = readFileSync(join(this.statusDir, 'status'), 'utf8');
      return text.endsWith('\n') ? Number(text) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Polls the screen until `ok` holds; the error shows the screen. */
  async waitFor(ok: (screen: string) => boolean, what: string, timeoutMs = 20000): Promise<string> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const s = this.screen();
      if (ok(s)) return s;
      if (Date.now() > end) throw new Error(`terminal: no ${what} within ${timeoutMs} ms; the screen:\n${s}`);
      await sleep(50);
    }
  }

  async waitForExit(timeoutMs = 20000): Promise<number> {
    await this.waitFor(() => this.exitStatus() !== undefined, 'exit of the program', timeoutMs);
    return this.exitStatus()!;
  }

  close(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], { stdio: 'ignore' });
    rmSync(this.statusDir, { recursive: true, force: true });
  }
}
