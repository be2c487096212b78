#!/usr/bin/env bash
# Installs whatever is missing for the local system and its tests on Debian/Ubuntu:
# the Debian engine packages, then the npm packages. Cheap when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# Speech recognition; translation pairs from English and, through Catalan, into French, Italian, Portuguese and
# Occitan; voices (festival's Catalan HTS voice, espeak-ng as the fallback for every language); test voices; the
# harder benchmark corpus's human read speech (pocketsphinx-testdata's LibriVox clips) and the tool that converts
# and pads them (sox) (test/corpus/hard.ts); the browser the web app tests drive.
APT_PACKAGES=(
  pocketsphinx pocketsphinx-en-us
  apertium apertium-eng-spa apertium-eng-cat apertium-en-gl apertium-eo-en
  apertium-fra-cat apertium-cat-ita apertium-por-cat apertium-oc-ca
  espeak-ng festival festvox-ca-ona-hts flite
  pocketsphinx-testdata sox
  chromium
)
# SVOX Pico's voice data (Spanish, French, Italian, German, English) is in Debian's non-free component and Ubuntu's
# multiverse. Without it those languages are spoken by espeak-ng.
NONFREE_PACKAGES=(libttspico-data)

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
for pkg in "${APT_PACKAGES[@]}"; do installed "$pkg" || missing+=("$pkg"); done
nonfree_missing=()
for pkg in "${NONFREE_PACKAGES[@]}"; do installed "$pkg" || nonfree_missing+=("$pkg"); done

if ((${#missing[@]} + ${#nonfree_missing[@]})); then
  if ! command -v apt-get >/dev/null; then
    echo "setup: missing ${missing[*]} ${nonfree_missing[*]} and no apt-get here; install them with your package manager" >&2
    exit 1
  fi
  # Debian's deb822 sources list main only by default; the Pico voices need non-free (Ubuntu: multiverse).
  if ((${#nonfree_missing[@]})) && [ -f /etc/apt/sources.list.d/debian.sources ] &&
    ! grep -Eq '^Components:.*non-free( |$)' /etc/apt/sources.list.d/debian.sources; then
    echo "setup: enabling Debian's contrib and non-free components for ${nonfree_missing[*]} (SVOX Pico voices)"
    "${sudo[@]}" sed -i -E '/^Components:/{/non-free( |$)/!s/$/ contrib non-free/}' /etc/apt/sources.list.d/debian.sources
  fi
  echo "setup: installing ${missing[*]} ${nonfree_missing[*]}"
  "${sudo[@]}" apt-get update -qq
  if ((${#missing[@]})); then
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  if ((${#nonfree_missing[@]})); then
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${nonfree_missing[@]}" >/dev/null ||
      echo "setup: could not install ${nonfree_missing[*]} (non-free / multiverse not reachable): Spanish, French and Italian will be spoken by espeak-ng instead of SVOX Pico" >&2
  fi
fi

# npm install (not npm ci: the registry mirror here omits other platforms' optional binaries, which
# npm ci insists on finding in the lockfile) when node_modules is absent or older than the lockfile.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages"
  npm install --no-audit --no-fund --loglevel=error
fi
