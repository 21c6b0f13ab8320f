#!/usr/bin/env bash
# Sets everything up and runs the whole test suite: installs missing packages, builds, runs CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
build=${MAILSIM_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j "$(nproc)"
(cd "$build" && ctest --output-on-failure --no-tests=error -j "$(nproc)")
# The web page (issue 19): the protocol and simulator unit tests compiled to wasm and run under
# node (same results as native), every lesson's trace from the wasm CLI byte-identical to the
# native one, and every lesson in headless Chromium in both languages (docs/web.md, "Tests").
# MAILSIM_WEB_TESTS=0 leaves it out (a quicker run while working on the desktop side).
if [[ "${MAILSIM_WEB_TESTS:-1}" == "1" ]]; then
  bash scripts/web.sh --test --native "$build"
fi
