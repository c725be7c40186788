#!/usr/bin/env bash
# One-time set-up on Debian/Ubuntu: the system packages Mien needs, then restore and build (Release).
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

# libgtk-3-0: OpenCvSharp's native library links against it. opencv-data: the Haar/LBP face cascades.
# (Debian 13 renamed libgtk-3-0 to libgtk-3-0t64.)
missing=()
dpkg -s opencv-data >/dev/null 2>&1 || missing+=(opencv-data)
if ! dpkg -s libgtk-3-0 >/dev/null 2>&1 && ! dpkg -s libgtk-3-0t64 >/dev/null 2>&1; then missing+=(libgtk-3-0); fi
if [ "${MIEN_WITH_BENCH:-0}" = 1 ]; then dpkg -s python3-torch >/dev/null 2>&1 || missing+=(python3-torch); fi
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null; then
    # Newer Debian/Ubuntu name the GTK package differently.
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]/libgtk-3-0/libgtk-3-0t64}" >/dev/null
  fi
fi

command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK is required (https://dot.net)." >&2; exit 1; }
log=$(mktemp)
if ! dotnet build Mien.sln -c Release -nologo -v q >"$log" 2>&1; then cat "$log" >&2; rm -f "$log"; exit 1; fi
rm -f "$log"
echo "setup: built Mien (Release)." >&2
