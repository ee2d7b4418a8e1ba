#!/usr/bin/env bash
# The Databricks CLI that checks the bundle (orchestration/tests: `databricks bundle validate`,
# `bundle summary`), built from its Go module at a pinned version into
# .cache/databricks-cli/databricks, once: the Go module and build caches (GOMODCACHE, GOCACHE)
# keep what was downloaded and compiled. The version must satisfy the bundle's
# `databricks_cli_version` (orchestration/databricks.yml).
#
# `go install github.com/databricks/cli@<version>` itself does not work here: it asks the Go
# module proxy for the module's version list (its deprecation check), which the proxy refuses for
# this module, while the version itself is served. So the same module version is fetched with
# `go get` into a throwaway module and built with `go build`, with the version stamped in as the
# CLI's own release builds do (else it reports 0.0.0-dev and skips the version check).
set -euo pipefail
cd "$(dirname "$0")/.."

version=1.12.1
out=.cache/databricks-cli
binary="$out/databricks"
if [ -x "$binary" ] && "$binary" --version 2>/dev/null | grep -qx "Databricks CLI v$version"; then
    exit 0
fi
command -v go >/dev/null 2>&1 || {
    echo "!! go not found: the Databricks CLI is built from its Go module (Go 1.26 or newer)" >&2
    exit 1
}

echo ">> building the Databricks CLI v$version from its Go module (github.com/databricks/cli)"
work="$out/build"
rm -rf "$work"
mkdir -p "$work"
(
    cd "$work"
    go mod init lakehouse/databricks-cli-build >/dev/null 2>&1
    go get "github.com/databricks/cli@v$version"
    go build -ldflags "-X github.com/databricks/cli/internal/build.buildVersion=$version" \
        -o ../databricks github.com/databricks/cli
)
rm -rf "$work"
echo ">> $("$binary" --version) in $binary"
