/**
 * Whether a client address as CLIENT LIST prints it ("127.0.0.1:5000", "[::1]:5000", "/tmp/redis.sock:0") is a
 * local connection in Redis's sense (islocalClient): the unix socket, or exactly 127.0.0.1 or ::1. It decides
 * the "local" value of enable-debug-command, enable-module-command and enable-protected-configs.
 */
export function isLocalAddr(addr: string): boolean {
  if (addr.startsWith('/')) return true;
  const host = addr.slice(0, addr.lastIndexOf(':'));
  return host === '127.0.0.1' || host === '[::1]';
}
