// Who may spend the key (forward mode) or drive the simulator's control API
// (`/_sim/*`, which also shows recorded prompts): a web page from any other
// site open in the same browser must not be able to, through 127.0.0.1.
// Loopback origins (the developer's own dev servers) are allowed, plus an
// explicit list. Requests without an Origin are allowed (curl, server code,
// tests) unless the browser marks them as coming from another site
// (`Sec-Fetch-Site: cross-site`: an <img>, <script> or link on another page).
// The Host header must be loopback too, which defeats DNS rebinding. A
// request that another proxy relayed for a client on another machine
// (`X-Forwarded-For`, `Forwarded` or `X-Real-IP` naming a non-loopback
// address) is refused whatever its Origin: that client can forge any Origin,
// so a reverse proxy in front would otherwise open the key to its network.

const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** @param {string} hostname */
function isLoopbackHostname(hostname) {
  return LOOPBACK_HOSTNAMES.has(hostname) || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

/**
 * @param {string} address an IP address as a forwarding header writes it,
 *   maybe quoted, bracketed or with a port
 */
function isLoopbackAddress(address) {
  const bare = address.trim().replace(/^"|"$/g, '').replace(/^\[([^\]]*)\](?::\d+)?$/, '$1').replace(/^([\d.]+):\d+$/, '$1').toLowerCase();
  return bare === '::1' || /^(?:::ffff:)?127(?:\.\d{1,3}){3}$/.test(bare);
}

/**
 * The first client address named by a proxy in front that is not loopback, if any.
 * @param {import('node:http').IncomingHttpHeaders} headers
 * @returns {string | undefined}
 */
function remoteClient(headers) {
  /** @param {string | string[] | undefined} value */
  const list = (value) => [value ?? []].flat().flatMap((v) => v.split(','));
  const forwardedFor = list(headers.forwarded).flatMap((element) => element.split(';'))
    .flatMap((pair) => /^\s*for\s*=(.*)$/i.exec(pair)?.[1] ?? []);
  const addresses = [...list(headers['x-forwarded-for']), ...list(headers['x-real-ip']), ...forwardedFor];
  return addresses.map((a) => a.trim()).find((address) => address !== '' && !isLoopbackAddress(address));
}

/**
 * Origins allowed besides loopback ones: the option, else the
 * comma-separated RKAT_PROXY_ALLOWED_ORIGINS environment variable. Each is
 * normalised as a browser sends it (`https://App.Example.com:443/` →
 * `https://app.example.com`); an entry that is not an origin (`*`, a bare
 * host name, a path) throws rather than silently never matching.
 * @param {string[] | undefined} option
 * @returns {Set<string>}
 */
export function allowedOriginList(option) {
  const source = option === undefined ? 'RKAT_PROXY_ALLOWED_ORIGINS' : 'allowedOrigins';
  const list = option ?? (process.env.RKAT_PROXY_ALLOWED_ORIGINS ?? '').split(',');
  /** @type {Set<string>} */
  const origins = new Set();
  for (const entry of list.map((o) => String(o).trim()).filter(Boolean)) {
    /** @type {URL | null} */
    let url = null;
    try {
      url = new URL(entry);
    } catch {
      // reported below
    }
    if (!url || url.origin === 'null' || url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
      throw new Error(`${source}: ${JSON.stringify(entry)} is not an origin (scheme://host[:port], e.g. https://app.example.com; there is no wildcard)`);
    }
    origins.add(url.origin);
  }
  return origins;
}

/**
 * `Sec-Fetch-Site` values of an Origin-less request that may pass: a typed URL
 * or bookmark, or a page of this loopback host (any port: same-site).
 */
const TRUSTED_FETCH_SITES = new Set(['none', 'same-origin', 'same-site']);

/**
 * Why a request may not use a forwarded key or the control API, or null when it may.
 * @param {import('node:http').IncomingHttpHeaders} headers
 * @param {Set<string>} allowed
 * @returns {string | null}
 */
export function callerRefusal(headers, allowed) {
  const host = (headers.host ?? '').replace(/:\d+$/, '');
  if (!isLoopbackHostname(host)) return `Host ${JSON.stringify(headers.host ?? '')} is not a loopback address`;
  const remote = remoteClient(headers);
  if (remote !== undefined) {
    return `a request relayed for another machine (client ${JSON.stringify(remote)}, from X-Forwarded-For, Forwarded or X-Real-IP) may not use this proxy: it serves this machine only`;
  }
  const origin = headers.origin;
  if (!origin) {
    const site = headers['sec-fetch-site'];
    if (site === undefined || TRUSTED_FETCH_SITES.has(site)) return null;
    return `a request from another site without an Origin (sec-fetch-site: ${site}) may not use this proxy`;
  }
  try {
    const url = new URL(origin);
    if (allowed.has(url.origin) || isLoopbackHostname(url.hostname)) return null;
  } catch {
    // a malformed Origin (or `null`, from a sandboxed frame or a file) is refused below
  }
  return `origin ${origin} may not use this proxy's key; add it to RKAT_PROXY_ALLOWED_ORIGINS (comma-separated) to allow it`;
}
