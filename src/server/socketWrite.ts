/**
 * Writes a connection's output straight to its libuv handle, skipping the Writable stream machinery
 * (socket.write → Writable.write → _writeGeneric → writeGeneric, their callbacks and state updates) that cost
 * about half of the server's busy time at pipeline depth 1. It does what Node's own writeGeneric does, minus the
 * stream bookkeeping: one `writeBuffer` call on the handle, which tries the write at once and queues only what
 * the kernel did not take.
 *
 * It needs Node internals reached through `process.binding('stream_wrap')` (WriteWrap, the shared write
 * state) and the socket's `_handle`; when any of them is missing, `openDirectWriter` returns null and the
 * caller keeps using socket.write. The caller must use the direct path only while the stream itself has
 * nothing queued, so bytes never overtake each other (libuv keeps its own queue in order after that).
 */
import type { Socket } from 'node:net';

interface WriteReq {
  handle: unknown;
  oncomplete: (this: WriteReq, status: number) => void;
  async: boolean;
  bytes: number;
  buffer: Uint8Array | null;
  /** The writer whose write this request carries while libuv has it queued. */
  writer?: DirectWriter | null;
}

/** What a DirectWriter reports a queued write's end to (the Client). */
export interface DirectWriteOwner {
  onDirectDone(status: number): void;
}

/**
 * A queued write's end: Node calls `req.oncomplete(status)` with the request as `this`, so one function serves
 * every connection (a bound callback per writer was two more heap objects per connection).
 */
function directWriteDone(this: WriteReq, status: number): void {
  const w = this.writer!;
  this.writer = null;
  w.inFlight = 0;
  w.owner.onDirectDone(status);
}

interface StreamWrapBinding {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
  kBytesWritten: number;
  kLastWriteWasAsync: number;
}

interface WritableHandle {
  writeBuffer?: (req: WriteReq, data: Uint8Array) => number;
}

let binding: StreamWrapBinding | null | undefined;
/** A write request object no write holds (see DirectWriter.write). */
let spareReq: WriteReq | null = null;

function streamWrap(): StreamWrapBinding | null {
  if (binding !== undefined) return binding;
  binding = null;
  try {
    const b = (process as unknown as { binding(name: string): Partial<StreamWrapBinding> }).binding('stream_wrap');
    if (typeof b.WriteWrap === 'function' && b.streamBaseState instanceof Int32Array &&
      typeof b.kBytesWritten === 'number' && typeof b.kLastWriteWasAsync === 'number') {
      binding = b as StreamWrapBinding;
    }
  } catch {
    binding = null;
  }
  return binding;
}

/** Outcome of DirectWriter.write. */
export const WRITE_DONE = 0;
/** The kernel took part of the bytes; the rest is queued in libuv and `onDone` will report completion. */
export const WRITE_QUEUED = 1;
/** The write failed (the connection is broken); the socket's own error/close events follow. */
export const WRITE_FAILED = 2;

export class DirectWriter {
  /** Bytes handed to libuv that it has not written yet (0 when no direct write is outstanding). */
  inFlight = 0;

  constructor(
    private readonly socket: Socket,
    private readonly state: StreamWrapBinding,
    /** Told when an outstanding queued write ends (status < 0 on error). */
    readonly owner: DirectWriteOwner,
  ) {}

  /**
   * Writes `data` (whose memory the caller must leave untouched until onDone if WRITE_QUEUED is returned).
   * Only valid while `usable()`.
   */
  write(data: Uint8Array): number {
    const handle = (this.socket as unknown as { _handle: WritableHandle | null })._handle as Required<WritableHandle>;
    const st = this.state;
    // A write the kernel takes at once never touches its request object (libuv needs one only to queue), so
    // one spare serves every such write; a queued write keeps it and a new spare is made.
    const req = spareReq ?? new st.WriteWrap();
    const err = handle.writeBuffer(req, data);
    if (err !== 0) {
      spareReq = null;
      return WRITE_FAILED;
    }
    if (st.streamBaseState[st.kLastWriteWasAsync] === 0) {
      spareReq = req;
      return WRITE_DONE;
    }
    spareReq = null;
    // Completion is reported later, from the event loop, so these are in place before it can be read.
    req.handle = handle;
    req.async = true;
    req.bytes = data.length;
    req.buffer = data;
    req.writer = this;
    req.oncomplete = directWriteDone;
    this.inFlight = data.length;
    return WRITE_QUEUED;
  }

  /**
   * Whether a direct write may go out now: a live handle and nothing queued ahead of it. A destroyed socket has
   * no handle any more. `writableEnded` and `destroyed` are not read: their getters load the stream state's
   * symbol-keyed flags, megamorphic loads that took 0.6% of the server's perf samples at -P 1, once per flush. A
   * socket ended by its peer (allowHalfOpen off) or by the caller's own close still has a handle for a moment;
   * a write then fails (EPIPE) and reports WRITE_FAILED, or goes out before the shutdown libuv queues after it.
   */
  usable(): boolean {
    const s = this.socket as unknown as { _handle: WritableHandle | null; writableLength: number; connecting: boolean };
    return this.inFlight === 0 && s._handle !== null && !s.connecting && s.writableLength === 0;
  }
}

/** A DirectWriter for `socket`, or null when this Node lacks what it needs (use socket.write then). */
export function openDirectWriter(socket: Socket, owner: DirectWriteOwner): DirectWriter | null {
  const b = streamWrap();
  if (b === null) return null;
  const handle = (socket as unknown as { _handle?: WritableHandle | null })._handle;
  if (!handle || typeof handle.writeBuffer !== 'function') return null;
  return new DirectWriter(socket, b, owner);
}
