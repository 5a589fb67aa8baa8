/**
 * A TCP proxy for fault tests: forwards a 24xxx port to a server; can drop every connection,
 * black-hole traffic (a partition: bytes are held, nothing is answered), or refuse connections.
 */
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { port24 } from './helpers.js';

export class Proxy {
  private server!: Server;
  private pairs = new Set<[Socket, Socket]>();
  private blackhole = false;
  private refusing = false;
  port = 0;

  constructor(public targetPort: number, private targetHost = '127.0.0.1') {}

  async start(port?: number): Promise<this> {
    this.port = port ?? (await port24());
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => resolve());
    });
    return this;
  }

  get connectString(): string {
    return `127.0.0.1:${this.port}`;
  }

  get connections(): number {
    return this.pairs.size;
  }

  private accept(client: Socket): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = netConnect(this.targetPort, this.targetHost);
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.on('data', (d) => {
      if (!this.blackhole) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!this.blackhole) client.write(d);
    });
  }

  /** Destroys every proxied connection (both sides see a reset). */
  dropAll(): void {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
  }

  /** Drops bytes both ways while set (the connections stay open): a network partition. */
  setBlackhole(on: boolean): void {
    this.blackhole = on;
  }

  /** Refuse new connections (close them at once) while set. */
  setRefusing(on: boolean): void {
    this.refusing = on;
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
