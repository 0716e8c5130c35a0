#!/usr/bin/env bash
# Fetches the wasm2c runtime sources (wasm-rt.h, wasm-rt-impl.c, wasm-rt-mem-impl.c, …) of wabt
# 1.0.36, the version of tests/hosts' npm wabt (its wasm2c translates the SIMD build; Debian
# bookworm's wasm2c 1.0.32 cannot, and C from one wasm2c version compiles only against the runtime
# of that version). The npm package ships no runtime; Debian trixie's wabt package does, in
# /usr/src/wasm2c. Its .deb is downloaded with apt from a temporary trixie source (signed by the
# Debian archive keyring) and unpacked, not installed (its binaries need a newer glibc), into
#   tests/hosts/node_modules/.cache/wasm2c-runtime-1.0.36   (or $1)
# next to the npm wasm2c it matches. Prints that folder. Nothing is installed, nothing committed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/tests/hosts/node_modules/.cache/wasm2c-runtime-1.0.36}"
version="1.0.36+dfsg+~cs1.0.36-2"
sha256="55e41a019c5cdade5792a8a6179d4ca1139c4f42ba235c259c476918ac314de6"

if [ -f "$out/wasm-rt.h" ] && [ -f "$out/wasm-rt-impl.c" ] && [ -f "$out/wasm-rt-mem-impl.c" ]; then
  echo "$out"
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/deb"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" \
  >"$tmp/sources.list"
apt=(
  -o "Dir::Etc::SourceList=$tmp/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache" -o "Dir::State::status=/dev/null"
)
# apt downloads as the unprivileged _apt user where it exists: let it write the download folder.
if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then
  chmod 755 "$tmp"
  chown -R _apt "$tmp/deb" "$tmp/lists" "$tmp/cache"
fi
apt-get "${apt[@]}" -qq update
(cd "$tmp/deb" && apt-get "${apt[@]}" -qq download "wabt=$version")
deb="$tmp/deb/wabt_${version//:/%3a}_amd64.deb"
echo "$sha256  $deb" | sha256sum --check --quiet
dpkg-deb -x "$deb" "$tmp/x"
mkdir -p "$out"
cp "$tmp/x/usr/src/wasm2c/"* "$out/"
echo "$out"
