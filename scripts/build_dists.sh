#!/usr/bin/env bash
# Build the sdist and wheel of each named package (default: all six) into one folder, dist/.
#   bash scripts/build_dists.sh               # every package
#   bash scripts/build_dists.sh kart-lock     # one package, for its kart-lock-v* release
# tests/integration/test_release_wheels.py checks that such a folder installs and imports without the checkout.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="$PWD/dist"
mkdir -p "$out"
packages=("$@")
((${#packages[@]})) || packages=(kart-hash kart-storage kart-lock kart-notify kart-task gokart)
hatch_python="${KART_HATCH_PYTHON:-python3}"
for package in "${packages[@]}"; do
  [ -f "packages/$package/pyproject.toml" ] || { echo "no package packages/$package" >&2; exit 2; }
  (cd "packages/$package" && "$hatch_python" -m hatch build -t sdist -t wheel "$out")
done
ls -1 "$out"
