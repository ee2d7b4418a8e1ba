#!/usr/bin/env bash
# Installs the system packages the tests need, only when they are missing:
# a Java 17+ JDK and Maven for local Apache Spark (Maven resolves Delta Lake's jars, javac
# compiles the ANSI mode extension: scripts/install-spark-jars.sh), Chromium for the dashboard
# tests and the PDF, and poppler-utils (pdftoppm, pdftotext) for the test that reads the PDF.
set -euo pipefail

need=()
java_major() { java -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print v[1]}'; }
if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ] || ! command -v javac >/dev/null 2>&1; then
    need+=(openjdk-17-jdk-headless)
fi
command -v mvn >/dev/null 2>&1 || need+=(maven)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)

if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
echo ">> installing system packages: ${need[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
