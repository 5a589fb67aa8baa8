/**
 * One TCP connection to one server: length-prefixed frames in both directions.
 *
 * - Reading parses frames in place from the socket's chunks; only a frame split across chunks is
 *   copied (once, when all its bytes are there), never the whole stream.
 * - Writing encodes every frame of a tick into one buffer and hands it to the socket once
 *   (flushed on process.nextTick), so many pipelined requests cost one write.
 * - The connection knows nothing of sessions: the session layer gives it frames and takes frames.
 */
import { Socket, connect as netConnect } from 'node:net';
import { JuteReader } from '../jute/reader.js';
import { JuteWriter } from '../jute/writer.js';

/** Frames above this are a protocol error (the Java client's limit is jute.maxbuffer, 1 MB by default). */
export const MAX_FRAME = 64 * 1024 * 1024;

export interface ConnectionEvents {
  /** One whole frame (without its length prefix) as a reader. */
  frame(r: JuteReader): void;
  /** The connection is gone (error, EOF, destroy); called once. */
  close(reason: Error): void;
}

export class Connection {
  /** Monotonic ms of the last byte received / the last write. */
  lastRecv = 0;
  lastSend = 0;
  private writer = new JuteWriter(16 * 1024);
  private flushScheduled = false;
  private parts: Buffer[] = [];
  private partsLen = 0;
  private closed = false;
  private handlers: ConnectionEvents | undefined;

  private constructor(
    private readonly socket: Socket,
    readonly host: string,
    readonly port: number,
  ) {
    this.lastRecv = this.lastSend = performance.now();
    socket.on('data', (c: Buffer) => this.onData(c));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('connection closed by the server')));
    socket.on('end', () => this.fail(new Error('connection closed by the server')));
  }

  /** Opens a TCP connection within timeoutMs. */
  static open(host: string, port: number, timeoutMs: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host, port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const onError = (e: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(e);
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new Connection(socket, host, port));
      });
    });
  }

  /** Starts delivering frames and the close to `h` (before anything is sent on the connection). */
  attach(h: ConnectionEvents): void {
    this.handlers = h;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Encodes one frame into this tick's batch. */
  send(encode: (w: JuteWriter) => void): void {
    if (this.closed) return;
    const w = this.writer;
    const start = w.beginFrame();
    encode(w);
    w.endFrame(start);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(() => this.flush());
    }
  }

  /** Writes the batch now. */
  flush(): void {
    this.flushScheduled = false;
    const w = this.writer;
    if (this.closed || w.pos === 0) return;
    // Hand the bytes to the socket and start a fresh buffer: the socket may still be reading these.
    const out = w.buf.subarray(0, w.pos);
    w.buf = Buffer.allocUnsafe(Math.max(16 * 1024, Math.min(w.buf.length, 1024 * 1024)));
    w.pos = 0;
    this.lastSend = performance.now();
    this.socket.write(out);
  }

  /** Closes the connection without waiting (pending writes are flushed first). */
  end(): void {
    if (this.closed) return;
    this.flush();
    this.socket.end();
    this.socket.destroySoon();
    this.fail(new Error('connection closed by the client'));
  }

  destroy(reason = new Error('connection closed by the client')): void {
    this.socket.destroy();
    this.fail(reason);
  }

  private fail(e: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.parts = [];
    this.handlers?.close(e);
  }

  private onData(chunk: Buffer): void {
    this.lastRecv = performance.now();
    if (this.closed) return;
    if (this.partsLen === 0) {
      this.parse(chunk);
      return;
    }
    this.parts.push(chunk);
    this.partsLen += chunk.length;
    if (this.partsLen < 4) return;
    const head = this.parts[0].length >= 4 ? this.parts[0] : Buffer.concat(this.parts, 4);
    const need = 4 + head.readInt32BE(0);
    if (this.partsLen < need) return;
    const buf = Buffer.concat(this.parts, this.partsLen);
    this.parts = [];
    this.partsLen = 0;
    this.parse(buf);
  }

  private parse(buf: Buffer): void {
    let off = 0;
    while (!this.closed) {
      const left = buf.length - off;
      if (left < 4) break;
      const len = buf.readInt32BE(off);
      if (len < 0 || len > MAX_FRAME) {
        this.destroy(new Error(`bad frame length ${len} from ${this.host}:${this.port}`));
        return;
      }
      if (left < 4 + len) break;
      const r = new JuteReader(buf, off + 4, off + 4 + len);
      off += 4 + len;
      try {
        this.handlers?.frame(r);
      } catch (e) {
        this.destroy(e instanceof Error ? e : new Error(String(e)));
        return;
      }
    }
    if (!this.closed && off < buf.length) {
      this.parts = [buf.subarray(off)];
      this.partsLen = buf.length - off;
    }
  }
}
