#!/usr/bin/env bash
# Install dependencies, then configure and build xdplb into <repo>/build.
# Works from any working directory.
set -euo pipefail

repo_root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)

"$repo_root/deploy/install-deps.sh"
cmake -S "$repo_root" -B "$repo_root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$repo_root/build" -j"$(nproc)"
