#!/usr/bin/env bash
# Fetches Dear ImGui's sources for the web build from Debian's source package, the same
# version as the installed libimgui-dev, into DIR (default build-web/imgui-src). The
# download is kept in DIR's parent (imgui-apt/), so a second run needs no network. The system's
# apt configuration is not touched: the deb-src line and the package lists live in that folder.
# Usage: scripts/fetch-imgui.sh [DIR]
set -euo pipefail
dest=$(realpath -m "${1:-build-web/imgui-src}")
work=$(dirname "$dest")/imgui-apt
headers=/usr/include/imgui/imgui.h

if [[ ! -f $headers ]]; then
  echo "fetch-imgui: $headers is missing (install libimgui-dev: scripts/install-deps.sh)" >&2
  exit 1
fi
# The source version of the installed binary package (1.86+ds-1+b1 -> 1.86+ds-1: binNMUs
# rebuild the same source).
binary_version=$(dpkg-query -W -f='${Version}' libimgui-dev)
source_version=${binary_version%+b[0-9]*}
wanted=$(sed -n 's/^#define IMGUI_VERSION *"\(.*\)"/\1/p' "$headers")

same_as_installed() {
  [[ -f $1/imgui.h ]] && cmp -s "$1/imgui.h" "$headers" && cmp -s "$1/imconfig.h" /usr/include/imgui/imconfig.h &&
    [[ -f $1/imgui_stdlib.cpp ]]
}
if same_as_installed "$dest"; then
  exit 0
fi

mkdir -p "$work/lists/partial" "$work/sources.d" "$work/cache/archives/partial" "$work/src"
touch "$work/sources.list"
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $codename main" \
  >"$work/sources.d/mailsim-imgui.list"
apt_opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=$work/sources.d"
          -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o "APT::Sandbox::User=root" -qq)
orig=$(ls "$work"/src/imgui_*.orig.tar.* 2>/dev/null | head -n 1 || true)
if [[ -z $orig ]]; then
  echo "fetch-imgui: downloading Debian's imgui $source_version source package"
  apt-get "${apt_opts[@]}" update
  (cd "$work/src" && apt-get "${apt_opts[@]}" source --download-only "imgui=$source_version")
  orig=$(ls "$work"/src/imgui_*.orig.tar.* | head -n 1)
fi

# The upstream tarball holds the sources (Debian's only patch adds a Makefile).
rm -rf "$work/unpack" "$dest"
mkdir -p "$work/unpack"
tar -xf "$orig" -C "$work/unpack"
top=$(find "$work/unpack" -mindepth 1 -maxdepth 1 -type d | head -n 1)
mkdir -p "$dest/backends"
cp "$top"/imgui.cpp "$top"/imgui_draw.cpp "$top"/imgui_tables.cpp "$top"/imgui_widgets.cpp "$top"/imgui.h \
   "$top"/imgui_internal.h "$top"/imconfig.h "$top"/imstb_rectpack.h "$top"/imstb_textedit.h \
   "$top"/imstb_truetype.h "$top"/misc/cpp/imgui_stdlib.h "$top"/misc/cpp/imgui_stdlib.cpp "$dest/"
cp "$top"/backends/imgui_impl_glfw.* "$top"/backends/imgui_impl_opengl3.* \
   "$top"/backends/imgui_impl_opengl3_loader.h "$dest/backends/"
rm -rf "$work/unpack"
if ! same_as_installed "$dest"; then
  echo "fetch-imgui: the fetched imgui.h is not the installed one ($wanted); refusing to build" >&2
  rm -rf "$dest"
  exit 1
fi
echo "fetch-imgui: Dear ImGui $wanted sources in $dest"
