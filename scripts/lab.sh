#!/usr/bin/env bash
# The lab: real master nodes on one machine, for the end-to-end tests and the benchmark.
#
# Each node is a booted Debian container (systemd-nspawn --boot, systemd as PID 1, OpenSSH)
# in its own network namespace, plugged into the host bridge k8slab0 (198.18.0.1/24, the
# benchmarking range) with its own address: lab-m1 = 198.18.0.11, lab-m2 = .12, ...
# A 3-member etcd cluster (TLS, client-certificate auth) runs on the nodes, one member
# per node, from a lab CA that the lab profile brings as the installer's existing CA.
#
#   scripts/lab.sh up [N]            N nodes (default 3) + etcd + profile; idempotent: a
#                                    healthy lab is left alone (~2 s), a stopped or hung
#                                    node is booted again from its disk, a node without one
#                                    is rebuilt; a failed start is torn down again
#                                    (LAB_KEEP=1 keeps it for a look)
#   scripts/lab.sh down              stop every node, remove netns, veths, bridge, node dirs
#                                    (the CA and certs in $LAB_STATE/pki stay; --purge drops them)
#   scripts/lab.sh status            per node: container, ssh, systemd state, etcd
#   scripts/lab.sh stop-node NAME    power a node off: its disk stays, its address stops
#                                    answering (host veth down), as a dead server's would
#   scripts/lab.sh start-node NAME   boot it again and wait until it is up
#   scripts/lab.sh etcd [--reset]    ensure the etcd cluster on the running nodes (--reset:
#                                    redeploy it with empty data dirs)
#   scripts/lab.sh etcd-off          stop the lab's etcd and take it off the nodes (unit, data,
#                                    certs): bare machines for a stacked install (`etcd` or
#                                    `up` brings it back, empty)
#   scripts/lab.sh profile           print the installer profile (also in $LAB_STATE/profile.yaml)
#   scripts/lab.sh ssh NAME [CMD..]  ssh into a node as root with the lab key and known_hosts
#   scripts/lab.sh etcdctl ARGS..    etcdctl on the host against the lab cluster (client cert)
#   scripts/lab.sh env               print shell variables with the lab's paths
#
# Needs: root, systemd-container (systemd-nspawn), iproute2, openssh-client, openssl,
# util-linux (setsid, flock), the cached rootfs (scripts/lab-rootfs.sh, run on demand) and
# etcd (scripts/build-etcd.sh, run on demand; Go). Nodes keep running after this script
# exits; `up` after a host reboot boots them again from their disks.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${LAB_CACHE:-/var/cache/k8s-master-setup/lab}"
STATE="${LAB_STATE:-/var/lib/k8s-master-setup-lab}"
ROOTFS="$CACHE/rootfs"
KEY="$CACHE/ssh/id_ed25519"
KNOWN_HOSTS="$STATE/known_hosts"
PKI="$STATE/pki"
PROFILE="$STATE/profile.yaml"
ETCD_VERSION="${LAB_ETCD_VERSION:-3.6.16}"
ETCD_DIR="${ETCD_CACHE:-/var/cache/k8s-master-setup/etcd}/v$ETCD_VERSION"
K8S_VERSION="${LAB_K8S_VERSION:-1.37.2}"
K8S_DIR="${K8S_CACHE:-/var/cache/k8s-master-setup/kubernetes}/v$K8S_VERSION"
BRIDGE=k8slab0
NET=198.18.0          # lab range 198.18.0.0/24 only; the host end is .1, nodes .11 ...
BOOT_TIMEOUT="${LAB_BOOT_TIMEOUT:-90}"
ETCD_TIMEOUT="${LAB_ETCD_TIMEOUT:-60}"

log() { printf 'lab: %s\n' "$*" >&2; }
die() { printf 'lab: error: %s\n' "$*" >&2; exit 1; }

node_ip() { echo "$NET.$((10 + ${1#lab-m}))"; }
node_dir() { echo "$STATE/nodes/$1"; }
node_root() { echo "$STATE/nodes/$1/rootfs"; }
node_log() { echo "$STATE/logs/$1.log"; }
valid_name() { [[ "$1" =~ ^lab-m([1-9]|[1-8][0-9])$ ]]; }
# Nodes that exist on disk or in the network, whatever N the lab was started with.
known_nodes() {
  { ls "$STATE/nodes" 2>/dev/null; ip netns list 2>/dev/null | awk '{print $1}'; } \
    | grep -E '^lab-m[0-9]+$' | sort -u -V || true
}
wanted_nodes() { local i; for ((i = 1; i <= $1; i++)); do echo "lab-m$i"; done; }

