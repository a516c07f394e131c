/**
 * Can a function library keep state between FCALLs? Redis has one Lua state, so a library's top-level locals (upvalues
 * of its functions) change for every later call. Mica has two (the main thread's, with its instruction budget, and the
 * Lua thread's, for calls that run past it; scripting/engine.ts), each with its own copy of the library. A library
 * that may keep state is therefore run only on the Lua thread (CompiledUnit.pinned), its single home; the others may
 * run in either state, since both copies are then the same.
 *
 * The check is lexical and conservative (a false "may keep state" only costs speed). Outside every function body
 * (the library's top level, including its do / if / loop blocks) it allows only:
 *   - `local function NAME` declarations, NAME never assigned anywhere;
 *   - function expressions that are not called on the spot (an immediately called one can return closures over its
 *     own locals);
 * and no `for` loop (its variables can be captured). `setfenv` anywhere also counts as state. Whatever else runs at
 * the top level (e.g. redis.register_function calls) cannot leave anything mutable that a function can reach: the
 * globals are read-only in Redis 7, and a function's own locals die with each call.
 */
import { luaSegments } from './protocol.js';

const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;

export function libraryMayKeepState(body: string): boolean {
  let code = '';
  // Strings and comments become a space (their content is no code; a string still separates tokens).
  for (const [text, isCode] of luaSegments(body)) code += isCode ? text : ' "" ';
  if (/(^|[^\w.])setfenv\b/.test(code)) return true;
  // Blocks: 'f' a function body, 'b' any other block closed by `end`, 'r' repeat (closed by `until`).
  const stack: string[] = [];
  let fnDepth = 0;
  const localFunctions: string[] = [];
  for (let i = 0; i < code.length;) {
    WORD.lastIndex = i;
    const m = /[A-Za-z_]/.test(code[i]!) && (i === 0 || !/\w/.test(code[i - 1]!)) ? WORD.exec(code) : null;
    if (m === null) {
      i++;
      continue;
    }
    const w = m[0];
    const prev = i > 0 ? code[i - 1] : '';
    i += w.length;
    if (prev === '.' || prev === ':') continue; // a field name, not a keyword
    switch (w) {
      case 'function':
        stack.push('f');
        fnDepth++;
        break;
      case 'do':
      case 'if':
        stack.push('b');
        break;
      case 'repeat':
        stack.push('r');
        break;
      case 'end':
      case 'until': {
        const k = stack.pop();
        if (k === 'f') {
          fnDepth--;
          // Called on the spot: `(function() ... end)(...)`.
          if (fnDepth === 0 && /^\s*\)\s*[({"'[]/.test(code.slice(i))) return true;
        }
        break;
      }
      case 'for':
        if (fnDepth === 0) return true;
        break;
      case 'local':
        if (fnDepth === 0) {
          const rest = /^\s+function\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(code.slice(i));
          if (rest === null) return true;
          localFunctions.push(rest[1]!);
        }
        break;
    }
  }
  for (const name of localFunctions) {
    if (new RegExp(`(^|[^\\w.:])${name}\\s*=(?!=)`).test(code)) return true;
  }
  return false;
}
