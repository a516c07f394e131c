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

type OnRead = (this: unknown, arrayBuffer: unknown) => unknown;

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

/** Routes every read of `socket` to `onRead` (a view of the reused buffer); false when not possible here. */
export function readIntoReusedBuffer(socket: Socket, onRead: (chunk: Buffer) => void): boolean {
  const handle = (socket as unknown as { _handle?: StreamHandle | null })._handle;
  if (!handle || typeof handle.useUserBuffer !== 'function') return false;
  let kBuffer: symbol | undefined;
  let kBufferCb: symbol | undefined;
  let kTimeout: symbol | undefined;
  for (const s of Object.getOwnPropertySymbols(socket)) {
    if (s.description === 'kBuffer') kBuffer = s;
    else if (s.description === 'kBufferCb') kBufferCb = s;
    else if (s.description === 'timeout') kTimeout = s;
  }
  if (kBuffer === undefined || kBufferCb === undefined) return false;
  const buf = (sharedBuffer ??= Buffer.allocUnsafe(READ_SIZE));
  const fields = socket as unknown as Record<symbol, unknown>;
  fields[kBuffer] = buf;
  // A client repeating one request reads the same size again and again: its view of the buffer is kept, which
  // spares a typed-array allocation and Buffer.subarray's slow `.buffer` / `.byteOffset` getters per read.
  let view = buf.subarray(0, 0);
  const deliver = (nread: number): void => {
    if (view.length !== nread) view = buf.subarray(0, nread);
    onRead(view);
  };
  fields[kBufferCb] = deliver;
  handle.useUserBuffer(buf);
  const st = streamReadState();
  const original = handle.onread;
  if (st !== null && typeof original === 'function' && kTimeout !== undefined) {
    const state = st.streamBaseState;
    const kNread = st.kReadBytesOrError;
    const timeoutKey = kTimeout;
    handle.onread = function onMicaRead(this: unknown, arrayBuffer: unknown): unknown {
      const nread = state[kNread]!;
      if (nread > 0 && fields[timeoutKey] == null && !socket.destroyed) {
        deliver(nread);
        return undefined;
      }
      return original.call(this, arrayBuffer);
    };
  }
  return true;
}
