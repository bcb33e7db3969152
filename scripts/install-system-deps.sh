#!/usr/bin/env bash
# System packages the test suite needs: Debian's Chromium, driven by Playwright in the browser
# tests (Playwright's own browser download does not work offline). Idempotent; run as root or
# with sudo. `make test` and .ci/run call it.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then
        exec sudo "$0" "$@"
    fi
    echo "The browser tests need Chromium: run 'apt-get install chromium' as root." >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
/usr/bin/chromium --version
