#!/usr/bin/env bash
# The Java libraries of the local `spark` target, in .cache/spark-jars (the profile's
# spark.driver.extraClassPath), made once and again only when their inputs change:
# - Delta Lake, resolved by Maven from Maven Central at the versions pinned in
#   scripts/spark-jars/pom.xml (cached in ~/.m2 as usual; nothing is fetched at test time);
# - lakehouse-spark-ansi.jar, the session extension that keeps ANSI mode on for every statement
#   dbt-spark runs (scripts/spark-jars/src), compiled against the jars of the installed pyspark.
# Needs a JDK (javac) and Maven: scripts/install-system-deps.sh installs them when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

out=.cache/spark-jars
stamp="$out/.installed"
inputs=(scripts/install-spark-jars.sh scripts/spark-jars/pom.xml scripts/spark-jars/src/lakehouse/spark/*.java)
pyspark_jars=$(.venv/bin/python -c 'import pathlib, pyspark; print(pathlib.Path(pyspark.__file__).parent / "jars")')
fingerprint=$( (cat "${inputs[@]}"; ls "$pyspark_jars") | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$fingerprint" ]; then
    exit 0
fi
for tool in mvn javac jar; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "!! $tool not found: run 'make system-deps' (a JDK and Maven) first" >&2
        exit 1
    }
done

echo ">> resolving the Delta Lake jars with Maven into $out (scripts/spark-jars/pom.xml)"
rm -rf "$out"
mkdir -p "$out"
mvn --batch-mode -Dstyle.color=never --file scripts/spark-jars/pom.xml \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$PWD/$out" \
    | sed 's/\x1b\[[0-9;]*m//g' | grep -E '^\[INFO\] (Downloaded from|Copying|BUILD)|ERROR' || true
ls "$out"/delta-spark_*.jar >/dev/null

echo ">> compiling the ANSI mode session extension against pyspark's jars"
classes=$(mktemp -d)
trap 'rm -rf "$classes"' EXIT
javac -nowarn --release 17 -d "$classes" -cp "$pyspark_jars/*" scripts/spark-jars/src/lakehouse/spark/*.java
jar cf "$out/lakehouse-spark-ansi.jar" -C "$classes" .

echo "$fingerprint" >"$stamp"
echo ">> spark jars ready: $(cd "$out" && ls -- *.jar | tr '\n' ' ')"