ssh_opts() {
  echo -i "$KEY" -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile="$KNOWN_HOSTS" \
    -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o ConnectTimeout=3 \
    -o ServerAliveInterval=5 -o ServerAliveCountMax=3 -o LogLevel=ERROR
}
node_ssh() { local name=$1; shift; ssh $(ssh_opts) "root@$(node_ip "$name")" "$@"; }

# The PID of the node's systemd-nspawn process, if it is running.
nspawn_pid() {
  local f pid
  f="$(node_dir "$1")/nspawn.pid"
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- "systemd-nspawn .*-M $1 " || return 1
  echo "$pid"
}

ensure_key() {
  [ -f "$KEY" ] && return 0
  mkdir -p "$(dirname "$KEY")"
  chmod 700 "$(dirname "$KEY")"
  ssh-keygen -q -t ed25519 -N '' -C k8s-master-setup-lab -f "$KEY"
  log "generated the lab ssh key $KEY"
}

ensure_bridge() {
  ip link show "$BRIDGE" >/dev/null 2>&1 || ip link add "$BRIDGE" type bridge
  ip -4 addr show dev "$BRIDGE" | grep -q "inet $NET.1/24" || ip addr add "$NET.1/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
}

# /etc/hosts of a node: localhost (etcd needs it) and every lab node's name.
write_hosts() {
  local root=$1 n=$2 m
  {
    echo "127.0.0.1 localhost"
    echo "::1 localhost ip6-localhost ip6-loopback"
    for m in $(wanted_nodes "$n"); do echo "$(node_ip "$m") $m"; done
  } > "$root/etc/hosts"
}

# Packages a node has beyond what an older cached rootfs or node disk was built with
# (lab-rootfs.sh includes them in new builds): zstd, which Ubuntu and RHEL servers ship by
# default and which apply uses to send binaries compressed. Installed from the .deb of
# the host's own apt mirror into the rootfs and every node's disk, once.
EXTRA_PACKAGES=(zstd)
ensure_packages() {
  local root=$1 p deb
  for p in "${EXTRA_PACKAGES[@]}"; do
    [ -x "$root/usr/bin/$p" ] && continue
    deb=$(ls "$CACHE"/debs/"${p}"_*.deb 2>/dev/null | head -n1 || true)
    if [ -z "$deb" ]; then
      mkdir -p "$CACHE/debs"
      (cd "$CACHE/debs" && apt-get download -q "$p" >&2) || die "cannot download the $p package (apt-get download $p)"
      deb=$(ls "$CACHE"/debs/"${p}"_*.deb | head -n1)
    fi
    dpkg --root="$root" --force-script-chrootless -i "$deb" >/dev/null || die "cannot install $p into $root"
    log "installed $p into $root"
  done
}

# Copy the cached rootfs and make it this node's: name, machine-id, host keys, root's key.
prepare_rootfs() {
  local name=$1 n=$2 dir root
  dir=$(node_dir "$name"); root="$dir/rootfs"
  rm -rf "$root.tmp"
  cp -a --reflink=auto "$ROOTFS" "$root.tmp"
  rm -f "$root.tmp/.complete"
  echo "$name" > "$root.tmp/etc/hostname"
  write_hosts "$root.tmp" "$n"
  od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > "$root.tmp/etc/machine-id"; echo >> "$root.tmp/etc/machine-id"
  rm -f "$root.tmp"/etc/ssh/ssh_host_*
  ssh-keygen -q -A -f "$root.tmp" >/dev/null
  install -d -m 700 "$root.tmp/root/.ssh"
  install -m 600 "$KEY.pub" "$root.tmp/root/.ssh/authorized_keys"
  cat > "$root.tmp/etc/ssh/sshd_config.d/lab.conf" <<'EOF'
PermitRootLogin prohibit-password
PasswordAuthentication no
UseDNS no
EOF
  mv "$root.tmp" "$root"
}

ensure_netns() {
  local name=$1 ip veth
  ip=$(node_ip "$name"); veth="v$name"
  [ -e "/run/netns/$name" ] || ip netns add "$name"
  if ! ip -n "$name" link show eth0 >/dev/null 2>&1; then
    ip link del "$veth" >/dev/null 2>&1 || true
    ip link add "$veth" type veth peer name eth0 netns "$name"
  fi
  ip link set "$veth" master "$BRIDGE" up
  ip -n "$name" link set lo up
  ip -n "$name" -4 addr show dev eth0 | grep -q "inet $ip/24" || ip -n "$name" addr add "$ip/24" dev eth0
  ip -n "$name" link set eth0 up
}

