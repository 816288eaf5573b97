#!/usr/bin/env bash
# The one test command: installs what is missing on a fresh Debian machine with Python 3.11,
# then runs every test (whole workspace, then each package in its own venv).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Debian starts a redis-server service on install; the tests start their own on free ports.

python3 -m hatch --version >/dev/null 2>&1 || python3 -m pip install --quiet 'hatch>=1.16'
# The oldest-luigi pass calls hatch again from inside the default env, whose python3 has no hatch.
KART_HATCH_PYTHON="$(python3 -c 'import sys; print(sys.executable)')"
export KART_HATCH_PYTHON
# The documentation site (docs/): built with warnings as errors, so a broken page or a dangling reference
# fails the run; its code examples run as tests in the workspace pass (docs/conftest.py, sybil).
docs_status=0
python3 -m hatch run docs:docs -q || docs_status=$?
(($#)) || set -- tests/integration docs
python3 -m hatch run all "$@" || exit $?
if ((docs_status)); then
  echo "docs: the site did not build without warnings (hatch run docs:docs, output above)" >&2
  exit "$docs_status"
fi
