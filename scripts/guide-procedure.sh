#!/usr/bin/env bash
# The guide's own procedure ("deploy the master nodes", ../shared/seed/), as a script, for the
# lab benchmark: cfssl for every certificate, kubectl config for the kubeconfigs, sed per node,
# and one scp/ssh after another for every file and every node. Only what current Kubernetes
# forces is changed, so the services start: the removed flags are dropped, the service-account
# flags added, the scheduler config is kubescheduler.config.k8s.io/v1, audit is audit.k8s.io/v1,
# the encryption config is EncryptionConfiguration. The encryption key is made once per work
# dir (the guide's environment.sh makes a new one each time it is sourced).
#
# Needs: NODE_NAMES, NODE_IPS (space-separated), ETCD_ENDPOINTS (comma-separated https URLs),
# CA_DIR (ca.pem, ca-key.pem), BIN_DIR (the four binaries), SSH_KEY, KNOWN_HOSTS, WORK_DIR.
# Not as in the guide: it copies nine binaries (also kubelet, kube-proxy, kubeadm,
# apiextensions-apiserver, mounter); the lab builds the four that masters run.
set -euo pipefail
read -r -a NODE_NAMES <<< "${NODE_NAMES:?}"
read -r -a NODE_IPS <<< "${NODE_IPS:?}"
: "${ETCD_ENDPOINTS:?}" "${CA_DIR:?}" "${BIN_DIR:?}" "${SSH_KEY:?}" "${KNOWN_HOSTS:?}" "${WORK_DIR:?}"
SERVICE_CIDR=10.254.0.0/16
CLUSTER_KUBERNETES_SVC_IP=10.254.0.1
NODE_PORT_RANGE=30000-32767
K8S_DIR=/data/k8s/k8s
opts=(-i "$SSH_KEY" -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile="$KNOWN_HOSTS" -o StrictHostKeyChecking=yes -o LogLevel=ERROR)
ssh() { command ssh "${opts[@]}" "$@"; }
scp() { command scp -q "${opts[@]}" "$@"; }

mkdir -p "$WORK_DIR"
cd "$WORK_DIR"
cp "$CA_DIR/ca.pem" "$CA_DIR/ca-key.pem" .
cat > ca-config.json <<EOF
{"signing":{"default":{"expiry":"87600h"},"profiles":{"kubernetes":{"usages":["signing","key encipherment","server auth","client auth"],"expiry":"87600h"}}}}
EOF
[ -f encryption-key ] || head -c 32 /dev/urandom | base64 > encryption-key
ENCRYPTION_KEY=$(cat encryption-key)

# The previous chapters' result: CA on every node, directories.
for node_ip in "${NODE_IPS[@]}"; do
  echo ">>> ${node_ip}"
  ssh root@"${node_ip}" "mkdir -p /opt/k8s/bin /etc/kubernetes/cert"
  scp ca.pem ca-key.pem ca-config.json root@"${node_ip}":/etc/kubernetes/cert/
done

# The kubectl chapter's result, for the guide's own checks below: an admin certificate
# (O=system:masters) and its kubeconfig (in the work dir, not ~/.kube/config).
cat > admin-csr.json <<EOF
{"CN":"admin","hosts":[],"key":{"algo":"rsa","size":2048},"names":[{"C":"CN","ST":"BeiJing","L":"BeiJing","O":"system:masters","OU":"opsnull"}]}
EOF
cfssl gencert -ca=ca.pem -ca-key=ca-key.pem -config=ca-config.json -profile=kubernetes admin-csr.json 2>/dev/null | cfssljson -bare admin
kubectl config set-cluster kubernetes --certificate-authority=ca.pem --embed-certs=true --server="https://${NODE_IPS[0]}:6443" --kubeconfig=admin.kubeconfig >/dev/null
kubectl config set-credentials admin --client-certificate=admin.pem --client-key=admin-key.pem --embed-certs=true --kubeconfig=admin.kubeconfig >/dev/null
kubectl config set-context kubernetes --cluster=kubernetes --user=admin --kubeconfig=admin.kubeconfig >/dev/null
kubectl config use-context kubernetes --kubeconfig=admin.kubeconfig >/dev/null
export KUBECONFIG="$WORK_DIR/admin.kubeconfig"
# The guide's checks are run the way a reader runs them: again, once a second, until they
# show what the guide shows. The time spent in them is reported on a line of its own.
check_ms=0
check() { # command...: until it succeeds
  local t0; t0=$(date +%s%N)
  until "$@" >/dev/null 2>&1; do sleep 1; done
  check_ms=$(( check_ms + ($(date +%s%N) - t0) / 1000000 ))
}
lease_held() { [ -n "$(kubectl -n kube-system get lease "$1" -o jsonpath='{.spec.holderIdentity}' 2>/dev/null)" ]; }

