#!/usr/bin/env bash
# Builds the real Pulumi CLI from the Go module proxy, plus the Node.js language host the test suite uses
# (language-nodejs/main.go says why it is ours), into the folder given as $1. Called by testbed/engine when
# neither a new-enough `pulumi` on PATH nor a cached build exists; it never writes inside the checkout.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: build.sh <output-dir>}"
command -v go >/dev/null || { echo "build.sh: Go >= 1.26 is needed to build the Pulumi CLI (or put pulumi >= $(cat "$here/VERSION") on PATH)" >&2; exit 2; }
version="$(cat "$here/VERSION")"
tmp="$out.partial.$$"
rm -rf "$tmp" && mkdir -p "$tmp"
cd "$here"
# go.sum is committed: a build that needs a sum it does not list fails instead of trusting the network.
export GOFLAGS="-mod=readonly ${GOFLAGS:-}"
echo "building pulumi v$version from the Go module proxy (a few minutes on first use)..." >&2
go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
  -o "$tmp/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
go build -trimpath -ldflags "-s -w -X main.version=$version" -o "$tmp/pulumi-language-nodejs" ./language-nodejs
# The dynamic-provider launcher the CLI ships next to its binary; it lives in the SDK module.
sdk="$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)"
install -m 0755 "$sdk/nodejs/dist/pulumi-resource-pulumi-nodejs" "$tmp/pulumi-resource-pulumi-nodejs"
"$tmp/pulumi" version >/dev/null
rm -rf "$out" && mv "$tmp" "$out"
echo "built $out" >&2
