/**
 * Where the login page sends the user afterwards. `next` comes from the address bar, so anyone can
 * craft it: only a path on this origin is followed ("/d/overview?x=1"), never "//evil.example",
 * "/\evil.example" (browsers read a backslash as a slash), "/.//evil.example" (dot segments),
 * encoded slashes, "https://…" or "javascript:…".
 */
export function safeNextPath(raw: string | null | undefined, fallback = '/'): string {
  if (!raw || raw.length > 2000) return fallback;
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return fallback;
  // Control characters and backslashes anywhere are never part of a path we link to ourselves.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) return fallback;
  let url: URL;
  try {
    url = new URL(raw, 'http://trellis.invalid');
  } catch {
    return fallback;
  }
  if (url.origin !== 'http://trellis.invalid') return fallback;
  // Dot segments are resolved above: "/.//evil.example" and "/a/..//evil.example" come out as
  // "//evil.example", which a browser follows to another host. And an encoded slash or backslash in
  // the path ("/%2F%2Fevil.example", "/%5Cevil.example") is one decode away from the same.
  if (url.pathname.startsWith('//') || /%(2f|5c)/i.test(url.pathname)) return fallback;
  // Back to the login page would be a loop.
  if (url.pathname === '/login') return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The login page's address for someone who was sent away from `current` ("/d/x?y=1"). */
export function loginPath(current?: string): string {
  const next = current === undefined ? undefined : safeNextPath(current, '');
  return next && next !== '/' ? `/login?next=${encodeURIComponent(next)}` : '/login';
}
