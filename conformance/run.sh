#!/usr/bin/env bash
# Runs the independent conformance ports against conformance/vectors/:
#   Python (conformance/python, pytest in a local venv) then Rust (conformance/rust, cargo test --release).
# A runtime whose toolchain is missing is skipped with a note; any failure makes the exit non-zero,
# and so does a run in which every runtime was skipped (nothing was verified).
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
failed=()
skipped=()
ran=()

run_python() {
  echo "=== conformance: Python port (conformance/python, pytest) ==="
  if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIPPED Python port: python3 not found on PATH"
    skipped+=("python (no python3)")
    return
  fi
  local dir="$here/python" venv="$here/python/.venv"
  # (Re)install when the venv is missing or requirements.txt changed since the last install.
  if [ ! -x "$venv/bin/python" ] || ! cmp -s "$dir/requirements.txt" "$venv/.requirements.installed"; then
    echo "--- creating $venv and installing requirements.txt"
    python3 -m venv "$venv" &&
      "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$dir/requirements.txt" &&
      cp "$dir/requirements.txt" "$venv/.requirements.installed" ||
      { echo "FAILED Python port: could not set up the venv"; failed+=("python (venv)"); return; }
  fi
  "$venv/bin/python" --version
  if (cd "$dir" && "$venv/bin/python" -m pytest -q); then
    ran+=("python")
  else
    failed+=("python")
  fi
}

run_rust() {
  echo "=== conformance: Rust port (conformance/rust, cargo test --release) ==="
  if ! command -v cargo >/dev/null 2>&1; then
    echo "SKIPPED Rust port: cargo not found on PATH"
    skipped+=("rust (no cargo)")
    return
  fi
  cargo --version
  if (cd "$here/rust" && cargo test --release --locked); then
    ran+=("rust")
  else
    failed+=("rust")
  fi
}

run_python
run_rust

echo "=== conformance summary ==="
echo "passed:  ${ran[*]:-none}"
echo "skipped: ${skipped[*]:-none}"
echo "failed:  ${failed[*]:-none}"
if [ ${#failed[@]} -gt 0 ]; then exit 1; fi
if [ ${#ran[@]} -eq 0 ]; then echo "no runtime was available: nothing verified"; exit 2; fi
exit 0
