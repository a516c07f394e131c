/**
 * redlock 5's package.json "exports" hides its own typings from NodeNext resolution; this declares the part the
 * tests use.
 */
declare module 'redlock' {
  import type { EventEmitter } from 'node:events';
  export interface Lock {
    readonly value: string;
    readonly expiration: number;
    release(): Promise<unknown>;
    extend(duration: number): Promise<Lock>;
  }
  export default class Redlock extends EventEmitter {
    constructor(clients: Iterable<unknown>, settings?: Record<string, unknown>);
    acquire(resources: string[], duration: number, settings?: Record<string, unknown>): Promise<Lock>;
    release(lock: Lock): Promise<unknown>;
  }
}
