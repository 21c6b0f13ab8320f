#!/usr/bin/env bash
# Sets everything up and runs the whole test suite: installs missing packages, builds, runs CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
build=${MAILSIM_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j "$(nproc)"
(cd "$build" && ctest --output-on-failure -j "$(nproc)")
# The web page: wasm unit tests, wasm traces = native traces, every lesson in headless Chromium.
bash scripts/web.sh --test --native "$build"
