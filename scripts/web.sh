#!/usr/bin/env bash
# Builds the web page (mailsim in the browser) with Debian's emscripten into build-web/page/,
# a folder of static files any web server can host (docs/web.md).
# Usage: scripts/web.sh [--serve [--port N]] [--test [--native BUILD_DIR]]
#   --serve   then serve the page on http://127.0.0.1:PORT/ (8000) until Ctrl+C
#   --test    build everything (the page, the wasm CLI and unit tests) and run the web tests;
#             --native names the native build whose binaries they are compared with (build/)
set -euo pipefail
cd "$(dirname "$0")/.."
serve=0
test=0
port=8000
native=build
while (($#)); do
  case $1 in
    --serve) serve=1 ;;
    --test) test=1 ;;
    --port) port=$2; shift ;;
    --native) native=$2; shift ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "web.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
build=${MAILSIM_WEB_BUILD_DIR:-build-web}
jobs=${MAILSIM_JOBS:-$(nproc)}

bash scripts/install-deps.sh --web
bash scripts/fetch-imgui.sh "$build/imgui-src"

export NODE_PATH=/usr/share/nodejs  # emcc's JavaScript optimiser needs acorn (Debian's node-acorn)
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
native_dir=""
if [[ -x $native/cli/mailsim ]]; then native_dir=$(realpath "$native"); fi
emcmake cmake -S . -B "$build" -G Ninja -DMAILSIM_WEB=ON -DCMAKE_BUILD_TYPE=MinSizeRel "${launcher[@]}" \
  -DMAILSIM_NATIVE_BUILD="$native_dir" >/dev/null

if ((test)); then
  cmake --build "$build" -j "$jobs"
  ctest --test-dir "$build" --output-on-failure --no-tests=error -j "$jobs"
else
  cmake --build "$build" --target mailsim-web -j "$jobs"
fi
echo "mailsim: the web page is in $build/page/ (index.html; see docs/web.md to publish it)"

if ((serve)); then
  echo "mailsim: serving it on http://127.0.0.1:$port/ (Ctrl+C stops)"
  exec python3 -m http.server --bind 127.0.0.1 --directory "$build/page" "$port"
fi
