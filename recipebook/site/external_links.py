"""The nightly external link check over a built site. Internal links are MkDocs' job (validation: in mkdocs.yml);
this checks the http(s) links that leave the site, and refuses to pretend when there is no network.

Usage: python -m recipebook.site.external_links SITE_DIR
  exit 0  all external links answered (or offline: SKIPPED, loudly, unless RECIPEBOOK_REQUIRE_NETWORK=1)
  exit 1  some links are broken (each is listed with the pages that use it)
  exit 2  offline while RECIPEBOOK_REQUIRE_NETWORK=1, or no site to check
RECIPEBOOK_LINKCHECK_PROBE=host:port overrides the connectivity probe (default: the first linked host, port 443).
"""
from __future__ import annotations

import os
import socket
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit, urldefrag

PROBE_TIMEOUT_S = 3.0
REQUEST_TIMEOUT_S = 15.0
LOCAL_HOSTS = {"localhost", "127.0.0.1", "0.0.0.0", "::1"}


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def external_links(html: str) -> list[str]:
    """http(s) links of one page, without fragments, skipping links to this machine."""
    collector = _LinkCollector()
    collector.feed(html)
    found = []
    for link in collector.links:
        url = urldefrag(link.strip())[0]
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.hostname and parts.hostname not in LOCAL_HOSTS:
            found.append(url)
    return found


def links_in_site(site_dir: Path) -> dict[str, list[str]]:
    """url -> the pages (relative paths) that link to it, over every HTML file of the built site."""
    pages: dict[str, list[str]] = {}
    for html_file in sorted(Path(site_dir).rglob("*.html")):
        page = html_file.relative_to(site_dir).as_posix()
        for url in dict.fromkeys(external_links(html_file.read_text(errors="replace"))):
            pages.setdefault(url, []).append(page)
    return pages


def network_available(host: str, port: int, timeout: float = PROBE_TIMEOUT_S) -> tuple[bool, str]:
    """(reachable, why not): one TCP connection attempt, so an offline machine answers in seconds."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True, ""
    except OSError as exc:
        return False, f"cannot connect to {host}:{port} within {timeout:.0f} s ({exc.__class__.__name__}: {exc})"


def probe_target(urls: list[str], environ=os.environ) -> tuple[str, int]:
    override = environ.get("RECIPEBOOK_LINKCHECK_PROBE")
    if override:
        host, _, port = override.rpartition(":")
        return host, int(port)
    first = urlsplit(urls[0])
    return first.hostname, first.port or (443 if first.scheme == "https" else 80)


def check_url(url: str) -> str | None:
    """None when the URL answers below 400 (HEAD, then GET for servers that refuse HEAD), else the problem."""
    problem = None
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"User-Agent": "recipebook-linkcheck"})
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_S):
                return None
        except urllib.error.HTTPError as exc:
            problem = f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            problem = f"{exc.__class__.__name__}: {getattr(exc, 'reason', exc)}"
    return problem


def main(argv: list[str] | None = None, environ=os.environ) -> int:
    args = sys.argv[1:] if argv is None else argv
    site_dir = Path(args[0] if args else "site")
    if not site_dir.is_dir():
        print(f"external links: no built site at {site_dir}; build it first (bash scripts/build-site.sh)", file=sys.stderr)
        return 2
    pages = links_in_site(site_dir)
    if not pages:
        print(f"external links: none in {site_dir}")
        return 0
    host, port = probe_target(list(pages), environ)
    online, why = network_available(host, port)
    if not online:
        banner = "!" * 78
        message = (f"{banner}\nEXTERNAL LINK CHECK SKIPPED: no network ({why}).\n"
                   f"{len(pages)} external links in {site_dir} were NOT checked. Run this on the nightly job with network.\n{banner}")
        print(message, file=sys.stderr)
        return 2 if environ.get("RECIPEBOOK_REQUIRE_NETWORK") == "1" else 0
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = dict(zip(pages, pool.map(check_url, pages)))
    broken = {url: problem for url, problem in results.items() if problem}
    for url, problem in sorted(broken.items()):
        print(f"BROKEN {url}: {problem} (linked from {', '.join(pages[url][:5])})", file=sys.stderr)
    print(f"external links: {len(pages)} checked, {len(broken)} broken")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
