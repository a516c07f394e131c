/**
 * A redis.call round trip between the threads is a few microseconds of work on each side: spinning briefly
 * before sleeping in Atomics.wait saves the futex wake-up, which costs more than the work on a busy machine.
 */
export const SPIN_ITERATIONS = 2000;

/** Spins up to SPIN_ITERATIONS checks for ctrl[i] to leave `v`; true if it did. */
export function spin(ctrl: Int32Array, i: number, v: number): boolean {
  for (let k = 0; k < SPIN_ITERATIONS; k++) if (Atomics.load(ctrl, i) !== v) return true;
  return false;
}
