#!/usr/bin/env bash
# The one demo command: installs hatch when missing, then runs the example pipeline locally.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
python3 -m hatch --version >/dev/null 2>&1 || python3 -m pip install --quiet 'hatch>=1.16'
exec python3 -m hatch run demo "$@"
