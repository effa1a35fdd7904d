#!/usr/bin/env bash
# Builds etcd (server) and etcdctl of one release from the Go module proxy and caches them
# by version outside the checkout, so a machine builds each version once.
#
#   scripts/build-etcd.sh [3.6.16]     -> $ETCD_CACHE/v3.6.16/{etcd,etcdctl}
#
# Debian bookworm's etcd-server is 3.4.23, below what current Kubernetes documents as the
# minimum (3.5.11 / 3.4.29); kubeadm ships etcd 3.6 for Kubernetes 1.34+, so the lab pins 3.6.
#
# `go install go.etcd.io/etcd/server/v3@vX` does not work: the server and etcdctl modules
# carry `replace` lines (../api, ../client/...) that `go install pkg@version` refuses. A
# wrapper module that requires both at the same version ignores those replaces (they only
# apply to the main module) and resolves the sibling modules at their published tags.
set -euo pipefail
version="${1:-3.6.16}"
version="${version#v}"
cache="${ETCD_CACHE:-/var/cache/k8s-master-setup/etcd}"
out="$cache/v$version"

if [ -f "$out/.complete" ]; then
  echo "etcd v$version: cached in $out"
  exit 0
fi

start=$SECONDS
work="$cache/.build-v$version"
rm -rf "$work"
mkdir -p "$work"
cd "$work"
cat > go.mod <<MOD
module k8s-master-setup/etcd-build

go 1.24

require (
	go.etcd.io/etcd/server/v3 v$version
	go.etcd.io/etcd/etcdctl/v3 v$version
)
MOD
cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "go.etcd.io/etcd/etcdctl/v3"
	_ "go.etcd.io/etcd/server/v3"
)
GO
export GOFLAGS=-mod=mod
# A release's go directive may ask for a newer Go than the local one; let the go command
# fetch that toolchain from the module proxy rather than fail (no-op when local suffices).
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
go mod tidy >/dev/null
mkdir -p "$out.tmp"
echo "building etcd v$version ..."
CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$out.tmp/etcd" go.etcd.io/etcd/server/v3
echo "building etcdctl v$version ..."
CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$out.tmp/etcdctl" go.etcd.io/etcd/etcdctl/v3
"$out.tmp/etcd" --version
"$out.tmp/etcdctl" version
rm -rf "$out"
mv "$out.tmp" "$out"
touch "$out/.complete"
cd /
rm -rf "$work"
echo "etcd v$version: built into $out in $((SECONDS - start)) s"
