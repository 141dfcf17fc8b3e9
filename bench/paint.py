"""One screen's painted page: from an in-app navigation to the title and every graph drawn.

    python bench/paint.py [--visits 8] [--width 1280 --height 720]

The app runs as its own process (`python app.py`, as bench/displays.py starts it); one headless
Chromium is signed in as a page-mode display and moves between pages as a follower does
(history.pushState + Dash's '_dashprivate_pushstate' event). The time is taken in the browser,
from the navigation to the first animation frame after: a new page title with text, nothing in
#page loading, no "Đang tải…" placeholder. The camera page is the baseline (few components):
compare the other rows with it, as the machine's load moves every row.
"""
from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import _app  # noqa: E402
from bench._table import p95, print_table  # noqa: E402
from bench.displays import free_port, prepare  # noqa: E402

PAGES = ["/cameras?cam=hoa-binh", "/reporting", "/savings", "/indicators/GDP_GROWTH?region=01"]

# Navigate, then poll each animation frame until the new page is painted; resolve with the ms.
VISIT = """
const [path, limit, done] = arguments;
const SEL = '#page .pg-title, #page .cam-title';
const old = document.querySelector(SEL);
const t0 = performance.now();
window.history.pushState({}, '', path);
window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));
function painted() {
  const title = document.querySelector(SEL);
  if (!title || title === old || !title.textContent.trim()) return false;
  if (document.querySelector('#page [data-dash-is-loading=true]')) return false;
  for (const t of document.querySelectorAll('#page .annotation-text')) {
    if (t.textContent.includes('Đang tải')) return false;
  }
  return true;
}
function tick() {
  if (painted()) {  // the next frame is the painted one (a timer too: rAF may be throttled)
    let sent = false;
    const end = () => { if (!sent) { sent = true; done(performance.now() - t0); } };
    requestAnimationFrame(() => setTimeout(end, 0)); setTimeout(end, 100); return;
  }
  if (performance.now() - t0 > limit) { done(-1); return; }
  setTimeout(tick, 10);
}
setTimeout(tick, 0);
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visits", type=int, default=8, help="visits of each page")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="ops-bench-paint-"))
    password = secrets.token_urlsafe(16)
    from core.db import Database
    from displays import registry

    prepare(data_dir, 0, password)
    database = Database(f"sqlite:///{(data_dir / 'ops.sqlite').resolve()}")
    # The runner shows its page once it has polled: the baseline, so that is no extra visit.
    _, token = registry.create(database, "bench-paint", mode="page", page=PAGES[0])
    database.dispose()
    port = free_port()
    env = {**os.environ, "OPS_DATA_DIR": str(data_dir), "OPS_PORT": str(port),
           "OPS_CAMERAS": "0", "OPS_SIMULATE": "0"}
    proc = _app.start_app(env, port, timeout=120)
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.browser.conftest import make_driver

    driver = make_driver(args.width, args.height)
    times: dict[str, list[float]] = {p: [] for p in PAGES}
    try:
        driver.set_script_timeout(30)
        driver.get(f"http://127.0.0.1:{port}/display/{token}")
        path, _, query = PAGES[0].partition("?")
        WebDriverWait(driver, 30).until(lambda d: d.execute_script(
            "return location.pathname === arguments[0] && location.search === arguments[1]"
            " && !!(document.querySelector('#page .cam-title') || {}).textContent",
            path, "?" + query))
        for _ in range(2):  # warm: every page's code and the server's caches
            for path in PAGES:
                driver.execute_async_script(VISIT, path, 15000)
        for _ in range(args.visits):
            for path in PAGES:
                times[path].append(driver.execute_async_script(VISIT, path, 15000))
    finally:
        driver.quit()
        proc.terminate()
        proc.wait(timeout=10)
    print(f"painted after an in-app navigation, one Chromium {args.width}x{args.height}, warm "
          f"(ms; -1 = not painted in 15 s)")
    base = statistics.median(times[PAGES[0]])
    print_table(["page", "n", "p50 ms", "p95 ms", "max ms", "p50 / baseline"],
                [[p + (" (baseline)" if p == PAGES[0] else ""), len(v), statistics.median(v),
                  p95(v), max(v), round(statistics.median(v) / base, 1)]
                 for p, v in times.items()])
    return 0


if __name__ == "__main__":
    sys.exit(main())
