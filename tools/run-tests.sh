#!/usr/bin/env bash
# Node 20's test runner silently runs 0 tests for quoted globs or a bare directory, so the file list is
# expanded here and an empty list is an error rather than a green run.
set -euo pipefail
shopt -s globstar nullglob
cd "$(dirname "$0")/.."
files=(test/**/*.test.ts)
if ((${#files[@]} == 0)); then
  echo "run-tests: no test files found under test/" >&2
  exit 1
fi
exec node --import tsx --test "$@" "${files[@]}"
