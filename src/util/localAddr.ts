/**
 * Whether a client is a local connection in Redis's sense (islocalClient): on the unix socket, or from exactly
 * 127.0.0.1 or ::1 (its address as CLIENT LIST prints it: "127.0.0.1:5000", "[::1]:5000"). It decides the "local"
 * value of enable-debug-command, enable-module-command and enable-protected-configs.
 */
export function isLocalClient(client: { readonly unixSocket: string | null; readonly addr: string }): boolean {
  if (client.unixSocket !== null) return true;
  const host = client.addr.slice(0, client.addr.lastIndexOf(':'));
  return host === '127.0.0.1' || host === '[::1]';
}
