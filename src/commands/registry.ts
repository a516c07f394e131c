/**
 * Builds the command table from the family files and answers lookups.
 *
 * Lookup is on the hot path: the Map holds each name in lower and upper case, so the usual "GET" / "get" finds
 * its command without building a lower-cased string; only mixed case pays for toLowerCase().
 */
import { CMD_FAST, CMD_PROTECTED, CMD_RUN_TIMED, FLAG_BITS, type Command, type CommandSpec } from './types.js';
import { CommandStat } from '../observability/stats.js';

export class CommandTable {
  private readonly map = new Map<string, Command>();
  /** Top-level commands in registration order. */
  readonly list: Command[] = [];
  /** The last name lookup() found, and its command (see lookup). */
  private lastName = '';
  private lastCmd: Command | undefined = undefined;

  constructor(specs: readonly CommandSpec[]) {
    for (const spec of specs) this.add(spec);
  }

  private compile(spec: CommandSpec, parent?: Command): Command {
    let bits = 0;
    for (const f of spec.flags) {
      const b = FLAG_BITS[f];
      if (b === undefined) throw new Error(`command ${spec.name}: unknown flag ${f}`);
      bits |= b;
    }
    if ((bits & CMD_FAST) !== 0 || spec.timedInRuns === true) bits |= CMD_RUN_TIMED;
    if (spec.protectedBy !== undefined) bits |= CMD_PROTECTED;
    const cmd: Command = {
      spec,
      fullName: parent ? parent.fullName + '|' + spec.name : spec.name,
      flagBits: bits,
      stat: new CommandStat(),
      ...(parent ? { parent } : {}),
      ...(spec.handler ? { handler: spec.handler } : {}),
    };
    if (spec.subcommands) {
      cmd.subcommands = new Map();
      for (const sub of spec.subcommands) cmd.subcommands.set(sub.name, this.compile(sub, cmd));
    }
    return cmd;
  }

  private add(spec: CommandSpec): void {
    if (this.map.has(spec.name)) throw new Error(`command ${spec.name} registered twice`);
    const cmd = this.compile(spec);
    this.list.push(cmd);
    this.map.set(spec.name, cmd);
    this.map.set(spec.name.toUpperCase(), cmd);
  }

  /** The command named `name` (any case), or undefined. */
  lookup(name: string): Command | undefined {
    // Clients mostly repeat one command: comparing a fresh short name with the last one found is cheaper than
    // hashing it for the Map (a parsed name has no cached hash), 50-90 ns per request on the machines measured.
    if (name === this.lastName) return this.lastCmd;
    const cmd = this.map.get(name) ?? this.map.get(name.toLowerCase());
    if (cmd !== undefined) {
      this.lastName = name;
      this.lastCmd = cmd;
    }
    return cmd;
  }

  /** Resolves "client|list"-style full names (COMMAND INFO, ACL). */
  lookupFullName(fullName: string): Command | undefined {
    const bar = fullName.indexOf('|');
    if (bar < 0) return this.lookup(fullName);
    const parent = this.lookup(fullName.slice(0, bar));
    return parent?.subcommands?.get(fullName.slice(bar + 1).toLowerCase());
  }

  /** Every command and subcommand, depth first. */
  *all(): Iterable<Command> {
    for (const c of this.list) {
      yield c;
      if (c.subcommands) yield* c.subcommands.values();
    }
  }

  get size(): number {
    return this.list.length;
  }
}
