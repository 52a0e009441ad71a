#!/usr/bin/env bash
# Idempotent setup for the browser tests of the staff console:
# Debian's chromium + Noto CJK fonts, and playwright-core from package-lock.json.
# Quiet when everything is already in place; fails loudly otherwise.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

fail() { echo "tests/browser/install.sh: $*" >&2; exit 1; }

have_chromium() { [ -x /usr/bin/chromium ]; }
# The font list is captured whole and matched in the shell: a pipeline into a reader that
# exits at its first match would kill fc-list with SIGPIPE (status 141) under pipefail.
have_cjk_font() {
    command -v fc-list >/dev/null 2>&1 || return 1
    local families
    families="$(fc-list : family 2>/dev/null || true)"
    [[ "${families,,}" == *"noto sans cjk"* ]]
}

if ! have_chromium || ! have_cjk_font; then
    if [ "$(id -u)" -ne 0 ]; then
        SUDO=sudo
        command -v sudo >/dev/null 2>&1 || fail "chromium or fonts-noto-cjk missing and not root (no sudo)"
    else
        SUDO=
    fi
    export DEBIAN_FRONTEND=noninteractive
    log="$(mktemp)"
    trap 'rm -f "$log"' EXIT
    # Update the package lists only when apt does not know the packages yet.
    if ! apt-cache show chromium fonts-noto-cjk >/dev/null 2>&1; then
        $SUDO apt-get update >"$log" 2>&1 || { cat "$log" >&2; fail "apt-get update failed"; }
    fi
    $SUDO apt-get install -y chromium fonts-noto-cjk fontconfig >"$log" 2>&1 \
        || { cat "$log" >&2; fail "apt-get install chromium fonts-noto-cjk failed"; }
    have_chromium || fail "/usr/bin/chromium still missing after apt-get install"
    fc-cache -f >/dev/null 2>&1 || true
    have_cjk_font || fail "Noto Sans CJK font still missing after apt-get install"
fi

command -v npm >/dev/null 2>&1 || fail "npm not found (install nodejs and npm)"

if [ ! -d "$here/node_modules" ] || [ "$here/package-lock.json" -nt "$here/node_modules" ]; then
    (
        cd "$here"
        # playwright-core never downloads browsers; be explicit anyway.
        export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
        out="$(npm ci --no-audit --no-fund --loglevel=error 2>&1)" || { echo "$out" >&2; fail "npm ci failed"; }
    )
    touch "$here/node_modules"
fi
