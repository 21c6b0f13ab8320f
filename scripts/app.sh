#!/usr/bin/env bash
# Sets everything up and opens mailsim on the default lesson (or the scenario given).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
build=${MAILSIM_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)"
scenario=${1:-scenarios/mail/whole-journey.json}
if [[ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
  echo "mailsim: no display here; showing the lesson as a text report instead." >&2
  exec "$build/cli/mailsim" run "$scenario"
fi
exec "$build/cli/mailsim" gui "$scenario"
