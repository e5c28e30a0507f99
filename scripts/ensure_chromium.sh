#!/usr/bin/env bash
# The browser tests drive Debian's chromium through Playwright; install it if it is missing.
# (Never `playwright install`: it downloads a browser build, which this network refuses.)
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "browser: /usr/bin/chromium is missing; install Debian's chromium package" >&2; exit 1
fi
echo "browser: installing Debian's chromium"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
