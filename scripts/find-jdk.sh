# Sourced by the project's scripts: sets JAVA_HOME to a JDK >= 25 (JAVA_HOME, then PATH, then common install
# folders) or exits with a clear message.
infero_java_major() { "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1; }
infero_find_java() {
  local c v
  for c in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} $(command -v java 2>/dev/null) /usr/lib/jvm/*/bin/java \
           /opt/java/*/bin/java /opt/jdk*/bin/java /usr/local/jdk*/bin/java \
           "$HOME"/.sdkman/candidates/java/*/bin/java /Library/Java/JavaVirtualMachines/*/Contents/Home/bin/java; do
    [ -x "$c" ] || continue
    v="$(infero_java_major "$c")"
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then echo "$c"; return 0; fi
  done
  return 1
}
INFERO_JAVA="$(infero_find_java)" || {
  echo "infero: needs a JDK 25 or newer; none found in JAVA_HOME, PATH or /usr/lib/jvm." >&2
  echo "        Install one (e.g. Temurin 25) and set JAVA_HOME to it." >&2
  exit 3
}
JAVA_HOME="$(dirname "$(dirname "$INFERO_JAVA")")"
export JAVA_HOME
# Maven's own libraries use sun.misc.Unsafe, which JDK 25 warns about on every build.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
