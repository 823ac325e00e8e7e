#!/bin/sh
# Installs the Debian packages regua needs to build, test and run, once.
# Idempotent: when everything is present it only checks and exits.
set -eu
PKGS="build-essential pkg-config clang libclang-rt-14-dev
libsqlite3-dev libmicrohttpd-dev libcurl4-openssl-dev libjansson-dev libfyaml-dev
libsodium-dev libhpdf-dev libqrencode-dev libpng-dev libcmocka-dev
tzdata sqlite3 curl openssl python3 python3-aiosmtpd poppler-utils zbar-tools wrk php-cli"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "regua: installing Debian packages:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
