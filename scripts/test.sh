#!/usr/bin/env bash
# Sets everything up and runs the whole test suite: installs missing packages, builds, runs CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
build=${MAILSIM_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j "$(nproc)"
(cd "$build" && ctest --output-on-failure --no-tests=error -j "$(nproc)")
# The web page: the protocol and simulator unit tests compiled to wasm and run under node (the
# same assertions, case by case, as native), every lesson's trace from the wasm CLI
# byte-identical to the native one, every lesson in headless Chromium in both languages, and an
# export arriving as a download (docs/web.md, "Tests"). web.sh installs emscripten, nodejs and
# chromium when they are missing. MAILSIM_WEB_TESTS=0 leaves them out (a quicker local run).
if [[ "${MAILSIM_WEB_TESTS:-1}" != "0" ]]; then
  bash scripts/web.sh --test --native "$build"
fi
