#!/usr/bin/env bash
# deps.sh - install the Debian packages rollcall needs, only if some are missing.
# Idempotent and quiet when everything is present, so `make check` can call it
# on every run and a fresh CI machine still gets what it needs.
set -euo pipefail

packages=(
	build-essential clang libclang-rt-14-dev
	libcunit1-dev valgrind gcovr
	faketime libfaketime
	libcurl4-openssl-dev libmicrohttpd-dev libjansson-dev libssl-dev libsqlite3-dev sqlite3
	libxml2-dev libxml2-utils curl jq procps python3-simpy3 chromium
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
