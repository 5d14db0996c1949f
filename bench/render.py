"""The reports' figures (issue: reports people look at): how long the HTML report of a
generated org takes to open and render in a real browser, and how large the Markdown
summary is.

    python3 bench/render.py                  # 2,000 teams: the HTML page in chromium
    python3 bench/render.py --teams 20000    # also what the 1 MiB Markdown cap keeps

The org is bench.py's (same generator, same seed).  The browser is Debian's chromium
driven by playwright (scripts/install-browser.sh); nothing is downloaded.  "Rendered"
is the load event plus two animation frames, so layout and the first paint are done.
Run it on a quiet machine: other processes on the two cores change every figure.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import generate

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def report(org: Path, fmt: str, out: Path) -> float:
    """Write the ``fmt`` report of ``org`` to ``out``; the seconds orglint took."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "orglint", "check", "--no-cache",
                           "--output-format", fmt, "--output-file", str(out)],
                          cwd=org, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"orglint exited {done.returncode}: {done.stderr.strip()}")
    return time.perf_counter() - start


def render_times(page: Path, rounds: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(rounds):
            tab = browser.new_page(viewport={"width": 1280, "height": 900})
            start = time.perf_counter()
            tab.goto(page.as_uri(), wait_until="load")
            tab.evaluate("() => new Promise(r => requestAnimationFrame(() =>"
                         " requestAnimationFrame(r)))")
            times.append(time.perf_counter() - start)
            tab.close()
        browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="orglint-render-") as tmp:
        org = generate(Path(tmp) / "org", args.teams)
        page = Path(tmp) / "report.html"
        made = report(org, "html", page)
        print(f"org: {args.teams} teams; HTML report {page.stat().st_size / 1e6:.1f} MB,"
              f" written in {made:.2f} s")
        if Path(CHROMIUM).exists():
            times = render_times(page, args.rounds)
            print(f"open and render in chromium: median {statistics.median(times):.2f} s,"
                  f" best {min(times):.2f} s ({', '.join(f'{t:.2f}' for t in times)});"
                  " target: under 3 s")
        else:
            print(f"no browser at {CHROMIUM}: run scripts/install-browser.sh")
        summary = Path(tmp) / "summary.md"
        made = report(org, "markdown", summary)
        size = summary.stat().st_size
        print(f"Markdown summary: {size:,} bytes ({'under' if size < 1 << 20 else 'OVER'}"
              f" 1 MiB), written in {made:.2f} s")


if __name__ == "__main__":
    main()
