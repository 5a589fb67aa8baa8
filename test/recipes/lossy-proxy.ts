/**
 * A TCP proxy for the recipes' fault tests that can lose the reply to one kind of request: it reads
 * the client's frames, and once it has forwarded a request whose opcode is armed, it stops passing
 * the server's bytes back on that connection. The request is applied by the server but its answer
 * never arrives: after dropAll() the client reconnects (same session) not knowing whether its
 * create, delete or multi happened. Also refuses connections and black-holes traffic (partitions).
 */
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { port24 } from '../client/helpers.js';

interface Pair {
  client: Socket;
  upstream: Socket;
  /** The server's bytes are no longer forwarded. */
  mute: boolean;
  /** Unparsed bytes from the client; null once framing is lost (never, with a sane client). */
  pending: Buffer;
  /** The first frame is the ConnectRequest, which has no xid/opcode header. */
  handshakeSeen: boolean;
}

export class LossyProxy {
  private server!: Server;
  private readonly pairs = new Set<Pair>();
  private armed = new Set<number>();
  private armedPath = '';
  private refusing = false;
  private blackhole = false;
  /** How many replies were withheld (a request of an armed opcode was forwarded). */
  lost = 0;
  port = 0;

  constructor(readonly targetPort: number) {}

  async start(): Promise<this> {
    this.port = await port24();
    this.server = createServer((s) => this.accept(s));
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => resolve());
    });
    return this;
  }

  get connectString(): string {
    return `127.0.0.1:${this.port}`;
  }

  /**
   * From the next request with one of these opcodes (and, if given, a path containing `pathPart`)
   * on, the server's answers on that connection are lost, until dropAll().
   */
  loseRepliesAfter(opcodes: readonly number[], pathPart = ''): void {
    this.armed = new Set(opcodes);
    this.armedPath = pathPart;
  }

  setRefusing(on: boolean): void {
    this.refusing = on;
  }

  /** Drops bytes both ways while set; the connections stay open (a partition). */
  setBlackhole(on: boolean): void {
    this.blackhole = on;
  }

  /** Disarms the reply loss and resets every connection (the client reconnects to the same session). */
  dropAll(): void {
    this.armed = new Set();
    for (const p of this.pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    this.pairs.clear();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private accept(client: Socket): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = netConnect(this.targetPort, '127.0.0.1');
    const pair: Pair = { client, upstream, mute: false, pending: Buffer.alloc(0), handshakeSeen: false };
    this.pairs.add(pair);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.on('data', (d: Buffer) => {
      if (this.blackhole) return;
      upstream.write(d);
      this.inspect(pair, d);
    });
    upstream.on('data', (d: Buffer) => {
      if (!this.blackhole && !pair.mute) client.write(d);
    });
  }

  /** Follows the client's frames; mutes the pair after a request of an armed opcode. */
  private inspect(p: Pair, d: Buffer): void {
    let buf = p.pending.length > 0 ? Buffer.concat([p.pending, d]) : d;
    while (buf.length >= 4) {
      const len = buf.readInt32BE(0);
      if (buf.length < 4 + len) break;
      if (!p.handshakeSeen) p.handshakeSeen = true;
      else if (len >= 8) {
        const op = buf.readInt32BE(8);
        if (this.armed.has(op) && !p.mute && pathOf(buf.subarray(4, 4 + len), op).includes(this.armedPath)) {
          p.mute = true;
          this.lost++;
        }
      }
      buf = buf.subarray(4 + len);
    }
    p.pending = Buffer.from(buf);
  }
}

const MULTI = 14;

/** The path a request is about: its first field, or (multi) the first operation's. */
function pathOf(frame: Buffer, op: number): string {
  // xid, opcode; a multi then has a MultiHeader (type, done, err) before the first operation.
  const at = op === MULTI ? 8 + 9 : 8;
  if (frame.length < at + 4) return '';
  const n = frame.readInt32BE(at);
  return n < 0 || frame.length < at + 4 + n ? '' : frame.toString('utf8', at + 4, at + 4 + n);
}
