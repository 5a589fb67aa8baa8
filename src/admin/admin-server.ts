/**
 * The AdminServer: HTTP on admin.serverAddress:admin.serverPort, commands under admin.commandURL,
 * answering as Apache ZooKeeper 3.8's JettyAdminServer does — GET <commandURL> lists the commands,
 * GET <commandURL>/<name>?arg=value runs one and returns its JSON with status 200 (errors are in the
 * JSON's "error" field), other paths are 404 and other methods 405.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { jacksonJson } from './java-format.js';
import { PRIMARY_NAMES, runCommand, type CommandContext } from './commands.js';
import type { LogFn } from './logging.js';

export interface AdminServerOptions {
  address: string;
  port: number;
  commandURL: string;
  /** admin.idleTimeout: ms a connection may idle. */
  idleTimeout: number;
}

export class AdminServer {
  private http: Server | undefined;
  private readonly commandURL: string;

  constructor(
    private readonly ctx: CommandContext,
    private readonly opts: AdminServerOptions,
    private readonly log: LogFn = () => undefined,
  ) {
    // A trailing slash in the setting would make every command path "//name".
    this.commandURL = opts.commandURL.replace(/\/+$/, '');
  }

  /** The links page Jetty's CommandServlet writes for the bare command URL. */
  private index(): string {
    return PRIMARY_NAMES.map((n) => `<a href="${this.commandURL}/${n}">${n}</a>\n<br/>\n`).join('');
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const base = this.commandURL;
    if (path !== base && !path.startsWith(`${base}/`)) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Not Found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'Content-Type': 'text/plain; charset=utf-8', Allow: 'GET, HEAD' });
      res.end(`HTTP method ${req.method ?? ''} is not supported by this URL\n`);
      return;
    }
    let name = path.substring(base.length);
    if (name === '' || name === '/') {
      res.writeHead(200);
      res.end(req.method === 'HEAD' ? undefined : this.index());
      return;
    }
    try {
      name = decodeURIComponent(name.substring(1));
    } catch {
      name = name.substring(1);
    }
    // Jetty hands the servlet the first value of each parameter.
    const args = new Map<string, string>();
    for (const [k, v] of url.searchParams) if (!args.has(k)) args.set(k, v);
    runCommand(name, this.ctx, args).then(
      (result) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(req.method === 'HEAD' ? undefined : jacksonJson(result));
      },
      (e: Error) => {
        this.log('warn', `Exception running admin command ${name}: ${e.message}`);
        // As JsonOutputter does when a response cannot be written.
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(`{"error": "Exception writing command response to JSON"}`);
      },
    );
  }

  /** Starts listening; resolves with the bound port (rejects if the port cannot be bound). */
  async start(): Promise<number> {
    const http = createServer((req, res) => this.handle(req, res));
    http.setTimeout(this.opts.idleTimeout);
    http.keepAliveTimeout = Math.min(this.opts.idleTimeout, 30000);
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(this.opts.port, this.opts.address, () => {
        http.off('error', reject);
        resolve();
      });
    });
    this.http = http;
    const addr = http.address();
    return typeof addr === 'object' && addr !== null ? addr.port : this.opts.port;
  }

  async shutdown(): Promise<void> {
    const http = this.http;
    this.http = undefined;
    if (http === undefined) return;
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  }
}
