/**
 * ACL rule descriptions compared across Mica and redis-server. Redis writes single-command rules ("+get -hset") in
 * its command dict's order, randomly seeded per process, so runs of single-command rules are compared as sorted
 * sets, without the 7.2 commands only Mica has. Redis 7.0's commands that Mica lacks (cluster, replication) stay:
 * Mica's ACL knows them by name and category, so their rules must print alike. Everything else stays as written.
 */
import { decode } from './respReader.js';
import type { RawClient } from './rawClient.js';

/** Commands Mica has and redis-server 7.0.15 lacks (see learnMissingCommands). */
export const missing = new Set<string>();

/** Fills `missing` with Mica's 7.2 extras: top-level ones from both servers' COMMAND LIST, and two subcommands. */
export async function learnMissingCommands(m: RawClient, r: RawClient): Promise<void> {
  if (missing.size > 0) return;
  const list = async (c: RawClient): Promise<string[]> => decode(await c.call('COMMAND', 'LIST')).value as string[];
  const [a, b] = await Promise.all([list(m), list(r)]);
  const inB = new Set(b);
  for (const n of a) if (!inB.has(n)) missing.add(n);
  missing.add('client|setinfo');
  missing.add('client|no-touch');
}

function isSingleRule(tok: string): boolean {
  return (tok[0] === '+' || tok[0] === '-') && tok[1] !== '@' && tok.length > 1;
}

/** Sorts each run of single-command rules and drops rules about commands only Mica has. */
export function normalizeRules(s: string): string {
  if (!/[+-]@all/.test(s)) return s;
  const toks = s.replace(/\(/g, '( ').replace(/\)/g, ' )').split(' ');
  const out: string[] = [];
  let run: string[] = [];
  const flush = (): void => {
    out.push(...run.filter((r) => !missing.has(r.slice(1).split('|')[0]!) && !missing.has(r.slice(1))).sort());
    run = [];
  };
  for (const t of toks) {
    if (isSingleRule(t)) run.push(t);
    else {
      flush();
      out.push(t);
    }
  }
  flush();
  return out.join(' ');
}

/** Rewrites every bulk / verbatim string of a raw reply through `f` (lengths recomputed). */
export function mapBulks(raw: string, f: (s: string) => string): string {
  let pos = 0;
  let out = '';
  const one = (): void => {
    const type = raw[pos]!;
    const cr = raw.indexOf('\r\n', pos);
    const line = raw.slice(pos + 1, cr);
    pos = cr + 2;
    if (type === '$' || type === '=') {
      const n = Number(line);
      if (n < 0) {
        out += type + line + '\r\n';
        return;
      }
      const body = f(raw.slice(pos, pos + n));
      pos += n + 2;
      out += type + body.length + '\r\n' + body + '\r\n';
      return;
    }
    out += type + line + '\r\n';
    if (type === '*' || type === '~' || type === '>' || type === '%') {
      let n = Number(line);
      if (type === '%') n *= 2;
      for (let i = 0; i < n; i++) one();
    }
  };
  while (pos < raw.length) one();
  return out;
}

/** A raw reply with every rule description normalized. */
export const rulesNorm = (raw: string): string => mapBulks(raw, normalizeRules);
