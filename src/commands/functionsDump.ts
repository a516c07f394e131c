/**
 * FUNCTION DUMP and FUNCTION RESTORE: every library as one payload in Redis 7.0's format (FUNCTION2 records, the
 * RDB version and a CRC-64, as DUMP payloads end), so libraries move between Mica and redis-server both ways.
 * RESTORE is all or nothing: the payload is read whole first, and a library that fails to load puts the previous
 * libraries back.
 */
import { functionsPayload, readFunctionsPayload, verifyDumpPayload, RdbError } from '../persistence/rdb/index.js';
import { parseLibraryHeader } from '../scripting/index.js';
import type { CommandContext } from './types.js';

export function functionDumpCommand(c: CommandContext): void {
  const libs = [...c.server.scripting.functions.libraries.values()];
  c.bulk(functionsPayload(libs.map((l) => l.code), c.server.config.getBool('rdbcompression')));
}

export function functionRestoreCommand(c: CommandContext): void {
  const argv = c.argv;
  if (argv.length > 4) {
    c.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1]!.slice(0, 128)}'. Try FUNCTION HELP.`);
    return;
  }
  let policy = 'append';
  if (argv.length === 4) {
    policy = argv[3]!.toLowerCase();
    if (policy !== 'flush' && policy !== 'append' && policy !== 'replace') {
      c.error('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
      return;
    }
  }
  const payload = Buffer.from(argv[2]!, 'latin1');
  if (!verifyDumpPayload(payload)) {
    c.error('ERR DUMP payload version or checksum are wrong');
    return;
  }
  let codes: string[];
  try {
    codes = readFunctionsPayload(payload);
  } catch (e) {
    if (!(e instanceof RdbError)) throw e;
    c.error('ERR ' + e.message);
    return;
  }
  const scripting = c.server.scripting;
  const reg = scripting.functions;
  if (policy === 'append') {
    for (const code of codes) {
      const h = parseLibraryHeader(code);
      if (!('error' in h) && reg.libraries.has(h.name)) {
        c.error(`ERR Library ${h.name} already exists`);
        return;
      }
    }
  }
  const before = [...reg.libraries.values()];
  if (policy === 'flush') reg.flush();
  for (const code of codes) {
    const r = scripting.loadLibrary(code, policy !== 'append');
    if ('error' in r) {
      reg.flush();
      for (const lib of before) reg.add(lib);
      c.error(r.error);
      return;
    }
  }
  c.server.keyspace.dirty++;
  c.ok();
}
