/**
 * Reads a connection straight into one reused buffer, skipping the Readable stream machinery (no Buffer object,
 * push, or 'data' event per read): Node's user-buffer read mode, which `net.connect({ onread })` sets up for
 * client sockets. Sockets a server accepts cannot take that option, so the mode is switched on right after
 * accept through the socket's own internal fields. If this Node lacks them, the caller falls back to 'data'.
 *
 * The buffer is overwritten by the next read: whoever receives a chunk must copy out any bytes it keeps
 * (Client.onSharedRead does, through RequestParser.detach). One buffer serves every connection of the thread:
 * libuv reads one socket at a time and the chunk is consumed (or its tail copied) before the callback returns,
 * so a buffer per connection would only cost memory (up to 16 KB each, the pages its reads touched: 5,000 idle
 * connections that sent a PING took 77.7 MB of RSS with one buffer each, 58.1 MB with the shared one) and
 * spread the reads of many clients over as many cache-cold buffers. CLIENT LIST's and used_memory's query
 * buffer figures are Redis's (server/clientBuffers.ts), not this buffer.
 *
 * A read of data also skips Node's JS read callback (onStreamRead: a timer refresh and symbol-keyed lookups per
 * read; with the subarray below, 214-326 ns per read against 51-83 ns for this path): the handle's `onread` goes
 * to a function that hands the bytes over directly, as onStreamRead itself would for a user-buffer socket with no
 * timeout, and passes every other case (end of stream, error, a socket given a timeout or destroyed) to
 * onStreamRead.
 */
import type { Socket } from 'node:net';

/** Bytes per read, Redis's PROTO_IOBUF_LEN. */
const READ_SIZE = 16 * 1024;

type OnRead = (this: Record<symbol, unknown>, arrayBuffer: unknown) => unknown;

interface StreamHandle {
  useUserBuffer?: (buf: Uint8Array) => void;
  onread?: OnRead;
}

/** Where libuv's read result is for the JS callback (Node's stream_wrap binding), or null if unavailable. */
interface ReadState {
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
}

let readState: ReadState | null | undefined;
let sharedBuffer: Buffer | null = null;

function streamReadState(): ReadState | null {
  if (readState !== undefined) return readState;
  readState = null;
  try {
    const b = (process as unknown as { binding(name: string): Partial<ReadState> }).binding('stream_wrap');
    if (b.streamBaseState instanceof Int32Array && typeof b.kReadBytesOrError === 'number') readState = b as ReadState;
  } catch {
    readState = null;
  }
  return readState;
}

/** What a read is handed to: the connection's owner (a Client), which also names its socket. */
export interface SharedReader {
  readonly socket: Socket;
  onSharedRead(chunk: Buffer): void;
}

/** The reader of a handle, kept on the handle itself (see below). */
const READER = Symbol('mica.reader');

interface Installed {
  kBuffer: symbol;
  kBufferCb: symbol;
  kTimeout: symbol | undefined;
  /** Node's onread for stream handles: one function for every socket. */
  original: OnRead | undefined;
}

let installed: Installed | null = null;
/** A view of the shared buffer, kept while reads keep the same length (see deliver). */
let sharedView: Buffer | null = null;

/**
 * Hands `nread` bytes of the shared buffer to the reader. A client repeating one request reads the same size
 * again and again: the view is kept, which spares a typed-array allocation and Buffer.subarray's slow
 * `.buffer` / `.byteOffset` getters per read.
 */
function deliver(reader: SharedReader, nread: number): void {
  let view = sharedView!;
  if (view.length !== nread) view = sharedView = sharedBuffer!.subarray(0, nread);
  reader.onSharedRead(view);
}

/*
 * The functions Node and libuv call are shared by every connection: each finds its connection through `this`
 * (the socket for the user-buffer callback, the handle for onread) rather than being a closure made per
 * connection. Closures, their contexts and a view per connection came to ~300 of the ~4 KB a new connection
 * allocates, all of which survives its first scavenges (copied, then promoted).
 */

/** Node's user-buffer callback, `socket[kBufferCb](nread, buf)`: reached when onMicaRead defers to Node. */
function bufferCallback(this: { _handle: Record<symbol, unknown> | null }, nread: number): void {
  const reader = this._handle?.[READER] as SharedReader | undefined;
  if (reader !== undefined) deliver(reader, nread);
}

/** streamBaseState and the index of a read's byte count in it, once onMicaRead is installed. */
let readResult: Int32Array = new Int32Array(1);
let kNread = 0;

function onMicaRead(this: Record<symbol, unknown>, arrayBuffer: unknown): unknown {
  const nread = readResult[kNread]!;
  const reader = this[READER] as SharedReader;
  const socket = reader.socket;
  const inst = installed!;
  if (nread > 0 && (socket as unknown as Record<symbol, unknown>)[inst.kTimeout!] == null && !socket.destroyed) {
    deliver(reader, nread);
    return undefined;
  }
  return inst.original!.call(this, arrayBuffer);
}

/**
 * Routes every read of `reader.socket` to `reader.onSharedRead` (a view of the shared buffer); false when not
 * possible here.
 */
export function readIntoReusedBuffer(reader: SharedReader): boolean {
  const socket = reader.socket;
  const handle = (socket as unknown as { _handle?: (StreamHandle & Record<symbol, unknown>) | null })._handle;
  if (!handle || typeof handle.useUserBuffer !== 'function') return false;
  if (installed === null) {
    let kBuffer: symbol | undefined;
    let kBufferCb: symbol | undefined;
    let kTimeout: symbol | undefined;
    for (const s of Object.getOwnPropertySymbols(socket)) {
      if (s.description === 'kBuffer') kBuffer = s;
      else if (s.description === 'kBufferCb') kBufferCb = s;
      else if (s.description === 'timeout') kTimeout = s;
    }
    if (kBuffer === undefined || kBufferCb === undefined) return false;
    const st = streamReadState();
    let original: OnRead | undefined;
    if (st !== null && typeof handle.onread === 'function' && kTimeout !== undefined) {
      original = handle.onread;
      readResult = st.streamBaseState;
      kNread = st.kReadBytesOrError;
    }
    installed = { kBuffer, kBufferCb, kTimeout, original };
  }
  const inst = installed;
  const buf = (sharedBuffer ??= Buffer.allocUnsafe(READ_SIZE));
  sharedView ??= buf.subarray(0, 0);
  const fields = socket as unknown as Record<symbol, unknown>;
  fields[inst.kBuffer] = buf;
  fields[inst.kBufferCb] = bufferCallback;
  handle[READER] = reader;
  handle.useUserBuffer(buf);
  // Every stream handle has Node's one onread; one that does not keeps it (and reads go through bufferCallback).
  if (inst.original !== undefined && handle.onread === inst.original) handle.onread = onMicaRead;
  return true;
}
