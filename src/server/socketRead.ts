/**
 * Reads a connection straight into one reused buffer, skipping the Readable stream machinery (no Buffer object,
 * push, or 'data' event per read): Node's user-buffer read mode, which `net.connect({ onread })` sets up for
 * client sockets. Sockets a server accepts cannot take that option, so the mode is switched on right after
 * accept through the socket's own internal fields. If this Node lacks them, the caller falls back to 'data'.
 *
 * The buffer is overwritten by the next read: whoever receives a chunk must copy out any bytes it keeps
 * (Client.onSharedRead does, through RequestParser.detach).
 */
import type { Socket } from 'node:net';

/** Bytes per read, Redis's PROTO_IOBUF_LEN. */
const READ_SIZE = 16 * 1024;

interface StreamHandle {
  useUserBuffer?: (buf: Uint8Array) => void;
}

/** Routes every read of `socket` to `onRead` (a view of the reused buffer); false when not possible here. */
export function readIntoReusedBuffer(socket: Socket, onRead: (chunk: Buffer) => void): boolean {
  const handle = (socket as unknown as { _handle?: StreamHandle | null })._handle;
  if (!handle || typeof handle.useUserBuffer !== 'function') return false;
  let kBuffer: symbol | undefined;
  let kBufferCb: symbol | undefined;
  for (const s of Object.getOwnPropertySymbols(socket)) {
    if (s.description === 'kBuffer') kBuffer = s;
    else if (s.description === 'kBufferCb') kBufferCb = s;
  }
  if (kBuffer === undefined || kBufferCb === undefined) return false;
  const buf = Buffer.allocUnsafe(READ_SIZE);
  const fields = socket as unknown as Record<symbol, unknown>;
  fields[kBuffer] = buf;
  fields[kBufferCb] = (nread: number): void => onRead(buf.subarray(0, nread));
  handle.useUserBuffer(buf);
  return true;
}
