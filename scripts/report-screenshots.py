"""Screenshots of the HTML report of examples/ at desktop and phone widths.

    python scripts/report-screenshots.py OUT_FOLDER

Writes OUT_FOLDER/desktop.png (the top of the page, as docs/report.png shows it),
desktop-full.png and phone-full.png.  Needs what scripts/install-browser.sh installs.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        page_file = Path(folder) / "report.html"
        subprocess.run([sys.executable, "-m", "orglint", "check", ".", "--no-cache",
                        "--output-format", "html", "--output-file", str(page_file)],
                       cwd=REPO / "examples", check=False)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for name, width, height in (("desktop", 1200, 1040), ("phone", 390, 844)):
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(page_file.as_uri())
                if name == "desktop":
                    page.screenshot(path=str(out / "desktop.png"))
                page.screenshot(path=str(out / f"{name}-full.png"), full_page=True)
            browser.close()


if __name__ == "__main__":
    main()