# A re-run as written fails here: scp cannot overwrite a binary that is running ("dest open
# ... Failure", ETXTBSY). Someone re-running the guide has to stop the services first.
if [ "${STOP_SERVICES_FIRST:-0}" = 1 ]; then
  for node_ip in "${NODE_IPS[@]}"; do
    echo ">>> ${node_ip}"
    ssh root@"${node_ip}" "systemctl stop kube-apiserver kube-controller-manager kube-scheduler || true"
  done
fi

# 1. Binaries.
for node_ip in "${NODE_IPS[@]}"; do
  echo ">>> ${node_ip}"
  scp "$BIN_DIR"/{kube-apiserver,kube-controller-manager,kube-scheduler,kubectl} root@"${node_ip}":/opt/k8s/bin/
  ssh root@"${node_ip}" "chmod +x /opt/k8s/bin/*"
done

# 2. kube-apiserver: certificate, encryption config, audit policy, proxy-client, unit.
hosts=$(printf '"%s",' 127.0.0.1 "${NODE_IPS[@]}" "$CLUSTER_KUBERNETES_SVC_IP" kubernetes kubernetes.default kubernetes.default.svc kubernetes.default.svc.cluster kubernetes.default.svc.cluster.local)
cat > kubernetes-csr.json <<EOF
{"CN":"kubernetes-master","hosts":[${hosts%,}],"key":{"algo":"rsa","size":2048},"names":[{"C":"CN","ST":"BeiJing","L":"BeiJing","O":"k8s","OU":"opsnull"}]}
EOF
cfssl gencert -ca=ca.pem -ca-key=ca-key.pem -config=ca-config.json -profile=kubernetes kubernetes-csr.json 2>/dev/null | cfssljson -bare kubernetes
for node_ip in "${NODE_IPS[@]}"; do
  echo ">>> ${node_ip}"
  scp kubernetes*.pem root@"${node_ip}":/etc/kubernetes/cert/
done
cat > encryption-config.yaml <<EOF
kind: EncryptionConfiguration
apiVersion: apiserver.config.k8s.io/v1
resources:
  - resources:
      - secrets
    providers:
      - aescbc:
          keys:
            - name: key1
              secret: ${ENCRYPTION_KEY}
      - identity: {}
EOF
for node_ip in "${NODE_IPS[@]}"; do
  echo ">>> ${node_ip}"
  scp encryption-config.yaml root@"${node_ip}":/etc/kubernetes/
done
cat > audit-policy.yaml <<EOF
apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: None
    nonResourceURLs: ['/healthz*', /version, '/swagger*']
  - level: None
    resources: [{group: "", resources: [events]}]
  - level: Metadata
    omitStages: [RequestReceived]
    resources: [{group: "", resources: [secrets, configmaps]}, {group: authentication.k8s.io, resources: [tokenreviews]}]
  - level: Metadata
    omitStages: [RequestReceived]
EOF
for node_ip in "${NODE_IPS[@]}"; do
  echo ">>> ${node_ip}"
  scp audit-policy.yaml root@"${node_ip}":/etc/kubernetes/audit-policy.yaml