boot_node() {
  local name=$1 dir pid i
  dir=$(node_dir "$name")
  kill_orphans "$name"
  mkdir -p "$STATE/logs"
  # setsid: the container outlives this script and ignores its terminal's signals;
  # 9>&-: it must not inherit (and so hold forever) the lab lock.
  setsid systemd-nspawn --register=no --keep-unit -D "$dir/rootfs" -M "$name" --boot \
    --network-namespace-path="/run/netns/$name" --console=read-only \
    --resolv-conf=off --timezone=off --link-journal=no \
    > "$(node_log "$name")" 2>&1 < /dev/null 9>&- &
  pid=$!
  echo "$pid" > "$dir/nspawn.pid"
  # Until the forked shell has exec'd setsid and then systemd-nspawn, the PID does not look
  # like the node's yet; wait for that so that nspawn_pid can tell "exited" from "starting".
  for ((i = 0; i < 50; i++)); do nspawn_pid "$name" >/dev/null && return 0; [ -d "/proc/$pid" ] || return 0; sleep 0.05; done
}

# Wait until systemd in the node has finished booting and sshd answers.
wait_node() {
  local name=$1 deadline state
  deadline=$((SECONDS + BOOT_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! nspawn_pid "$name" >/dev/null; then
      log "$name: systemd-nspawn exited; tail of $(node_log "$name"):"
      tail -n 30 "$(node_log "$name")" >&2 || true
      return 1
    fi
    state=$(timeout 30 ssh $(ssh_opts) "root@$(node_ip "$name")" systemctl is-system-running --wait 2>/dev/null || true)
    case "$state" in
      running) return 0 ;;
      degraded)
        log "$name: booted degraded; failed units: $(node_ssh "$name" systemctl --failed --plain --no-legend 2>/dev/null | awk '{print $1}' | tr '\n' ' ')"
        return 0 ;;
    esac
    sleep 1
  done
  log "$name: not up within ${BOOT_TIMEOUT}s (ssh root@$(node_ip "$name") 'systemctl is-system-running' never said running/degraded; last: '${state:-no answer}'); tail of $(node_log "$name"):"
  tail -n 30 "$(node_log "$name")" >&2 || true
  return 1
}

# The PID-1s of containers running in a node's network namespace: a process in it whose
# parent is not. (Its root shows as "/" from here: it lives in its own mount namespace.)
# After systemd-nspawn dies by SIGKILL its container lives on, orphaned; it must go before
# the node boots again (two systemds, one address).
container_inits() {
  local pids p pp
  [ -e "/run/netns/$1" ] || return 0
  pids=" $(ip netns pids "$1" 2>/dev/null | tr '\n' ' ') "
  for p in $pids; do
    pp=$(awk '/^PPid:/ {print $2}' "/proc/$p/status" 2>/dev/null) || continue
    [[ "$pids" == *" $pp "* ]] || echo "$p"
  done
}

kill_orphans() {
  local pid i
  for pid in $(container_inits "$1"); do
    log "$1: killing an orphaned container (PID $pid, its systemd-nspawn is gone)"
    kill -KILL "$pid" 2>/dev/null || true
  done
  for ((i = 0; i < 50; i++)); do [ -z "$(container_inits "$1")" ] && return 0; sleep 0.1; done
}

# Child PIDs of a process (without procps' pgrep, which minimal systems lack).
children_of() { grep -l "^PPid:[[:space:]]*$1\$" /proc/[0-9]*/status 2>/dev/null | cut -d/ -f3 || true; }

stop_container() {
  local name=$1 pid leader i
  pid=$(nspawn_pid "$name") || { kill_orphans "$name"; rm -f "$(node_dir "$name")/nspawn.pid"; return 0; }
  # Ask systemd in the node to power off (as a real shutdown); nspawn forwards SIGTERM as
  # the container's halt signal too, so this works without ssh as well.
  timeout 5 ssh $(ssh_opts) "root@$(node_ip "$name")" 'systemctl poweroff --no-block' >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
  if [ -d "/proc/$pid" ]; then
    # Still booting (systemd defers a shutdown request until then) or hung: kill it.
    # Killing the container's PID 1 kills its whole PID namespace; then nspawn exits.
    for leader in $(children_of "$pid"); do kill -KILL "$leader" 2>/dev/null || true; done
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
  fi
  kill_orphans "$name"
  rm -f "$(node_dir "$name")/nspawn.pid"
}

destroy_node() {
  local name=$1
  stop_container "$name"
  ip link del "v$name" >/dev/null 2>&1 || true
  ip netns del "$name" >/dev/null 2>&1 || true
  rm -rf "$(node_dir "$name")"
}

