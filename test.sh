#!/usr/bin/env bash
# Set up if needed, then run the whole test suite (reads ../shared/data beside the repository).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
./setup.sh
# The report test renders report.html in headless Chromium, as a user's browser would.
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "test: installing chromium (needed by the HTML report test)" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
# The backbone parity tests compare with Debian's torchvision (random weights made by the test; no download).
if ! /usr/bin/python3 -c "import torchvision" >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "test: installing python3-torchvision (needed by the backbone parity tests)" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-torchvision >/dev/null
fi
dotnet test Mien.sln -c Release --no-build -nologo --logger "console;verbosity=normal" "$@"
