"""A real browser (Debian's headless chromium) on the built site: banners show, search works offline, screenshots.

Needs chromium and chromium-driver (`bash scripts/install-browser.sh`); skips loudly without them. The browser may
reach only 127.0.0.1: every other host name resolves to nothing (--host-resolver-rules), so no test touches the network.
"""
from __future__ import annotations

import functools
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from site_project import REPO

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = REPO / "build" / "test-artifacts"

pytestmark = pytest.mark.skipif(
    not CHROMIUM or not CHROMEDRIVER.exists(),
    reason=f"BROWSER TEST SKIPPED: chromium ({CHROMIUM or 'missing'}) and {CHROMEDRIVER} "
           f"({'present' if CHROMEDRIVER.exists() else 'missing'}) are required; install them with `bash scripts/install-browser.sh`",
)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output readable
        pass


@pytest.fixture(scope="module")
def site_url(browsable_site):
    assert browsable_site.result.returncode == 0, browsable_site.result.stdout[-3000:]
    handler = functools.partial(_QuietHandler, directory=str(browsable_site.out))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1000",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def test_recipe_page_shows_its_banner_and_home_renders(browser, site_url):
    from selenium.webdriver.common.by import By

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.get(site_url + "/")
    assert "recipebook" in browser.title
    assert "Required" in browser.find_element(By.CSS_SELECTOR, "article").text
    browser.save_screenshot(str(ARTIFACTS / "home.png"))

    browser.get(site_url + "/recipes/platform/local-platform/")
    banner = browser.find_element(By.CSS_SELECTOR, ".recipebook-status .admonition")
    assert banner.is_displayed()
    assert "Verified: The local platform" in banner.text and "prefect 3.9.1" in banner.text
    assert "success" in banner.get_attribute("class")
    # what the screenshot shows: the banner within the first screenful, drawn in the theme's success green
    assert 0 <= banner.rect["y"] and banner.rect["y"] + banner.rect["height"] <= browser.execute_script("return window.innerHeight")
    assert banner.value_of_css_property("border-left-color") in ("rgba(0, 200, 83, 1)", "rgb(0, 200, 83)")
    browser.save_screenshot(str(ARTIFACTS / "recipe-local-platform.png"))


def test_search_finds_a_recipe_by_a_word_from_its_body(browser, site_url):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(site_url + "/")
    box = WebDriverWait(browser, 10).until(ec.element_to_be_clickable((By.CSS_SELECTOR, "input.md-search__input")))
    box.click()  # at this window width the search box sits in the header
    box.send_keys("terminals")  # a word from the body (not the title) of the local platform page
    results = WebDriverWait(browser, 20).until(
        lambda d: [a for a in d.find_elements(By.CSS_SELECTOR, ".md-search-result__item a") if a.get_attribute("href")])
    hrefs = [a.get_attribute("href") for a in results]
    assert any("/recipes/platform/local-platform/" in h for h in hrefs), hrefs
    browser.save_screenshot(str(ARTIFACTS / "search.png"))


def test_architecture_diagram_renders_offline(browser, site_url):
    """Mermaid comes from build/vendor (scripts/vendor-site-assets.sh); the browser can reach no CDN."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    if not (REPO / "build" / "vendor" / "mermaid" / "mermaid.min.js").is_file():
        pytest.skip("DIAGRAM TEST SKIPPED: Mermaid is not vendored (build/vendor/mermaid/mermaid.min.js); "
                    "run `bash scripts/setup.sh` on a machine with npm")
    browser.get(site_url + "/architecture/")
    # Material swaps the diagram's <pre class="mermaid"> source for a <div class="mermaid"> whose (closed) shadow
    # root holds the SVG: rendered = the div exists, has a drawing's height, and no source block is left.
    height = WebDriverWait(browser, 30).until(lambda d: d.execute_script(
        "const div = document.querySelector('div.mermaid');"
        "return div && !document.querySelector('pre.mermaid') ? div.getBoundingClientRect().height : 0;"))
    assert height > 60, f"diagram not drawn (height {height})"
    assert browser.execute_script("return typeof mermaid") == "object", "the vendored Mermaid did not load"
    browser.save_screenshot(str(ARTIFACTS / "architecture.png"))


def test_the_strip_of_recent_runs_is_drawn_as_coloured_squares(browser, site_url):
    """One square per run, drawn by CSS: an emoji square needs an emoji font, and without one (this headless chromium,
    many Linux desktops) it is a missing-glyph box. Each square must have a size, a fill of its own colour (green
    passed, red failed) and its text in title and aria-label."""
    from selenium.webdriver.common.by import By

    browser.get(site_url + "/recipes/platform/local-platform/")
    squares = browser.find_elements(By.CSS_SELECTOR, ".recipebook-status .recipebook-run")
    assert len(squares) == 3, "the fixture history holds three runs of local-platform"
    drawn = [browser.execute_script(
        "const r = arguments[0].getBoundingClientRect(), s = getComputedStyle(arguments[0]);"
        "return [r.width, r.height, s.backgroundColor, arguments[0].textContent];", square) for square in squares]
    for width, height, _colour, text in drawn:
        assert width >= 6 and height >= 6, f"a square of {width}x{height} px is not visible"
        assert text == "", f"a glyph ({text!r}) needs a font that may be missing; the square is drawn by CSS"

    def rgb(colour: str) -> tuple[int, ...]:
        values = [float(v) for v in colour[colour.index("(") + 1:-1].split(",")]
        assert len(values) == 3 or values[3] > 0, f"no fill of its own (transparent): {colour}"
        return tuple(int(v) for v in values[:3])

    passed, failed, passed_again = (rgb(c) for _w, _h, c, _t in drawn)
    assert passed == passed_again and passed[1] > passed[0] + 60 and passed[1] > passed[2] + 60, f"passed is not green: {passed}"
    assert failed[0] > failed[1] + 60 and failed[0] > failed[2] + 60, f"failed is not red: {failed}"
    labels = [s.get_attribute("aria-label") for s in squares]
    assert [s.get_attribute("title") for s in squares] == labels
    assert ": passed in " in labels[0] and ": failed in " in labels[1] and "at step start-prefect" in labels[1]
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", squares[0])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "recipe-strip.png"))
