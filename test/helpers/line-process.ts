/**
 * A child process whose stdout is collected line by line, for tests that wait on what a program
 * prints (the tutorial's Java programs, the examples).
 */
import { spawn, type ChildProcess } from 'node:child_process';

export class LineProcess {
  readonly lines: string[] = [];
  readonly proc: ChildProcess;
  readonly exited: Promise<number | null>;
  private stderr = '';

  constructor(command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
    this.proc = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    this.proc.stdout!.on('data', (c: Buffer) => {
      const parts = (partial + c.toString()).split('\n');
      partial = parts.pop()!;
      this.lines.push(...parts);
    });
    this.proc.stderr!.on('data', (c: Buffer) => (this.stderr += c.toString()));
    this.exited = new Promise((r) => this.proc.once('exit', (code) => r(code)));
  }

  /** Polls until `ok` holds for the lines printed so far; the error shows them. */
  async waitFor(ok: (lines: string[]) => boolean, what: string, timeoutMs = 30000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!ok(this.lines)) {
      const gone = this.proc.exitCode !== null || this.proc.signalCode !== null;
      if (gone || Date.now() > end) {
        throw new Error(`${what}: ${gone ? `the program ended (${this.proc.exitCode ?? this.proc.signalCode})` : `not within ${timeoutMs} ms`}; it printed:\n${this.lines.join('\n')}\n${this.stderr.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** SIGKILL by default: the program vanishes without closing its session, as a crash would. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill(signal);
    await this.exited;
  }
}
