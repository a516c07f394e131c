/**
 * The differential harness: the same commands go to Mica and to a real redis-server, and the raw reply bytes
 * must be identical.
 *
 *   const d = await Differential.start();        // both servers, one RESP2 client on each
 *   await d.same(['SET', 'k', 'v'], ['GET', 'k']); // each command's raw replies must match
 *   await d.setResp(3);                           // switch both connections to RESP3 (HELLO 3)
 *   await d.stop();
 *
 * Helpers for replies that legitimately differ (timestamps, ids) take a normalizer applied to both sides.
 */
import assert from 'node:assert/strict';
import { startMica, startOracle, RawClient, type OracleHandle } from './servers.js';
import type { ServerHandle } from '../../src/index.js';
import { decode } from './respReader.js';

export type Cmd = readonly (string | Buffer)[];
export type Normalizer = (raw: string) => string;

/** Renders raw reply bytes readably for assertion messages (CRLF shown as \r\n). */
export function show(b: Buffer | string): string {
  const s = typeof b === 'string' ? b : b.latin1Slice(0, b.length);
  return JSON.stringify(s);
}

/** Re-encodes a flat array reply of bulk strings with its elements sorted (for KEYS). */
export function sortedArray(raw: string): string {
  const v = decode(Buffer.from(raw, 'latin1')).value;
  if (!Array.isArray(v)) return raw;
  const items = (v as string[]).slice().sort();
  return `*${items.length}\r\n` + items.map((s) => `$${s.length}\r\n${s}\r\n`).join('');
}

export class Differential {
  private readonly extraClients: RawClient[] = [];

  private constructor(
    readonly mica: ServerHandle,
    readonly redis: OracleHandle,
    public m: RawClient,
    public r: RawClient,
  ) {}

  static async start(opts: { redisArgs?: string[]; micaConfig?: Record<string, string> } = {}): Promise<Differential> {
    const [mica, redis] = await Promise.all([
      startMica(opts.micaConfig ? { config: opts.micaConfig } : {}),
      startOracle(opts.redisArgs ?? []),
    ]);
    const [m, r] = await Promise.all([RawClient.connect(mica.port), RawClient.connect(redis.port)]);
    return new Differential(mica, redis, m, r);
  }

  /** Sends `cmd` to both; returns both raw replies as latin1 strings. */
  async both(cmd: Cmd): Promise<{ mica: string; redis: string }> {
    const [a, b] = await Promise.all([this.m.call(...cmd), this.r.call(...cmd)]);
    return { mica: a.latin1Slice(0, a.length), redis: b.latin1Slice(0, b.length) };
  }

  /** Each command's raw reply must be byte-identical on both servers. */
  async same(...cmds: Cmd[]): Promise<void> {
    for (const cmd of cmds) {
      const { mica, redis } = await this.both(cmd);
      assert.equal(mica, redis, `reply to ${show(cmd.map(String).join(' '))} differs\n  mica:  ${show(mica)}\n  redis: ${show(redis)}`);
    }
  }

  /** Like `same`, after applying `norm` to both replies. */
  async sameWith(norm: Normalizer, ...cmds: Cmd[]): Promise<void> {
    for (const cmd of cmds) {
      const { mica, redis } = await this.both(cmd);
      assert.equal(norm(mica), norm(redis), `reply to ${show(cmd.map(String).join(' '))} differs\n  mica:  ${show(mica)}\n  redis: ${show(redis)}`);
    }
  }

  /** Sends a pipeline to both and compares every reply. */
  async samePipeline(cmds: readonly Cmd[]): Promise<void> {
    const [a, b] = await Promise.all([this.m.pipeline(cmds), this.r.pipeline(cmds)]);
    for (let i = 0; i < cmds.length; i++) {
      assert.equal(a[i]!.latin1Slice(), b[i]!.latin1Slice(), `reply ${i} to ${show(cmds[i]!.map(String).join(' '))} differs\n  mica:  ${show(a[i]!)}\n  redis: ${show(b[i]!)}`);
    }
  }

  /** Switches both connections to RESP `v` with HELLO (the HELLO replies themselves differ and are not compared). */
  async setResp(v: 2 | 3): Promise<void> {
    await Promise.all([this.m.call('HELLO', String(v)), this.r.call('HELLO', String(v))]);
  }

  /** Runs `fn` once over RESP2 and once over RESP3, flushing both servers before each pass. */
  async bothProtocols(fn: (resp: 2 | 3) => Promise<void>): Promise<void> {
    for (const v of [2, 3] as const) {
      await this.setResp(v);
      await this.flush();
      await fn(v);
    }
    await this.setResp(2);
  }

  async flush(): Promise<void> {
    await Promise.all([this.m.call('FLUSHALL'), this.r.call('FLUSHALL')]);
  }

  /** Extra connections to both servers (for multi-client scenarios); stop() closes them. */
  async connectPair(): Promise<{ m: RawClient; r: RawClient }> {
    const [m, r] = await Promise.all([RawClient.connect(this.mica.port), RawClient.connect(this.redis.port)]);
    this.extraClients.push(m, r);
    return { m, r };
  }

  async stop(): Promise<void> {
    this.m.close();
    this.r.close();
    for (const c of this.extraClients) c.close();
    await Promise.all([this.mica.close(), this.redis.stop()]);
  }
}
