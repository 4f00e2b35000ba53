#!/usr/bin/env bash
# Installs what the tests need from Debian when it is missing, before `deno task test` runs
# them (the task calls this first; .ci/run calls the same task). As root (or with sudo that asks
# no password) it runs apt-get; otherwise it stops at once with one line naming the command.
# Skip it with TWOFOLD_SKIP_SETUP=1 (e.g. a machine that is not Debian and has the tools).
set -euo pipefail

# One tool a line: the command (or an absolute path) a test calls, then its Debian package.
TOOLS='
/usr/bin/chromium chromium
oathtool oathtool
zbarimg zbar-tools
rsvg-convert librsvg2-bin
/usr/sbin/nginx nginx-light
/usr/bin/caddy caddy
openssl openssl
/usr/lib/python3/dist-packages/aiosmtpd python3-aiosmtpd
'

[ "${TWOFOLD_SKIP_SETUP:-}" = "1" ] && exit 0

present() {
  case "$1" in
  /*) [ -e "$1" ] ;;
  *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}

missing=()
while read -r tool package; do
  [ -n "${tool:-}" ] || continue
  present "$tool" || missing+=("$package")
done <<<"$TOOLS"
[ "${#missing[@]}" -eq 0 ] && exit 0

install=(apt-get install -y --no-install-recommends "${missing[@]}")
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    run=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    run=(sudo -n)
  else
    echo "[test setup] missing Debian packages; run: sudo ${install[*]}" >&2
    exit 1
  fi
  echo "[test setup] installing from Debian: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! { "${run[@]}" apt-get update -qq && "${run[@]}" "${install[@]}"; } </dev/null >&2; then
    echo "[test setup] apt-get failed; run: sudo apt-get update && sudo ${install[*]}" >&2
    exit 1
  fi
  exit 0
fi
echo "[test setup] missing: ${missing[*]} (Debian package names); install them, or set TWOFOLD_SKIP_SETUP=1 to run the tests without them" >&2
exit 1
