#!/usr/bin/env bash
# Installs whatever is missing for the local system and its tests on Debian/Ubuntu:
# the Debian engine packages, then the npm packages. Cheap when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# Speech recognition, translation pairs, speech synthesis, test voices, the browser the web app tests drive.
APT_PACKAGES=(
  pocketsphinx pocketsphinx-en-us
  apertium apertium-eng-spa apertium-eng-cat apertium-en-gl apertium-eo-en
  espeak-ng flite
  chromium
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if ! command -v apt-get >/dev/null; then
    echo "setup: missing ${missing[*]} and no apt-get here; install them with your package manager" >&2
    exit 1
  fi
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  echo "setup: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm install (not npm ci: the registry mirror here omits other platforms' optional binaries, which
# npm ci insists on finding in the lockfile) when node_modules is absent or older than the lockfile.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages"
  npm install --no-audit --no-fund --loglevel=error
fi
