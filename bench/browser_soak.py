"""Browser soak: the wall in real headless Chromium, in kiosk, for a long time; does the page grow?

    python bench/browser_soak.py [--minutes 30] [--page /] [--speed 20]

Starts `python app.py` (live simulator at `speed`x, cameras on), opens a display link as a wall
screen does (kiosk view), and once a minute collects garbage and samples the page through the
Chrome DevTools Protocol (Performance.getMetrics): JS heap used, DOM nodes, event listeners,
documents. Target: growth over the second half under 10 % for the JS heap and the DOM nodes.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._table import print_table  # noqa: E402
from bench.soak import display_link, free_port, growth, start_app  # noqa: E402

METRICS = ("JSHeapUsedSize", "Nodes", "JSEventListeners", "Documents")


def make_driver(width: int = 1920, height: int = 1080):  # noqa: ANN201 - selenium's type
    """Headless Chromium without the performance log (it would itself grow for 30 minutes)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    from tests.browser.conftest import CHROMEDRIVER, CHROMIUM

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage", f"--window-size={width},{height}",
                 "--hide-scrollbars", "--lang=vi", "--kiosk"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1,
                            "mobile": False})
    return driver


def metrics(driver) -> dict[str, float]:  # noqa: ANN001
    """After a full garbage collection, so only what the page keeps is counted."""
    driver.execute_cdp_cmd("HeapProfiler.collectGarbage", {})
    found = driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]
    return {m["name"]: m["value"] for m in found if m["name"] in METRICS}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=int, default=30)
    ap.add_argument("--page", default="/")
    ap.add_argument("--speed", type=float, default=20.0)
    args = ap.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="ops-browser-soak-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    print(f"starting the app on {base} (data in {data_dir}) ...", flush=True)
    app = start_app(data_dir, port, args.speed)
    driver = None
    rows: list[list[object]] = []
    try:
        driver = make_driver()
        driver.execute_cdp_cmd("Performance.enable", {})
        driver.get(base + display_link(data_dir))  # signs in as a display; opens the kiosk view
        if args.page != "/":
            driver.get(f"{base}{args.page}?kiosk=1")
        print("min  JS heap MiB  DOM nodes  listeners  documents", flush=True)
        start = time.monotonic()
        for minute in range(1, args.minutes + 1):
            time.sleep(max(0.0, start + 60 * minute - time.monotonic()))
            if app.poll() is not None:
                raise RuntimeError("the app exited during the soak")
            m = metrics(driver)
            row = [minute, m.get("JSHeapUsedSize", 0) / 2**20, int(m.get("Nodes", 0)),
                   int(m.get("JSEventListeners", 0)), int(m.get("Documents", 0))]
            rows.append(row)
            print("  ".join(f"{c:.2f}" if isinstance(c, float) else str(c) for c in row),
                  flush=True)
    finally:
        if driver is not None:
            driver.quit()
        app.terminate()
        app.wait(30)
    print()
    print_table(["min", "JS heap MiB", "DOM nodes", "listeners", "documents"], rows)
    heap = growth([float(r[1]) for r in rows])
    nodes = growth([float(r[2]) for r in rows])
    checks = [("JS heap growth over the second half", f"{heap:+.1%}", heap < 0.10),
              ("DOM node growth over the second half", f"{nodes:+.1%}", nodes < 0.10)]
    print()
    print_table(["target", "measured", "met"], [[n, v, "yes" if ok else "NO"]
                                                  for n, v, ok in checks])
    return 0 if all(ok for *_x, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