done
cat > proxy-client-csr.json <<EOF
{"CN":"aggregator","hosts":[],"key":{"algo":"rsa","size":2048},"names":[{"C":"CN","ST":"BeiJing","L":"BeiJing","O":"k8s","OU":"opsnull"}]}
EOF
cfssl gencert -ca=ca.pem -ca-key=ca-key.pem -config=ca-config.json -profile=kubernetes proxy-client-csr.json 2>/dev/null | cfssljson -bare proxy-client
for node_ip in "${NODE_IPS[@]}"; do
  echo ">>> ${node_ip}"
  scp proxy-client*.pem root@"${node_ip}":/etc/kubernetes/cert/
done
cat > kube-apiserver.service.template <<EOF
[Unit]
Description=Kubernetes API Server
After=network.target
[Service]
WorkingDirectory=${K8S_DIR}/kube-apiserver
ExecStart=/opt/k8s/bin/kube-apiserver --advertise-address=##NODE_IP## --default-not-ready-toleration-seconds=360 --default-unreachable-toleration-seconds=360 --max-mutating-requests-inflight=2000 --max-requests-inflight=4000 --delete-collection-workers=2 --encryption-provider-config=/etc/kubernetes/encryption-config.yaml --etcd-cafile=/etc/kubernetes/cert/ca.pem --etcd-certfile=/etc/kubernetes/cert/kubernetes.pem --etcd-keyfile=/etc/kubernetes/cert/kubernetes-key.pem --etcd-servers=${ETCD_ENDPOINTS} --bind-address=##NODE_IP## --secure-port=6443 --tls-cert-file=/etc/kubernetes/cert/kubernetes.pem --tls-private-key-file=/etc/kubernetes/cert/kubernetes-key.pem --audit-log-maxage=15 --audit-log-maxbackup=3 --audit-log-maxsize=100 --audit-log-truncate-enabled --audit-log-path=${K8S_DIR}/kube-apiserver/audit.log --audit-policy-file=/etc/kubernetes/audit-policy.yaml --profiling --anonymous-auth=false --client-ca-file=/etc/kubernetes/cert/ca.pem --enable-bootstrap-token-auth --requestheader-allowed-names=aggregator --requestheader-client-ca-file=/etc/kubernetes/cert/ca.pem --requestheader-extra-headers-prefix=X-Remote-Extra- --requestheader-group-headers=X-Remote-Group --requestheader-username-headers=X-Remote-User --service-account-key-file=/etc/kubernetes/cert/ca.pem --service-account-signing-key-file=/etc/kubernetes/cert/ca-key.pem --service-account-issuer=https://kubernetes.default.svc.cluster.local --authorization-mode=Node,RBAC --runtime-config=api/all=true --enable-admission-plugins=NodeRestriction --allow-privileged=true --event-ttl=168h --kubelet-certificate-authority=/etc/kubernetes/cert/ca.pem --kubelet-client-certificate=/etc/kubernetes/cert/kubernetes.pem --kubelet-client-key=/etc/kubernetes/cert/kubernetes-key.pem --kubelet-timeout=10s --proxy-client-cert-file=/etc/kubernetes/cert/proxy-client.pem --proxy-client-key-file=/etc/kubernetes/cert/proxy-client-key.pem --service-cluster-ip-range=${SERVICE_CIDR} --service-node-port-range=${NODE_PORT_RANGE} --v=2
Restart=on-failure
RestartSec=10
Type=notify
LimitNOFILE=65536
[Install]
WantedBy=multi-user.target
EOF
for (( i=0; i < ${#NODE_IPS[@]}; i++ )); do
  sed -e "s/##NODE_NAME##/${NODE_NAMES[i]}/" -e "s/##NODE_IP##/${NODE_IPS[i]}/g" kube-apiserver.service.template > kube-apiserver-${NODE_IPS[i]}.service
done
for node_ip in "${NODE_IPS[@]}"; do
  echo ">>> ${node_ip}"
  scp kube-apiserver-${node_ip}.service root@"${node_ip}":/etc/systemd/system/kube-apiserver.service
done
for node_ip in "${NODE_IPS[@]}"; do
  echo ">>> ${node_ip}"
  ssh root@"${node_ip}" "mkdir -p ${K8S_DIR}/kube-apiserver"
  ssh root@"${node_ip}" "systemctl daemon-reload && systemctl enable kube-apiserver && systemctl restart kube-apiserver"
done
for node_ip in "${NODE_IPS[@]}"; do
  echo ">>> ${node_ip}"
  ssh root@"${node_ip}" "systemctl status kube-apiserver | grep 'Active:'"
done
# The guide's checks of the apiservers.
check kubectl cluster-info
check kubectl get all --all-namespaces
check kubectl get componentstatuses

# 3. and 4. kube-controller-manager and kube-scheduler: certificate, kubeconfig (4 x kubectl
# config), sed per node, unit, start.
kubeconfig() { # name user
  local name=$1 user=$2
  kubectl config set-cluster kubernetes --certificate-authority=ca.pem --embed-certs=true --server="https://##NODE_IP##:6443" --kubeconfig=$name.kubeconfig >/dev/null
  kubectl config set-credentials $user --client-certificate=$name.pem --client-key=$name-key.pem --embed-certs=true --kubeconfig=$name.kubeconfig >/dev/null
  kubectl config set-context $user --cluster=kubernetes --user=$user --kubeconfig=$name.kubeconfig >/dev/null
  kubectl config use-context $user --kubeconfig=$name.kubeconfig >/dev/null
}
hosts=$(printf '"%s",' 127.0.0.1 "${NODE_IPS[@]}")
for component in kube-controller-manager kube-scheduler; do
  cat > $component-csr.json <<EOF
{"CN":"system:$component","hosts":[${hosts%,}],"key":{"algo":"rsa","size":2048},"names":[{"C":"CN","ST":"BeiJing","L":"BeiJing","O":"system:$component","OU":"opsnull"}]}
EOF
  cfssl gencert -ca=ca.pem -ca-key=ca-key.pem -config=ca-config.json -profile=kubernetes $component-csr.json 2>/dev/null | cfssljson -bare $component
  for node_ip in "${NODE_IPS[@]}"; do
    echo ">>> ${node_ip}"
    scp $component*.pem root@"${node_ip}":/etc/kubernetes/cert/
  done
  kubeconfig $component system:$component
  for node_ip in "${NODE_IPS[@]}"; do
    echo ">>> ${node_ip}"
    sed -e "s/##NODE_IP##/${node_ip}/" $component.kubeconfig > $component-${node_ip}.kubeconfig
    scp $component-${node_ip}.kubeconfig root@"${node_ip}":/etc/kubernetes/$component.kubeconfig
  done
done
cat > kube-scheduler.yaml <<EOF
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection:
  burst: 200
  kubeconfig: "/etc/kubernetes/kube-scheduler.kubeconfig"
  qps: 100
enableContentionProfiling: false
enableProfiling: true
leaderElection:
  leaderElect: true
EOF
for node_ip in "${NODE_IPS[@]}"; do
  echo ">>> ${node_ip}"
  scp kube-scheduler.yaml root@"${node_ip}":/etc/kubernetes/kube-scheduler.yaml
done
cat > kube-controller-manager.service.template <<EOF
[Unit]
Description=Kubernetes Controller Manager
[Service]
WorkingDirectory=${K8S_DIR}/kube-controller-manager
ExecStart=/opt/k8s/bin/kube-controller-manager --profiling --cluster-name=kubernetes --controllers=*,bootstrapsigner,tokencleaner --kube-api-qps=1000 --kube-api-burst=2000 --leader-elect --use-service-account-credentials --bind-address=##NODE_IP## --tls-cert-file=/etc/kubernetes/cert/kube-controller-manager.pem --tls-private-key-file=/etc/kubernetes/cert/kube-controller-manager-key.pem --authentication-kubeconfig=/etc/kubernetes/kube-controller-manager.kubeconfig --client-ca-file=/etc/kubernetes/cert/ca.pem --requestheader-allowed-names=aggregator --requestheader-client-ca-file=/etc/kubernetes/cert/ca.pem --requestheader-extra-headers-prefix=X-Remote-Extra- --requestheader-group-headers=X-Remote-Group --requestheader-username-headers=X-Remote-User --authorization-kubeconfig=/etc/kubernetes/kube-controller-manager.kubeconfig --cluster-signing-cert-file=/etc/kubernetes/cert/ca.pem --cluster-signing-key-file=/etc/kubernetes/cert/ca-key.pem --cluster-signing-duration=876000h --horizontal-pod-autoscaler-sync-period=10s --concurrent-deployment-syncs=10 --concurrent-gc-syncs=30 --node-cidr-mask-size=24 --service-cluster-ip-range=${SERVICE_CIDR} --terminated-pod-gc-threshold=10000 --root-ca-file=/etc/kubernetes/cert/ca.pem --service-account-private-key-file=/etc/kubernetes/cert/ca-key.pem --kubeconfig=/etc/kubernetes/kube-controller-manager.kubeconfig --v=2
Restart=on-failure
RestartSec=5
[Install]
WantedBy=multi-user.target
EOF
cat > kube-scheduler.service.template <<EOF
[Unit]
Description=Kubernetes Scheduler
[Service]
WorkingDirectory=${K8S_DIR}/kube-scheduler
ExecStart=/opt/k8s/bin/kube-scheduler --config=/etc/kubernetes/kube-scheduler.yaml --bind-address=##NODE_IP## --tls-cert-file=/etc/kubernetes/cert/kube-scheduler.pem --tls-private-key-file=/etc/kubernetes/cert/kube-scheduler-key.pem --authentication-kubeconfig=/etc/kubernetes/kube-scheduler.kubeconfig --client-ca-file=/etc/kubernetes/cert/ca.pem --requestheader-client-ca-file=/etc/kubernetes/cert/ca.pem --requestheader-extra-headers-prefix=X-Remote-Extra- --requestheader-group-headers=X-Remote-Group --requestheader-username-headers=X-Remote-User --authorization-kubeconfig=/etc/kubernetes/kube-scheduler.kubeconfig --v=2
Restart=always
RestartSec=5
StartLimitInterval=0
[Install]
WantedBy=multi-user.target
EOF
for component in kube-controller-manager kube-scheduler; do
  for (( i=0; i < ${#NODE_IPS[@]}; i++ )); do
    sed -e "s/##NODE_NAME##/${NODE_NAMES[i]}/" -e "s/##NODE_IP##/${NODE_IPS[i]}/g" $component.service.template > $component-${NODE_IPS[i]}.service
  done
  for node_ip in "${NODE_IPS[@]}"; do
    echo ">>> ${node_ip}"
    scp $component-${node_ip}.service root@"${node_ip}":/etc/systemd/system/$component.service
  done
  for node_ip in "${NODE_IPS[@]}"; do
    echo ">>> ${node_ip}"
    ssh root@"${node_ip}" "mkdir -p ${K8S_DIR}/$component"
    ssh root@"${node_ip}" "systemctl daemon-reload && systemctl enable $component && systemctl restart $component"
  done
  for node_ip in "${NODE_IPS[@]}"; do
    echo ">>> ${node_ip}"
    ssh root@"${node_ip}" "systemctl status $component | grep Active"
  done
  # The guide's leader check ("kubectl get endpoints $component -o yaml"): leader election
  # has used a Lease since Kubernetes 1.20, and the Endpoints annotation is gone.
  check lease_held $component
done
echo "guide-check-seconds $(( check_ms / 1000 )).$(printf '%03d' $(( check_ms % 1000 )))"
