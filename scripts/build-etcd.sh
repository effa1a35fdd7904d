#!/usr/bin/env bash
# Builds etcd (server), etcdctl and etcdutl of one release from the Go module proxy and caches
# them by version outside the checkout, so a machine builds each version once.
#
#   scripts/build-etcd.sh [3.6.16]     -> $ETCD_CACHE/v3.6.16/{etcd,etcdctl,etcdutl}
#
# Debian bookworm's etcd-server is 3.4.23, below what current Kubernetes documents as the
# minimum (3.5.11 / 3.4.29); kubeadm ships etcd 3.6 for Kubernetes 1.34+, so the lab pins 3.6.
# etcdutl (offline tool: `snapshot status`, `snapshot restore`) checks the snapshots the
# installer takes; it is never put on the nodes.
#
# `go install go.etcd.io/etcd/server/v3@vX` does not work: the server, etcdctl and etcdutl
# modules carry `replace` lines (../api, ../client/...) that `go install pkg@version` refuses.
# A wrapper module that requires them at the same version ignores those replaces (they only
# apply to the main module) and resolves the sibling modules at their published tags.
set -euo pipefail
version="${1:-3.6.16}"
version="${version#v}"
cache="${ETCD_CACHE:-/var/cache/k8s-master-setup/etcd}"
out="$cache/v$version"
# Module (package path) of each binary.
declare -A module=(
  [etcd]=go.etcd.io/etcd/server/v3
  [etcdctl]=go.etcd.io/etcd/etcdctl/v3
  [etcdutl]=go.etcd.io/etcd/etcdutl/v3
)
bins=(etcd etcdctl etcdutl)

complete() {
  [ -f "$out/.complete" ] || return 1
  for b in "${bins[@]}"; do [ -x "$out/$b" ] || return 1; done
}
if complete; then
  echo "etcd v$version: cached in $out"
  exit 0
fi

# A binary already in the cache is kept as it is: the lab compares the deployed etcd with
# the cached one and redeploys (empty data) when they differ, so a cache that only lacks
# etcdutl (made before it was added) gains etcdutl alone.
missing=()
for b in "${bins[@]}"; do [ -x "$out/$b" ] || missing+=("$b"); done

start=$SECONDS
work="$cache/.build-v$version"
rm -rf "$work"
mkdir -p "$work"
cd "$work"
{
  echo 'module k8s-master-setup/etcd-build'
  echo
  echo 'go 1.24'
  echo
  echo 'require ('
  for b in "${bins[@]}"; do echo "	${module[$b]} v$version"; done
  echo ')'
} > go.mod
{
  echo '//go:build tools'
  echo
  echo 'package tools'
  echo
  echo 'import ('
  for b in "${bins[@]}"; do echo "	_ \"${module[$b]}\""; done
  echo ')'
} > tools.go
export GOFLAGS=-mod=mod
# A release's go directive may ask for a newer Go than the local one; let the go command
# fetch that toolchain from the module proxy rather than fail (no-op when local suffices).
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
go mod tidy >/dev/null
mkdir -p "$work/bin" "$out"
for b in "${missing[@]}"; do
  echo "building $b v$version ..."
  CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$work/bin/$b" "${module[$b]}"
done
for b in "${bins[@]}"; do
  bin="$work/bin/$b"; [ -x "$bin" ] || bin="$out/$b"
  if [ "$b" = etcd ]; then "$bin" --version; else "$bin" version; fi
done
# One rename per binary (same file system): a reader never sees a half-written file.
for b in "${missing[@]}"; do mv -f "$work/bin/$b" "$out/$b"; done
touch "$out/.complete"
cd /
rm -rf "$work"
echo "etcd v$version: built ${missing[*]} into $out in $((SECONDS - start)) s"
