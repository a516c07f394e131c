/**
 * Which arguments the slow log and MONITOR show as "(redacted)": passwords and ACL rules, as Redis 7.0's
 * redactClientCommandArgument calls in AUTH, HELLO, CONFIG SET (sensitive settings), ACL SETUSER and MIGRATE.
 * Every other command's argv is returned as is (no copy), so this costs one Set lookup per logged command.
 */

export const REDACTED = '(redacted)';

/** Settings Redis 7.0 flags SENSITIVE_CONFIG: CONFIG SET hides their values. */
const SENSITIVE_CONFIGS = new Set(['requirepass', 'masterauth', 'masteruser', 'tls-key-file-pass',
  'tls-client-key-file-pass']);

const REDACTING = new Set(['auth', 'hello', 'config|set', 'acl|setuser', 'migrate']);

/** argv as logged for command `fullName` ("config|set"). */
export function redactArgv(fullName: string, argv: readonly string[]): readonly string[] {
  if (!REDACTING.has(fullName)) return argv;
  const out = argv.slice();
  switch (fullName) {
    case 'auth':
      // AUTH with too many arguments fails before it hides anything.
      if (out.length > 3) return argv;
      for (let j = 1; j < out.length; j++) out[j] = REDACTED;
      break;
    case 'acl|setuser':
      for (let j = 2; j < out.length; j++) out[j] = REDACTED;
      break;
    case 'hello':
      // HELLO protover [AUTH user pass] [SETNAME name]: only the AUTH pair is hidden, once the protocol version
      // has been accepted.
      if (out[1] !== '2' && out[1] !== '3') return argv;
      for (let j = 2; j < out.length; j++) {
        const w = out[j]!.toLowerCase();
        if (w === 'auth' && j + 2 < out.length) {
          out[j + 1] = out[j + 2] = REDACTED;
          j += 2;
        } else if (w === 'setname' && j + 1 < out.length) {
          j++;
        } else {
          break;
        }
      }
      break;
    case 'config|set':
      if (out.length % 2 !== 0) return argv;
      for (let j = 2; j + 1 < out.length; j += 2) {
        if (SENSITIVE_CONFIGS.has(out[j]!.toLowerCase())) out[j + 1] = REDACTED;
      }
      break;
    case 'migrate':
      // MIGRATE host port key db timeout [COPY] [REPLACE] [AUTH pass | AUTH2 user pass] [KEYS ...]
      for (let j = 6; j < out.length; j++) {
        const w = out[j]!.toLowerCase();
        if (w === 'auth' && j + 1 < out.length) {
          out[++j] = REDACTED;
        } else if (w === 'auth2' && j + 2 < out.length) {
          out[j + 1] = out[j + 2] = REDACTED;
          j += 2;
        } else if (w === 'keys') {
          break;
        }
      }
      break;
  }
  return out;
}