# Running and answering over ssh with systemd up (three tries: a busy host is not a dead node).
node_healthy() {
  local s i
  for ((i = 0; i < 3; i++)); do
    nspawn_pid "$1" >/dev/null || return 1
    s=$(node_ssh "$1" systemctl is-system-running 2>/dev/null || true)
    [ "$s" = running ] || [ "$s" = degraded ] && return 0
    sleep 1
  done
  return 1
}

write_known_hosts() {
  local name tmp
  tmp="$KNOWN_HOSTS.tmp"
  : > "$tmp"
  for name in $(known_nodes); do
    local root; root=$(node_root "$name")
    [ -d "$root/etc/ssh" ] || continue
    for pub in "$root"/etc/ssh/ssh_host_*_key.pub; do
      [ -f "$pub" ] || continue
      echo "$(node_ip "$name"),$name $(awk '{print $1, $2}' "$pub")" >> "$tmp"
    done
  done
  chmod 644 "$tmp"
  mv "$tmp" "$KNOWN_HOSTS"
  # An ssh_config for people: ssh -F $STATE/ssh_config lab-m1
  {
    for name in $(known_nodes); do
      printf 'Host %s\n  HostName %s\n  User root\n  IdentityFile %s\n  IdentitiesOnly yes\n  UserKnownHostsFile %s\n  StrictHostKeyChecking yes\n\n' \
        "$name" "$(node_ip "$name")" "$KEY" "$KNOWN_HOSTS"
    done
  } > "$STATE/ssh_config"
}

# ---------------------------------------------------------------- PKI and etcd

# Sign a certificate with the lab CA: sign NAME CN EKU SANS
sign() {
  local base=$1 cn=$2 eku=$3 sans=$4 ext
  [ -f "$PKI/$base.pem" ] && [ -f "$PKI/$base-key.pem" ] && return 0
  ext=$(mktemp)
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [ -n "$sans" ] && echo "subjectAltName=$sans"
    echo "subjectKeyIdentifier=hash"
    echo "authorityKeyIdentifier=keyid"
  } > "$ext"
  openssl genrsa -traditional -out "$PKI/$base-key.pem.tmp" 2048 2>/dev/null
  openssl req -new -key "$PKI/$base-key.pem.tmp" -subj "/O=k8s-master-setup lab/CN=$cn" -out "$PKI/$base.csr" 2>/dev/null
  openssl x509 -req -in "$PKI/$base.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca-key.pem" -CAcreateserial \
    -days 3650 -sha256 -extfile "$ext" -out "$PKI/$base.pem.tmp" 2>/dev/null
  rm -f "$ext" "$PKI/$base.csr"
  chmod 600 "$PKI/$base-key.pem.tmp"
  mv "$PKI/$base-key.pem.tmp" "$PKI/$base-key.pem"
  mv "$PKI/$base.pem.tmp" "$PKI/$base.pem"
}

