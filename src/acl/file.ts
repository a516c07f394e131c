/**
 * The ACL file (aclfile): one "user <name> <rules...>" line per user, as ACL SAVE writes it and ACL LOAD reads it.
 * Loading validates every line against a fresh set of users and reports all problems at once in Redis's words;
 * the caller applies nothing unless the whole file is valid.
 */
import { writeFileSync, renameSync, readFileSync, unlinkSync } from 'node:fs';
import { mergeSelectorArgs, aclErrorText } from './rules.js';
import { aclStringHasSpaces, type AclErr } from './selector.js';

/** One parsed user: its name and its (merged) rules, in file order. */
export interface UserDefinition {
  name: string;
  rules: string[];
}

/**
 * Parses ACL file text. `tryRules` applies a user's rules to a new user and returns each failed rule with its
 * errno. Returns the definitions or Redis's error string (every problem of the file).
 */
export function parseAclFile(text: string, filename: string,
  tryRules: (name: string, rules: string[]) => [string, AclErr][]): UserDefinition[] | string {
  const lines = text.split('\n');
  let errors = '';
  const seen = new Set<string>();
  const defs: UserDefinition[] = [];
  for (let i = 0; i < lines.length; i++) {
    const linenum = i + 1;
    const line = lines[i]!.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (line === '') continue;
    // Redis splits ACL file lines on single spaces (no quoting), unlike redis.conf.
    const argv = line.split(' ');
    if (argv[0] !== 'user' || argv.length < 2) {
      errors += `${filename}:${linenum} should start with user keyword followed by the username. `;
      continue;
    }
    const name = argv[1]!;
    if (aclStringHasSpaces(name)) {
      errors += `'${filename}:${linenum}: username '${name}' contains invalid characters. `;
      continue;
    }
    if (seen.has(name)) {
      errors += `WARNING: Duplicate user '${name}' found on line ${linenum}. `;
      continue;
    }
    seen.add(name);
    const merged = mergeSelectorArgs(argv.slice(2));
    if (!Array.isArray(merged)) {
      errors += `${filename}:${linenum}: Unmatched parenthesis in selector definition.`;
      continue;
    }
    const rules = merged.map((r) => r.replace(/^[\t\r\n]+|[\t\r\n]+$/g, ''));
    // A missing command is named (nothing secret in it); of other errors only the line's first is reported, since
    // it may be why later rules fail.
    let syntaxError = false;
    for (const [rule, e] of tryRules(name, rules)) {
      if (e === 'ENOENT') errors += `${filename}:${linenum}: Error in applying operation '${rule}': ${aclErrorText(e)}. `;
      else if (!syntaxError) {
        errors += `${filename}:${linenum}: ${aclErrorText(e)}. `;
        syntaxError = true;
      }
    }
    if (errors === '') defs.push({ name, rules });
  }
  if (errors !== '') return errors + 'WARNING: ACL errors detected, no change to the previously active ACL rules was performed';
  return defs;
}

/** Reads the file, or returns Redis's error for a file that cannot be opened. */
export function readAclFile(path: string): { text: string } | { error: string } {
  try {
    return { text: readFileSync(path, 'latin1') };
  } catch (e) {
    return { error: `Error loading ACLs, opening file '${path}': ${systemErrorText(e)}` };
  }
}

/** ACL SAVE: written to a temp file and renamed over the old one. Null on success, else the system error. */
export function writeAclFile(path: string, lines: readonly string[]): string | null {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    writeFileSync(tmp, lines.map((l) => l + '\n').join(''), { encoding: 'latin1', mode: 0o644 });
    renameSync(tmp, path);
    return null;
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temp file may not exist
    }
    return systemErrorText(e);
  }
}

export function systemErrorText(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return 'No such file or directory';
  if (code === 'EACCES') return 'Permission denied';
  if (code === 'EISDIR') return 'Is a directory';
  return e instanceof Error ? e.message : String(e);
}

export { aclErrorText };
