// Who may spend the key: in forward mode the proxy holds a real credential,
// so a web page from any other site open in the same browser must not be
// able to use it through 127.0.0.1. Loopback origins (the developer's own
// dev servers) are allowed, plus an explicit list; requests without an
// Origin (curl, server code) are allowed. The Host header must be loopback
// too, which defeats DNS rebinding.

const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** @param {string} hostname */
function isLoopbackHostname(hostname) {
  return LOOPBACK_HOSTNAMES.has(hostname) || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Origins allowed besides loopback ones: the option, else the
 * comma-separated RKAT_PROXY_ALLOWED_ORIGINS environment variable.
 * @param {string[] | undefined} option
 * @returns {Set<string>}
 */
export function allowedOriginList(option) {
  const list = option ?? (process.env.RKAT_PROXY_ALLOWED_ORIGINS ?? '').split(',');
  return new Set(list.map((o) => o.trim().replace(/\/$/, '')).filter(Boolean));
}

/**
 * Why a request may not use a forwarded key, or null when it may.
 * @param {import('node:http').IncomingHttpHeaders} headers
 * @param {Set<string>} allowed
 * @returns {string | null}
 */
export function forwardRefusal(headers, allowed) {
  const host = (headers.host ?? '').replace(/:\d+$/, '');
  if (!isLoopbackHostname(host)) return `Host ${JSON.stringify(headers.host ?? '')} is not a loopback address`;
  const origin = headers.origin;
  if (!origin || allowed.has(origin)) return null;
  try {
    if (isLoopbackHostname(new URL(origin).hostname)) return null;
  } catch {
    // a malformed Origin is refused below
  }
  return `origin ${origin} may not use this proxy's key; add it to RKAT_PROXY_ALLOWED_ORIGINS (comma-separated) to allow it`;
}