# The lab CA stands for the CA "from an earlier chapter": RSA (node-forge signs with it),
# PKCS#1 key as cfssl writes it. Created once and kept across `down` (unless --purge).
ensure_pki() {
  local n=$1 name
  mkdir -p "$PKI"; chmod 700 "$PKI"
  if [ ! -f "$PKI/ca.pem" ] || [ ! -f "$PKI/ca-key.pem" ]; then
    rm -f "$PKI"/*.pem
    openssl genrsa -traditional -out "$PKI/ca-key.pem" 2048 2>/dev/null
    chmod 600 "$PKI/ca-key.pem"
    openssl req -x509 -new -key "$PKI/ca-key.pem" -sha256 -days 3650 \
      -subj "/O=k8s-master-setup lab/CN=k8s-master-setup lab CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
      -out "$PKI/ca.pem" 2>/dev/null
    log "created the lab CA $PKI/ca.pem"
  fi
  for name in $(wanted_nodes "$n"); do
    sign "etcd-$name" "$name" "serverAuth,clientAuth" "IP:$(node_ip "$name"),IP:127.0.0.1,DNS:$name,DNS:localhost"
  done
  sign etcd-client lab-etcd-client clientAuth ""
}

etcd_endpoints() { local m out=(); for m in $(wanted_nodes "$1"); do out+=("https://$(node_ip "$m"):2379"); done; (IFS=,; echo "${out[*]}"); }
running_count() { local c=0 m; for m in $(known_nodes); do nspawn_pid "$m" >/dev/null && c=$((c + 1)); done; echo $c; }
lab_size() { cat "$STATE/size" 2>/dev/null || running_count; }
# etcd runs on the first nodes only, at most LAB_ETCD_MEMBERS (3): a 4-node lab is 3 members
# and one master without a member (the membership suites add and remove masters, not members).
etcd_size() { local n=$1 max=${LAB_ETCD_MEMBERS:-3}; echo $((n < max ? n : max)); }

host_etcdctl() {
  local n; n=$(lab_size)
  "$ETCD_DIR/etcdctl" --endpoints="$(etcd_endpoints "$(etcd_size "$n")")" --cacert="$PKI/ca.pem" \
    --cert="$PKI/etcd-client.pem" --key="$PKI/etcd-client-key.pem" --dial-timeout=3s --command-timeout=5s "$@"
}

# Healthy = every member answers, and the member list is exactly the wanted nodes.
etcd_healthy() {
  local n=$1 want got
  [ -x "$ETCD_DIR/etcdctl" ] && [ -f "$PKI/etcd-client.pem" ] || return 1
  host_etcdctl endpoint health >/dev/null 2>&1 || return 1
  want=$(for m in $(wanted_nodes "$n"); do echo "$m https://$(node_ip "$m"):2380"; done | sort)
  got=$(host_etcdctl member list 2>/dev/null | awk -F', ' '{print $3, $4}' | sort)
  [ "$want" = "$got" ] || return 1
  for m in $(wanted_nodes "$n"); do cmp -s "$ETCD_DIR/etcd" "$(node_root "$m")/usr/local/bin/etcd" || return 1; done
}

etcd_unit() {
  local name=$1 n=$2 ip cluster m
  ip=$(node_ip "$name")
  cluster=$(for m in $(wanted_nodes "$n"); do printf '%s=https://%s:2380,' "$m" "$(node_ip "$m")"; done)
  cat <<EOF
# k8s-master-setup lab: one member of the lab etcd cluster (written by scripts/lab.sh)
[Unit]
Description=etcd (k8s-master-setup lab)
After=network.target

[Service]
Type=notify
ExecStart=/usr/local/bin/etcd \\
  --name=$name \\
  --data-dir=/var/lib/etcd \\
  --listen-client-urls=https://$ip:2379,https://127.0.0.1:2379 \\
  --advertise-client-urls=https://$ip:2379 \\
  --listen-peer-urls=https://$ip:2380 \\
  --initial-advertise-peer-urls=https://$ip:2380 \\
  --initial-cluster=${cluster%,} \\
  --initial-cluster-token=k8s-master-setup-lab \\
  --initial-cluster-state=new \\
  --cert-file=/etc/etcd/pki/etcd.pem \\
  --key-file=/etc/etcd/pki/etcd-key.pem \\
  --trusted-ca-file=/etc/etcd/pki/ca.pem \\
  --client-cert-auth \\
  --peer-cert-file=/etc/etcd/pki/etcd.pem \\
  --peer-key-file=/etc/etcd/pki/etcd-key.pem \\
  --peer-trusted-ca-file=/etc/etcd/pki/ca.pem \\
  --peer-client-cert-auth \\
  --auto-compaction-mode=periodic \\
  --auto-compaction-retention=1h \\
  --quota-backend-bytes=2147483648 \\
  --logger=zap --log-level=warn
Restart=on-failure
RestartSec=2
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target
EOF
}

# (Re)deploy the etcd cluster: binaries, certs, unit into every node; fresh data dirs;
# start all members together (the first quorum needs them all).
etcd_deployed() {
  local n=$1 m root
  for m in $(wanted_nodes "$n"); do
    root=$(node_root "$m")
    cmp -s "$ETCD_DIR/etcd" "$root/usr/local/bin/etcd" || return 1
    etcd_unit "$m" "$n" | cmp -s - "$root/etc/systemd/system/etcd.service" || return 1
    cmp -s "$PKI/etcd-$m.pem" "$root/etc/etcd/pki/etcd.pem" || return 1
    cmp -s "$PKI/ca.pem" "$root/etc/etcd/pki/ca.pem" || return 1
  done
}

# Wait for etcd_healthy; on timeout print what each member says and fail.
wait_etcd() {
  local n=$1 m deadline
  deadline=$((SECONDS + ETCD_TIMEOUT))
  until etcd_healthy "$n"; do
    if ((SECONDS >= deadline)); then
      host_etcdctl endpoint health >&2 || true
      for m in $(wanted_nodes "$n"); do
        log "$m: journalctl -u etcd (last 10 lines):"
        node_ssh "$m" 'journalctl -u etcd --no-pager -n 10' >&2 || true
      done
      return 1
    fi
    sleep 1
  done
}

ensure_etcd() {
  local n=$1 reset=${2:-0} m root
  for m in $(wanted_nodes "$n"); do nspawn_pid "$m" >/dev/null || die "$m is not running; run scripts/lab.sh up $n"; done
  [ -f "$ETCD_DIR/.complete" ] && [ -x "$ETCD_DIR/etcdutl" ] || { log "building etcd v$ETCD_VERSION (cached afterwards) ..."; "$here/build-etcd.sh" "$ETCD_VERSION" >&2; }
  ensure_pki "$n"
  # Deployed as wanted (same binary, same unit, certs in place)? Then never wipe: a member
  # that is down is started again and the cluster keeps its data. Only a fresh node, a
  # change of N or of the etcd version, or `lab.sh etcd --reset` redeploys from scratch.
  if [ "$reset" != 1 ] && etcd_deployed "$n"; then
    if etcd_healthy "$n"; then log "etcd v$ETCD_VERSION: healthy on $n members"; return 0; fi
    log "etcd v$ETCD_VERSION: deployed but not healthy; starting members that are down"
    for m in $(wanted_nodes "$n"); do node_ssh "$m" 'systemctl is-active --quiet etcd || systemctl start --no-block etcd' || true; done
    wait_etcd "$n" || die "etcd is deployed but did not become healthy within ${ETCD_TIMEOUT}s; 'scripts/lab.sh etcd --reset' redeploys it with empty data"
    return 0
  fi
  log "etcd v$ETCD_VERSION: deploying a $n-member cluster (empty data)"
  for m in $(wanted_nodes "$n"); do
    root=$(node_root "$m")
    node_ssh "$m" 'systemctl stop etcd 2>/dev/null; rm -rf /var/lib/etcd; true'
    install -m 755 "$ETCD_DIR/etcd" "$ETCD_DIR/etcdctl" "$root/usr/local/bin/"
    install -d -m 700 "$root/etc/etcd/pki"
    install -m 644 "$PKI/ca.pem" "$root/etc/etcd/pki/ca.pem"
    install -m 644 "$PKI/etcd-$m.pem" "$root/etc/etcd/pki/etcd.pem"
    install -m 600 "$PKI/etcd-$m-key.pem" "$root/etc/etcd/pki/etcd-key.pem"
    etcd_unit "$m" "$n" > "$root/etc/systemd/system/etcd.service"
    # etcdctl inside the node works without flags (as on a guide's etcd host).
    cat > "$root/etc/profile.d/etcdctl.sh" <<EOF
export ETCDCTL_ENDPOINTS=https://127.0.0.1:2379 ETCDCTL_CACERT=/etc/etcd/pki/ca.pem ETCDCTL_CERT=/etc/etcd/pki/etcd.pem ETCDCTL_KEY=/etc/etcd/pki/etcd-key.pem
EOF
  done
  for m in $(wanted_nodes "$n"); do
    node_ssh "$m" 'systemctl daemon-reload && systemctl enable --quiet etcd && systemctl start --no-block etcd'
  done
  wait_etcd "$n" || die "etcd did not become healthy within ${ETCD_TIMEOUT}s"
  log "etcd v$ETCD_VERSION: $n members healthy"
}

write_profile() {
  local n=$1 m
  {
    echo "# The lab's installer profile, written by scripts/lab.sh up."
    echo "# SSH host keys of the lab nodes: $KNOWN_HOSTS (use it as the known_hosts file)."
    echo "name: lab"
    echo "kubernetesVersion: \"${K8S_VERSION%.*}\""
    echo "binaries: $K8S_DIR"
    echo "nodes:"
    for m in $(wanted_nodes "$n"); do echo "  - name: $m"; echo "    ip: $(node_ip "$m")"; done
    echo "ssh:"
    echo "  user: root"
    echo "  port: 22"
    echo "  identityFile: $KEY"
    echo "etcd:"
    echo "  endpoints:"
    for m in $(wanted_nodes "$(etcd_size "$n")"); do echo "    - https://$(node_ip "$m"):2379"; done
    echo "pki:"
    echo "  caCert: $PKI/ca.pem"
    echo "  caKey: $PKI/ca-key.pem"
  } > "$PROFILE.tmp"
  mv "$PROFILE.tmp" "$PROFILE"
}

# The lab's etcd off every running node: what a stacked install by the tool starts from.
etcd_off() {
  local m
  for m in $(known_nodes); do
    nspawn_pid "$m" >/dev/null || continue
    node_ssh "$m" 'systemctl disable --now etcd 2>/dev/null; rm -rf /var/lib/etcd /etc/etcd /etc/systemd/system/etcd.service; systemctl daemon-reload' || true
  done
  log "etcd: taken off the nodes (lab.sh etcd brings it back, empty)"
}

# ---------------------------------------------------------------- commands

# The body of `up`, run as its own process so that `set -e` holds throughout and the
# caller can clean up when it fails.
up_body() {
  local n=$1 m pids=() names=() i fail=0 start=$SECONDS
  [ -f "$ROOTFS/.complete" ] || { log "building the lab rootfs (cached afterwards) ..."; "$here/lab-rootfs.sh" >&2; }
  ensure_packages "$ROOTFS"
  mkdir -p "$STATE/nodes" "$STATE/logs"
  ensure_key
  ensure_bridge
  # Every node's systemd takes inotify instances from root's budget (128 by default):
  # past ~15 nodes PID 1 dies with "Failed to allocate manager object: Too many open files".
  [ "$(sysctl -n fs.inotify.max_user_instances)" -ge 2048 ] || sysctl -qw fs.inotify.max_user_instances=2048
  [ "$(sysctl -n fs.inotify.max_user_watches)" -ge 1048576 ] || sysctl -qw fs.inotify.max_user_watches=1048576
  # Nodes beyond N, from an earlier `up` with a larger N, go.
  for m in $(known_nodes); do
    [ "${m#lab-m}" -le "$n" ] || { log "$m: not wanted (N=$n), removing"; destroy_node "$m"; }
  done
  echo "$n" > "$STATE/size"
  # A node that is running and answers is kept; one that is stopped (stop-node, a host
  # reboot) or hung is booted again with its disk, so etcd keeps its data; one without a
  # complete disk is rebuilt from scratch.
  local restart=() rebuild=()
  for m in $(wanted_nodes "$n"); do
    if node_healthy "$m"; then continue; fi
    if [ -f "$(node_root "$m")/etc/ssh/ssh_host_ed25519_key" ]; then
      nspawn_pid "$m" >/dev/null && { log "$m: running but not answering; restarting it"; stop_container "$m"; }
      restart+=("$m")
    else
      rebuild+=("$m")
    fi
  done
  names=("${restart[@]}" "${rebuild[@]}")
  for m in "${restart[@]}"; do ensure_netns "$m"; done
  for m in "${rebuild[@]}"; do
    ( destroy_node "$m"; mkdir -p "$(node_dir "$m")"; prepare_rootfs "$m" "$n"; ensure_netns "$m" ) &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do wait "${pids[$i]}" || { log "${rebuild[$i]}: preparing failed"; fail=1; }; done
  ((fail == 0)) || die "preparing nodes failed"
  ((${#rebuild[@]} == 0)) || log "prepared ${rebuild[*]} (rootfs copy, host keys, netns) in $((SECONDS - start)) s"
  write_known_hosts
  for m in "${names[@]}"; do boot_node "$m"; done
  pids=()
  for m in "${names[@]}"; do wait_node "$m" & pids+=($!); done
  for i in "${!pids[@]}"; do wait "${pids[$i]}" || fail=1; done
  ((fail == 0)) || die "nodes did not boot"
  ((${#names[@]} == 0)) || log "booted ${names[*]} in $((SECONDS - start)) s${restart[*]:+ (${restart[*]} with their disks)}"
  for m in $(wanted_nodes "$n"); do write_hosts "$(node_root "$m")" "$n"; ensure_packages "$(node_root "$m")"; ensure_netns "$m"; done
  local etcd_start=$SECONDS
  ensure_etcd "$(etcd_size "$n")"
  log "etcd ensured in $((SECONDS - etcd_start)) s"
  write_profile "$n"
  log "lab up: $n nodes ($(for m in $(wanted_nodes "$n"); do printf '%s=%s ' "$m" "$(node_ip "$m")"; done)) in $((SECONDS - start)) s; profile $PROFILE"
}

cmd_up() {
  local n=${1:-3}
  [[ "$n" =~ ^[0-9]+$ ]] && ((n >= 1 && n <= 89)) || die "usage: lab.sh up [N]  (N = 1..89 nodes)"
  if ! "$0" __up "$n"; then
    if [ "${LAB_KEEP:-}" = 1 ]; then
      die "lab up failed; left as it is (LAB_KEEP=1) — logs in $STATE/logs"
    fi
    log "lab up failed; tearing the lab down again (logs stay in $STATE/logs; LAB_KEEP=1 keeps the nodes)"
    cmd_down >/dev/null 2>&1 || true
    exit 1
  fi
}

cmd_down() {
  local m
  for m in $(known_nodes); do destroy_node "$m" & done
  wait
  # Stray veths of lab nodes (netns deleted elsewhere) and the bridge.
  for m in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E '^vlab-m[0-9]+$' || true); do
    ip link del "$m" >/dev/null 2>&1 || true
  done
  ip link del "$BRIDGE" >/dev/null 2>&1 || true
  rm -rf "$STATE/nodes" "$STATE/size" "$KNOWN_HOSTS" "$STATE/ssh_config" "$PROFILE"
  if [ "${1:-}" = --purge ]; then rm -rf "$STATE"; fi
  log "lab down"
}

cmd_status() {
  local n m pid s e
  n=$(lab_size)
  printf '%-8s %-13s %-9s %-10s %-8s\n' NODE IP CONTAINER SYSTEM ETCD
  for m in $( (known_nodes; wanted_nodes "$n") | sort -u -V); do
    if pid=$(nspawn_pid "$m"); then
      s=$(node_ssh "$m" systemctl is-system-running 2>/dev/null || true); s=${s:-unreachable}
      e=$(node_ssh "$m" systemctl is-active etcd 2>/dev/null || true); e=${e:-?}
      printf '%-8s %-13s %-9s %-10s %-8s\n' "$m" "$(node_ip "$m")" "pid $pid" "$s" "$e"
    else
      printf '%-8s %-13s %-9s %-10s %-8s\n' "$m" "$(node_ip "$m")" stopped - -
    fi
  done
  if [ -x "$ETCD_DIR/etcdctl" ] && [ -f "$PKI/etcd-client.pem" ] && ((n > 0)); then
    echo; host_etcdctl endpoint health 2>&1 || true
  fi
}

cmd_stop_node() {
  local m=${1:?usage: lab.sh stop-node lab-mN}
  valid_name "$m" && [ -d "$(node_dir "$m")" ] || die "no lab node $m"
  stop_container "$m"
  # Like a powered-off server: nothing answers at its address (no RST, ARP goes unanswered).
  ip link set "v$m" down >/dev/null 2>&1 || true
  log "$m: stopped ($(node_ip "$m") does not answer until start-node $m)"
}

cmd_start_node() {
  local m=${1:?usage: lab.sh start-node lab-mN} start=$SECONDS
  valid_name "$m" && [ -d "$(node_root "$m")" ] || die "no lab node $m (lab.sh up creates nodes)"
  if nspawn_pid "$m" >/dev/null; then log "$m: already running"; return 0; fi
  ensure_bridge
  ensure_netns "$m"
  boot_node "$m"
  wait_node "$m" || die "$m did not boot"
  log "$m: up in $((SECONDS - start)) s"
}

[ "$(id -u)" = 0 ] || die "the lab needs root (network namespaces, systemd-nspawn)"
mkdir -p "$STATE"
cmd=${1:-}
shift || true
case "$cmd" in
  __up) exec 9> "$STATE/.lock"; flock 9; up_body "$@" ;;
  up) cmd_up "$@" ;;
  down) exec 9> "$STATE/.lock"; flock 9; cmd_down "$@" ;;
  status) cmd_status ;;
  stop-node) exec 9> "$STATE/.lock"; flock 9; cmd_stop_node "$@" ;;
  start-node) exec 9> "$STATE/.lock"; flock 9; cmd_start_node "$@" ;;
  etcd-off) exec 9> "$STATE/.lock"; flock 9; etcd_off ;;
  etcd) exec 9> "$STATE/.lock"; flock 9; ensure_etcd "$(etcd_size "$(lab_size)")" "$([ "${1:-}" = --reset ] && echo 1 || echo 0)"; write_profile "$(lab_size)" ;;
  profile) [ -f "$PROFILE" ] || write_profile "$(lab_size)"; cat "$PROFILE" ;;
  ssh) m=${1:?usage: lab.sh ssh lab-mN [CMD...]}; shift; [ $# -gt 0 ] && exec ssh $(ssh_opts) "root@$(node_ip "$m")" "$@"; exec ssh -t $(ssh_opts) -o BatchMode=no "root@$(node_ip "$m")" ;;
  etcdctl) host_etcdctl "$@" ;;
  env)
    cat <<EOF
LAB_STATE=$STATE
LAB_KEY=$KEY
LAB_KNOWN_HOSTS=$KNOWN_HOSTS
LAB_SSH_CONFIG=$STATE/ssh_config
LAB_PROFILE=$PROFILE
LAB_PKI=$PKI
LAB_ETCD_VERSION=$ETCD_VERSION
LAB_ETCDCTL=$ETCD_DIR/etcdctl
LAB_ETCD_BINARIES=$ETCD_DIR
LAB_K8S_BINARIES=$K8S_DIR
LAB_NODES="$(for m in $(wanted_nodes "$(lab_size)"); do printf '%s=%s ' "$m" "$(node_ip "$m")"; done)"
EOF
    ;;
  *) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; [ -z "$cmd" ] || [ "$cmd" = help ] || [ "$cmd" = -h ] || exit 2 ;;
esac
