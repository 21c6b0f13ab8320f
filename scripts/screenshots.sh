#!/usr/bin/env bash
# Renders the pictures in docs/screenshots/ (README and docs/gui.md) from the built app, so they
# can be made again after the app changes. Usage: scripts/screenshots.sh [BUILD_DIR] (default: build).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
app="$build/cli/mailsim"
out="$root/docs/screenshots"
[ -x "$app" ] || { echo "screenshots: $app not built (bash scripts/test.sh builds it)" >&2; exit 2; }
command -v xvfb-run >/dev/null || { echo "screenshots: xvfb-run is missing (apt-get install xvfb)" >&2; exit 2; }
mkdir -p "$out"

shot() {  # NAME ARGS...: one 1280x720 picture
  local name="$1"
  shift
  xvfb-run -a -s "-screen 0 1280x720x24" "$app" gui "$@" --size 1280x720 --screenshot "$out/$name.png"
  echo "  $out/$name.png"
}

shot whole-journey-en whole-journey --step 3
shot op25b-blocked-en op25b-submission --step 2
shot op25b-blocked-ja op25b-submission --step 2 --lang ja
shot mailbox-full-ja mailbox-full --at 100% --lang ja
shot inspector-message-en whole-journey --step 7 --message 1
shot dns-delegation-sequence-en delegation --at 60% --tab sequence
shot dns-delegation-sequence-ja delegation --at 60% --tab sequence --lang ja
shot lessons-en whole-journey --step 1 --show lessons
shot compose-ja op25b-submission --step 3 --show compose --lang ja
shot detective-en user-unknown --challenge detective --student kuro
shot fix-mailbox-full-ja mailbox-full --challenge fix --fix-try 1=3 --lang ja
