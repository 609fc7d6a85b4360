// Addresses of the app's own pages and routes, always beside the page's own: the page
// then works under a path prefix (/gatescope/) and behind an https proxy (wss), since no
// address is built from a host name or from the server's root.

// `path` ("embed", "api/models") resolved against the page's address, as a URL.
export function besidePage(path, base = document.baseURI) {
  return new URL(path, base);
}

// The live stream's address: ws: beside an http page, wss: beside an https one.
export function socketUrl(path, base = document.baseURI) {
  const url = besidePage(path, base);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

// A page of the app ("./" the app itself, "embed") showing the view of `query`.
export function pageUrl(path, query, base = document.baseURI) {
  const url = besidePage(path, base);
  url.search = query;
  return url.href;
}
