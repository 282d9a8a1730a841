#!/usr/bin/env bash
# Builds Infero and runs every test with a JDK >= 25. Tests that need ../shared skip, with the reason, when it is
# absent. Extra arguments go to Maven (e.g. ./test.sh -pl core -Dtest=ShapesTest).
set -euo pipefail
cd "$(dirname "$0")"
is_jdk25() { [ -x "$1/bin/java" ] && "$1/bin/java" -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; }
if ! is_jdk25 "${JAVA_HOME:-/nonexistent}"; then
  JAVA_HOME=""
  for candidate in /usr/lib/jvm/*; do
    if is_jdk25 "$candidate"; then JAVA_HOME="$candidate"; break; fi
  done
  [ -n "$JAVA_HOME" ] || { echo "test.sh: needs a JDK 25 or newer (set JAVA_HOME)" >&2; exit 3; }
  export JAVA_HOME
fi
exec mvn -B -ntp install "$@"
