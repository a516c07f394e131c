/**
 * V8's gc() function without starting node with --expose-gc: the flag is set at run time, and a context created
 * afterwards sees `gc` as a global. Used by MEMORY PURGE (a full collection) and by the maxmemory heap bound
 * (`{ type: 'major', execution: 'async' }`: incremental, concurrent marking, no stop-the-world collection).
 */
import v8 from 'node:v8';
import vm from 'node:vm';

export type GcFunction = (opts?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async' }) => void;

let gcFunction: GcFunction | null = null;

export function gcHandle(): GcFunction {
  if (gcFunction === null) {
    const g = (globalThis as { gc?: GcFunction }).gc;
    if (g !== undefined) gcFunction = g;
    else {
      v8.setFlagsFromString('--expose-gc');
      gcFunction = vm.runInNewContext('gc') as GcFunction;
    }
  }
  return gcFunction;
}
