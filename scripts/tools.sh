#!/usr/bin/env bash
# Makes the pinned promtool and amtool available in bin/ and prints where they are.
#
#   scripts/tools.sh          install what is missing (idempotent), print promtool and amtool paths
#   scripts/tools.sh env      the same as export lines: PROMTOOL=… AMTOOL=…
#
# Both come from Debian's packages, like Redis and PostgreSQL in scripts/services.sh:
#   prometheus               provides promtool
#   prometheus-alertmanager  provides amtool
# The versions are pinned below and nowhere else. A package already installed at the pinned
# version (dpkg) is used as it is. Otherwise the pinned .deb is fetched with `apt-get download`
# (apt checks it against the signed archive index) and unpacked with `dpkg-deb -x` into
# bin/tools/<package>_<version>/: the packages' maintainer scripts would start a Prometheus and
# an Alertmanager daemon on the machine, which a test run must not do, and unpacking needs no
# root. Only `apt-get update` needs root; it runs when the pinned version is not in apt's lists.
set -euo pipefail

# Pinned tool versions (Debian 12 bookworm). Change them here only.
PROMETHEUS_DEB_VERSION="2.42.0+ds-5+deb12u1"
ALERTMANAGER_DEB_VERSION="0.25.0-1+b4"

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools="$root/bin/tools"

log() { echo "tools: $*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    log "need root (or sudo) for: $*"; return 1
  fi
}

apt_updated=0
# apt_has PACKAGE VERSION: apt's lists know this exact version.
apt_has() {
  apt-cache show "$1=$2" >/dev/null 2>&1
}

# ensure PACKAGE VERSION BINARY: prints the path of BINARY from PACKAGE at exactly VERSION.
ensure() {
  local pkg=$1 ver=$2 bin=$3 dir installed
  installed=$(dpkg-query -W -f='${Status} ${Version}' "$pkg" 2>/dev/null || true)
  if [ "$installed" = "install ok installed $ver" ] && [ -x "/usr/bin/$bin" ]; then
    echo "/usr/bin/$bin"; return 0
  fi
  dir="$tools/${pkg}_${ver}"
  if [ -x "$dir/usr/bin/$bin" ]; then
    echo "$dir/usr/bin/$bin"; return 0
  fi
  command -v apt-get >/dev/null 2>&1 || { log "cannot install $pkg $ver: no apt-get on this machine"; return 1; }
  if ! apt_has "$pkg" "$ver"; then
    if [ $apt_updated -eq 0 ]; then
      log "apt-get update"
      as_root apt-get update -qq >/dev/null
      apt_updated=1
    fi
    apt_has "$pkg" "$ver" || { log "apt knows no $pkg $ver (apt-cache policy $pkg)"; return 1; }
  fi
  local tmp
  tmp=$(mktemp -d)
  # apt fetches as its unprivileged _apt user when there is one; let it write there.
  if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then chown _apt "$tmp"; fi
  log "apt-get download $pkg=$ver; unpacking into bin/tools/${pkg}_${ver}"
  (cd "$tmp" && apt-get download -qq "$pkg=$ver" >/dev/null)
  rm -rf "$dir.partial"
  mkdir -p "$dir.partial"
  dpkg-deb -x "$tmp"/*.deb "$dir.partial"
  rm -rf "$tmp"
  [ -x "$dir.partial/usr/bin/$bin" ] || { log "$pkg $ver has no usr/bin/$bin"; rm -rf "$dir.partial"; return 1; }
  # Rename last, so an interrupted run never leaves a half-unpacked directory that looks done.
  mv "$dir.partial" "$dir"
  echo "$dir/usr/bin/$bin"
}

promtool=$(ensure prometheus "$PROMETHEUS_DEB_VERSION" promtool)
amtool=$(ensure prometheus-alertmanager "$ALERTMANAGER_DEB_VERSION" amtool)
mkdir -p "$root/bin"
ln -sfn "$promtool" "$root/bin/promtool"
ln -sfn "$amtool" "$root/bin/amtool"

case "${1:-}" in
  env)
    echo "export PROMTOOL='$root/bin/promtool'"
    echo "export AMTOOL='$root/bin/amtool'"
    ;;
  "")
    echo "$root/bin/promtool ($("$promtool" --version 2>&1 | head -1))"
    echo "$root/bin/amtool ($("$amtool" --version 2>&1 | head -1))"
    ;;
  *) echo "usage: $0 [env]" >&2; exit 2 ;;
esac
