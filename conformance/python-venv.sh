#!/usr/bin/env bash
# Makes sure the Python port's venv (conformance/python/.venv) exists with requirements.txt
# installed, then prints the venv's python on stdout (progress goes to stderr).
# Exit 0: ready; 3: python3 is not on PATH; 1: the venv could not be set up.
# Used by conformance/run.sh and by the vitest suites that run the port (test/conformance/ports.ts);
# those may start at the same time, so the (re)install happens under a lock directory.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="$here/python" venv="$here/python/.venv" lock="$here/python/.venv.lock"
if ! command -v python3 >/dev/null 2>&1; then
  echo "python3 not found on PATH" >&2
  exit 3
fi
ready() { [ -x "$venv/bin/python" ] && cmp -s "$dir/requirements.txt" "$venv/.requirements.installed"; }
if ! ready; then
  # mkdir is atomic: one process installs, the others wait for it (a lock older than 10 min is stale).
  waited=0
  until mkdir "$lock" 2>/dev/null; do
    if [ -n "$(find "$lock" -maxdepth 0 -mmin +10 2>/dev/null)" ]; then rmdir "$lock" 2>/dev/null; continue; fi
    if [ $waited -ge 900 ]; then echo "gave up waiting for $lock" >&2; exit 1; fi
    sleep 1
    waited=$((waited + 1))
  done
  trap 'rmdir "$lock" 2>/dev/null' EXIT
  # (Re)install when the venv is missing or requirements.txt changed since the last install.
  if ! ready; then
    echo "--- creating $venv and installing requirements.txt" >&2
    python3 -m venv "$venv" >&2 &&
      "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$dir/requirements.txt" >&2 &&
      cp "$dir/requirements.txt" "$venv/.requirements.installed" ||
      { echo "could not set up $venv" >&2; exit 1; }
  fi
fi
echo "$venv/bin/python"
