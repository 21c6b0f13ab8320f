#!/usr/bin/env bash
# Installs the Debian packages mailsim needs, only those that are missing (sudo when not root).
# Usage: scripts/install-deps.sh [--no-gui | --web]
#   --web: what the web page and its tests need (scripts/web.sh): emscripten, node, Chromium
set -euo pipefail

packages=(g++ cmake ninja-build pkg-config nlohmann-json3-dev catch2 libcli11-dev libfmt-dev libbenchmark-dev
          python3 python3-jsonschema tshark librsvg2-bin mutt  # tshark, rsvg-convert, mutt: export checks
          bind9-dnsutils knot-dnsutils curl  # dig, kdig, curl: the engines checked against real clients (tests/interop)
          libasio-dev libssl-dev swaks libnet-ssleay-perl libio-socket-ssl-perl)  # the bridge and its real-client tests (swaks over TLS)
if [[ "${1:-}" == "--web" ]]; then
  packages=(cmake ninja-build emscripten nodejs node-acorn chromium python3 python3-websocket python3-pil
            nlohmann-json3-dev catch2 libcli11-dev libfmt-dev libimgui-dev fonts-vlgothic fonts-dejavu-core)
elif [[ "${1:-}" != "--no-gui" ]]; then
  packages+=(libimgui-dev libstb-dev libglfw3-dev libgl-dev fonts-vlgothic fonts-dejavu-core xvfb xauth)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "mailsim: all build packages are present."
  exit 0
fi

sudo=""
if [[ "$(id -u)" != "0" ]]; then
  if command -v sudo >/dev/null; then sudo="sudo"; else
    echo "mailsim: need root or sudo to install: ${missing[*]}" >&2
    exit 1
  fi
fi
echo "mailsim: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no before it asks.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
