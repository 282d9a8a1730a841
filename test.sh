#!/usr/bin/env bash
# Runs every test with a JDK 25. Tests that need ../shared skip (with the reason) when it is absent.
set -euo pipefail
cd "$(dirname "$0")"
if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; then
  JAVA_HOME="$(ls -d /usr/lib/jvm/temurin-2[5-9]* /usr/lib/jvm/*-2[5-9]* 2>/dev/null | head -n 1 || true)"
  [ -n "$JAVA_HOME" ] || { echo "test.sh: needs a JDK 25 (set JAVA_HOME)" >&2; exit 3; }
  export JAVA_HOME
fi
mvn -B -ntp install "$@"
