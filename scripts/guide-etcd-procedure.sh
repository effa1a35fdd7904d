#!/usr/bin/env bash
# The guide series' etcd chapter (the one before "deploy the master nodes": a cfssl-signed
# three-member etcd under systemd), as a script, for bench:lab's stacked-etcd row: one etcd
# certificate for every member (cfssl, the cluster CA), one scp/ssh after another for the
# binaries, certificates and a unit made per node with sed, every member started (in the
# background, as the chapter does: a member of a new cluster waits for its peers), then the
# chapter's check, `etcdctl endpoint health` on every member, until it passes.
#
# Needs: NODE_NAMES, NODE_IPS (space-separated), CA_DIR (ca.pem, ca-key.pem), ETCD_BIN_DIR
# (etcd, etcdctl), SSH_KEY, KNOWN_HOSTS, WORK_DIR. Leaves etcd serving on https://IP:2379
# with the cluster CA: scripts/guide-procedure.sh runs against it (ETCD_ENDPOINTS).
set -euo pipefail
read -r -a NODE_NAMES <<< "${NODE_NAMES:?}"
read -r -a NODE_IPS <<< "${NODE_IPS:?}"
: "${CA_DIR:?}" "${ETCD_BIN_DIR:?}" "${SSH_KEY:?}" "${KNOWN_HOSTS:?}" "${WORK_DIR:?}"
ETCD_DATA_DIR=/data/k8s/etcd/data
ETCD_WAL_DIR=/data/k8s/etcd/wal
opts=(-i "$SSH_KEY" -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile="$KNOWN_HOSTS" -o StrictHostKeyChecking=yes -o LogLevel=ERROR)
ssh() { command ssh "${opts[@]}" "$@"; }
scp() { command scp -q "${opts[@]}" "$@"; }
mkdir -p "$WORK_DIR/etcd"
cd "$WORK_DIR/etcd"
cp "$CA_DIR/ca.pem" "$CA_DIR/ca-key.pem" .
cat > ca-config.json <<JSON
{"signing":{"default":{"expiry":"87600h"},"profiles":{"kubernetes":{"usages":["signing","key encipherment","server auth","client auth"],"expiry":"87600h"}}}}
JSON
cluster=""
for i in "${!NODE_NAMES[@]}"; do cluster+="${NODE_NAMES[$i]}=https://${NODE_IPS[$i]}:2380,"; done
cluster=${cluster%,}

# 1. Binaries.
for node_ip in "${NODE_IPS[@]}"; do
  echo ">>> ${node_ip}"
  ssh root@"${node_ip}" "mkdir -p /opt/k8s/bin"
  scp "$ETCD_BIN_DIR"/etcd "$ETCD_BIN_DIR"/etcdctl root@"${node_ip}":/opt/k8s/bin/
  ssh root@"${node_ip}" "chmod +x /opt/k8s/bin/*"
done

# 2. The etcd certificate (one for every member, every member's address in it).
hosts=$(printf '"%s",' 127.0.0.1 "${NODE_IPS[@]}")
cat > etcd-csr.json <<JSON
{"CN":"etcd","hosts":[${hosts%,}],"key":{"algo":"rsa","size":2048},"names":[{"C":"CN","ST":"BeiJing","L":"BeiJing","O":"k8s","OU":"opsnull"}]}
JSON
cfssl gencert -ca=ca.pem -ca-key=ca-key.pem -config=ca-config.json -profile=kubernetes etcd-csr.json 2>/dev/null | cfssljson -bare etcd
for node_ip in "${NODE_IPS[@]}"; do
  echo ">>> ${node_ip}"
  ssh root@"${node_ip}" "mkdir -p /etc/etcd/cert"
  scp etcd*.pem ca.pem root@"${node_ip}":/etc/etcd/cert/
done

# 3. The unit, a template filled per node with sed.
cat > etcd.service.template <<UNIT
[Unit]
Description=Etcd Server
After=network.target
After=network-online.target
Wants=network-online.target

[Service]
Type=notify
WorkingDirectory=${ETCD_DATA_DIR}
ExecStart=/opt/k8s/bin/etcd \\
  --data-dir=${ETCD_DATA_DIR} \\
  --wal-dir=${ETCD_WAL_DIR} \\
  --name=##NODE_NAME## \\
  --cert-file=/etc/etcd/cert/etcd.pem \\
  --key-file=/etc/etcd/cert/etcd-key.pem \\
  --trusted-ca-file=/etc/etcd/cert/ca.pem \\
  --peer-cert-file=/etc/etcd/cert/etcd.pem \\
  --peer-key-file=/etc/etcd/cert/etcd-key.pem \\
  --peer-trusted-ca-file=/etc/etcd/cert/ca.pem \\
  --peer-client-cert-auth \\
  --client-cert-auth \\
  --listen-peer-urls=https://##NODE_IP##:2380 \\
  --initial-advertise-peer-urls=https://##NODE_IP##:2380 \\
  --listen-client-urls=https://##NODE_IP##:2379,https://127.0.0.1:2379 \\
  --advertise-client-urls=https://##NODE_IP##:2379 \\
  --initial-cluster-token=etcd-cluster-0 \\
  --initial-cluster=${cluster} \\
  --initial-cluster-state=new \\
  --auto-compaction-mode=periodic \\
  --auto-compaction-retention=1 \\
  --max-request-bytes=33554432 \\
  --quota-backend-bytes=6442450944 \\
  --heartbeat-interval=250 \\
  --election-timeout=2000
Restart=on-failure
RestartSec=5
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target
UNIT
for i in "${!NODE_NAMES[@]}"; do
  sed -e "s/##NODE_NAME##/${NODE_NAMES[$i]}/" -e "s/##NODE_IP##/${NODE_IPS[$i]}/" etcd.service.template > "etcd-${NODE_IPS[$i]}.service"
done
for node_ip in "${NODE_IPS[@]}"; do
  echo ">>> ${node_ip}"
  scp "etcd-${node_ip}.service" root@"${node_ip}":/etc/systemd/system/etcd.service
done

# 4. Start every member (each waits for its peers), then the chapter's check.
for node_ip in "${NODE_IPS[@]}"; do
  echo ">>> ${node_ip}"
  ssh root@"${node_ip}" "mkdir -p ${ETCD_DATA_DIR} ${ETCD_WAL_DIR} && chmod 700 ${ETCD_DATA_DIR} && systemctl daemon-reload && systemctl enable etcd && systemctl restart etcd" &
done
wait
t0=$(date +%s%N)
for node_ip in "${NODE_IPS[@]}"; do
  until ssh root@"${node_ip}" "/opt/k8s/bin/etcdctl --endpoints=https://${node_ip}:2379 --cacert=/etc/etcd/cert/ca.pem --cert=/etc/etcd/cert/etcd.pem --key=/etc/etcd/cert/etcd-key.pem endpoint health" >/dev/null 2>&1; do sleep 1; done
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "guide-etcd-check-seconds $(( ms / 1000 )).$(printf '%03d' $(( ms % 1000 )))"
