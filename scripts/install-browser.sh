#!/usr/bin/env bash
# Installs what the browser tests of the HTML report need: Debian's chromium (with
# apt-get, only when running as root and it is missing) and the playwright Python
# package, which drives it.  Idempotent: a second run changes nothing.  Playwright's
# own browser downloads are never used (no `playwright install`): the tests point it
# at /usr/bin/chromium.
set -euo pipefail

python="${PYTHON:-python3}"

if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends chromium
    else
        echo "install-browser: chromium is missing and this is not a root Debian shell;" \
             "the browser tests will be skipped" >&2
    fi
fi

if ! "$python" -c "import playwright" >/dev/null 2>&1; then
    "$python" -m pip install -q playwright
fi
