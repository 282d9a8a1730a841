#!/usr/bin/env bash
# Builds Infero and runs every test with a JDK >= 25. Tests that need ../shared skip, with the reason, when it is
# absent. Extra arguments go to Maven (e.g. ./test.sh -pl core -Dtest=ShapesTest).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/find-jdk.sh
exec mvn -B -ntp install "$@"
