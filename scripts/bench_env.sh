#!/usr/bin/env bash
# Create (or refresh) the benchmark virtualenv .venv-bench used by `make bench`.
#
# It holds our package (editable) with the workbench (XBlock[django] + xblock-sdk, pinned by
# requirements/constraints.txt) and the peer we compare against: xblock-poll from PyPI.  On
# Python 3.11 the newest xblock-poll that resolves next to XBlock 6.1 is 1.16.1.  Its own
# dependencies (bleach[css], markdown, django-statici18n) are not in our constraints file, so
# they are installed in a second step, pinned here.
#
# Idempotent: a stamp file records what was installed; a second run with nothing changed is a
# no-op.  Usage: scripts/bench_env.sh [VENV]   (PYTHON=python3.11 to choose the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${1:-.venv-bench}
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
POLL="xblock-poll==1.16.1"
POLL_DEPS=("bleach[css]==6.2.0" "tinycss2==1.4.0" "webencodings==0.5.1" "markdown==3.7"
           "django-statici18n==2.6.0" "django-appconf==1.2.0")
STAMP="$VENV/.installed"
WANT="$(cat setup.cfg pyproject.toml requirements/constraints.txt; echo "$POLL ${POLL_DEPS[*]}")"
WANT_SUM=$(printf '%s' "$WANT" | sha256sum | cut -d' ' -f1)

if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$WANT_SUM" ]]; then
  exit 0
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1
[[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade "pip>=24"
"$VENV/bin/python" -m pip install -q -c requirements/constraints.txt -e . \
  "XBlock[django]==6.1.0" "xblock-sdk==0.14.0" requests
"$VENV/bin/python" -m pip install -q -c requirements/constraints.txt "$POLL" "${POLL_DEPS[@]}"
"$VENV/bin/python" -c "import poll.poll, xblock, workbench; print('bench venv ok:', xblock.__version__)"
printf '%s' "$WANT_SUM" > "$STAMP"
