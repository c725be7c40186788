#!/usr/bin/env bash
# Set up if needed, then run the whole test suite (reads ../shared/data beside the repository).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
./setup.sh
dotnet test Mien.sln -c Release --no-build -nologo --logger "console;verbosity=normal" "$@"
