#!/usr/bin/env bash
# Installs what `cargo xtask browser-test` needs on a fresh machine: Debian's Chromium and its
# driver, and playwright-core (pinned by tests/browser/package-lock.json) to drive that Chromium.
# Idempotent: each step checks first, so a machine that has everything pays nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
# Fonts with CJK glyphs, so Chinese merchant names render in screenshots.
[ -d /usr/share/fonts/opentype/noto ] || [ -d /usr/share/fonts/truetype/wqy ] || missing+=(fonts-noto-cjk)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# playwright-core ships no browser and downloads none: it drives /usr/bin/chromium.
lock=tests/browser/package-lock.json
stamp=tests/browser/node_modules/.hutong-lock
if [ ! -f "$stamp" ] || ! cmp -s "$lock" "$stamp"; then
  (cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  cp "$lock" "$stamp"
fi
