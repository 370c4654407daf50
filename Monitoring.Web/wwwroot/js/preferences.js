// Per-browser console preferences live in a cookie so the server renders the first paint with them
// (localStorage would only be readable after the page is interactive, so every load would flash).
export function save(name, value, maxAgeSeconds) {
  const secure = location.protocol === "https:" ? "; secure" : "";
  document.cookie = `${name}=${value}; path=/; max-age=${maxAgeSeconds}; samesite=strict${secure}`;
}

// The IANA zone the browser runs in, e.g. "Europe/Berlin"; the server converts times with it.
export function timeZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone ?? null;
}
