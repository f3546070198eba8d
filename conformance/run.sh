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
  local dir="$here/python" py
  py="$(bash "$here/python-venv.sh")" ||
    { echo "FAILED Python port: could not set up the venv"; failed+=("python (venv)"); return; }
  "$py" --version
  if (cd "$dir" && "$py" -m pytest -q); then
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

if [ -n "${QFS_CONFORMANCE_MUTANT:-}" ]; then
  echo "NOTE: QFS_CONFORMANCE_MUTANT=$QFS_CONFORMANCE_MUTANT is set: the ports run with that deliberate bug and should fail"
fi
run_python
run_rust

echo "=== conformance summary ==="
echo "passed:  ${ran[*]:-none}"
echo "skipped: ${skipped[*]:-none}"
echo "failed:  ${failed[*]:-none}"
if [ ${#failed[@]} -gt 0 ]; then exit 1; fi
if [ ${#ran[@]} -eq 0 ]; then echo "no runtime was available: nothing verified"; exit 2; fi
exit 0
