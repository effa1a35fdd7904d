#!/usr/bin/env bash
# Builds the real control-plane binaries (kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl) of one Kubernetes release from the Go module proxy, and
# caches them by version outside the checkout so a machine pays for each build once.
#
#   scripts/build-kubernetes.sh 1.37.2        -> $K8S_CACHE/v1.37.2/{kube-apiserver,...}
#
# k8s.io/kubernetes requires its staging modules at v0.0.0 through replace lines that
# are ignored when it is a dependency, so a wrapper module replaces every staging
# module with its published v0.N.P tag (the list is read from the release's own go.mod).
set -euo pipefail
version="${1:?usage: build-kubernetes.sh 1.N.P}"
version="${version#v}"
cache="${K8S_CACHE:-/var/cache/k8s-master-setup/kubernetes}"
out="$cache/v$version"
bins=(kube-apiserver kube-controller-manager kube-scheduler kubectl)

if [ -f "$out/.complete" ]; then
  echo "kubernetes v$version: cached in $out"
  exit 0
fi

work="$cache/.build-v$version"
mkdir -p "$work"
cd "$work"
minor="${version#1.}"; minor="${minor%%.*}"
staging_minor="0.${version#1.}"
cat > go.mod <<MOD
module k8s-master-setup/kube-build

go 1.24
MOD
cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
export GOFLAGS=-mod=mod
# Find the staging modules from the release's own go.mod.
go mod download -json "k8s.io/kubernetes@v$version" > kube.json
kube_gomod=$(sed -n 's/.*"GoMod": "\(.*\)".*/\1/p' kube.json)
mapfile -t staging < <(grep -E '^\s*k8s\.io/[a-z0-9-]+ => \./staging/' "$kube_gomod" | awk '{print $1}')
if [ "${#staging[@]}" -eq 0 ]; then echo "no staging modules found in $kube_gomod" >&2; exit 1; fi
# The proxy does not serve every staging module at every patch (e.g. k8s.io/cloud-provider
# v0.31.13 answers 403 "not available"). Such a module falls back to the newest lower patch
# of the same minor that it does serve, and says so: staging modules of one minor are API
# compatible, and the binaries' own code is still that of the requested release.
patch="${version##*.}"
resolve_staging() {
  local m=$1 p
  for ((p = patch; p >= 0; p--)); do
    if go mod download "$m@v0.$minor.$p" >/dev/null 2>&1; then
      [ "$p" = "$patch" ] || echo "note: $m v$staging_minor is not on the module proxy; using v0.$minor.$p" >&2
      echo "v0.$minor.$p"
      return 0
    fi
  done
  echo "no v0.$minor.x of $m on the module proxy" >&2
  return 1
}
{
  echo "require k8s.io/kubernetes v$version"
  for m in "${staging[@]}"; do
    case "$m" in k8s.io/sample-*) continue ;; esac   # examples; no binary imports them
    echo "replace $m => $m $(resolve_staging "$m")"
  done
} >> go.mod
go mod tidy -e >/dev/null 2>&1 || true
go get "k8s.io/kubernetes@v$version"
mkdir -p "$out"
for b in "${bins[@]}"; do
  echo "building $b v$version ..."
  CGO_ENABLED=0 go build -trimpath \
    -ldflags="-s -w -X k8s.io/component-base/version.gitVersion=v$version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/client-go/pkg/version.gitVersion=v$version" \
    -o "$out/$b" "k8s.io/kubernetes/cmd/$b"
done
"$out/kube-apiserver" --version
touch "$out/.complete"
echo "kubernetes v$version: built into $out"
