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
# native one, every lesson in headless Chromium in both languages, and an export arriving as a
# download (docs/web.md, "Tests"). Still opt-in (MAILSIM_WEB_TESTS=1): on 2026-12-07 ten of the
# eleven pass, web:unit:test_sim passes every case but counts 294,971 assertions against the
# native 300,220 (not yet explained), and the web build and tests add about 25 minutes to CI.
if [[ "${MAILSIM_WEB_TESTS:-0}" == "1" ]]; then
  bash scripts/web.sh --test --native "$build"
fi
