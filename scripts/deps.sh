#!/bin/sh
# Installs the Debian packages regua needs to build, test and run, once.
# Idempotent: when everything is present it only checks and exits.
set -eu
PKGS="build-essential pkg-config clang libclang-rt-14-dev
libsqlite3-dev libmicrohttpd-dev libcurl4-openssl-dev libjansson-dev libfyaml-dev
libsodium-dev libhpdf-dev libqrencode-dev libpng-dev libcmocka-dev
tzdata sqlite3 curl openssl python3 python3-aiosmtpd poppler-utils zbar-tools wrk php-cli
chromium fonts-dejavu-core nodejs"

# The browser tests' npm packages (package.json, package-lock.json:
# playwright-core, axe-core; never a browser download — they drive the
# chromium above): `npm ci` when node_modules is not from this lock.
npm_deps() {
    [ -f package-lock.json ] || return 0
    if ! cmp -s package-lock.json node_modules/.regua-lock 2>/dev/null; then
        echo "regua: installing the browser tests' npm packages (npm ci)" >&2
        npm ci --no-audit --no-fund --loglevel=error >&2
        cp package-lock.json node_modules/.regua-lock
    fi
}

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
# npm comes with some builds of nodejs; Debian's own nodejs needs the npm package
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && { npm_deps; exit 0; }

echo "regua: installing Debian packages:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
npm_deps
