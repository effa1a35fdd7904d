import {CONTROL_PLANE} from '../cluster/services.js';
import type {KubernetesMinor, Profile, ProfileNode} from '../profile/schema.js';
import {SUPPORTED_VERSIONS} from '../profile/schema.js';
import type {TargetPaths} from './paths.js';
import {apiserverEtcdEndpoints} from './etcd-endpoints.js';

/**
 * The command-line flags of each control-plane component, per Kubernetes minor, as data.
 * Start from the guide's units (../../../shared/seed/deploy-master-nodes.zh.txt); every
 * difference from the guide or between versions carries its reason next to it.
 * Sources: ../../../shared/reference/k8s-versions.md and k8s-flags/ (tests check every
 * flag here against those lists for 1.31/1.35/1.36).
 */
export type Component = 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler';

export interface FlagContext {
	profile: Profile;
	node: ProfileNode;
	paths: TargetPaths;
}

interface FlagRule {
	/** Without the leading "--". */
	name: string;
	value: (c: FlagContext) => string | undefined;
	/** First minor that gets this flag (inclusive). */
	since?: KubernetesMinor;
	/** First minor that no longer gets it (exclusive). */
	until?: KubernetesMinor;
}

const fixed = (value: string) => () => value;
const on = fixed('true');

/** Authentication delegation and front-proxy trust, shared by the three components. */
const requestHeader = (allowedNames: string | undefined): FlagRule[] => [
	// Empty (the scheduler's guide value "") is the default: any cert signed by the
	// front-proxy CA; omitted then. Upstream's default too (kubeadm sets it on the apiserver
	// only), and safe since that CA signs nothing but the proxy-client certificate.
	{name: 'requestheader-allowed-names', value: () => allowedNames},
	// The front-proxy CA, not the cluster CA (guide): with the cluster CA, any client
	// certificate it signed with CN aggregator could impersonate any user (pki/ensure.ts).
	{name: 'requestheader-client-ca-file', value: (c) => c.paths.cert.frontProxyCa},
	{name: 'requestheader-extra-headers-prefix', value: fixed('X-Remote-Extra-')},
	{name: 'requestheader-group-headers', value: fixed('X-Remote-Group')},
	{name: 'requestheader-username-headers', value: fixed('X-Remote-User')},
	// New flag (kubernetes#115834, 1.32); the RemoteRequestHeaderUID feature that makes the
	// aggregator send X-Remote-Uid is on by default only from 1.33 (kubernetes#130560).
	{name: 'requestheader-uid-headers', value: fixed('X-Remote-Uid'), since: '1.33'},
];

export const APISERVER_FLAGS: readonly FlagRule[] = [
	{name: 'advertise-address', value: (c) => c.node.ip},
	{name: 'default-not-ready-toleration-seconds', value: fixed('360')},
	{name: 'default-unreachable-toleration-seconds', value: fixed('360')},
	// Guide: --feature-gates=DynamicAuditing=true. Gate removed in 1.19; an unknown gate is fatal.
	{name: 'max-mutating-requests-inflight', value: fixed('2000')},
	{name: 'max-requests-inflight', value: fixed('4000')},
	// Guide: --default-watch-cache-size=200. Deprecated, hidden and without effect: dropped.
	{name: 'delete-collection-workers', value: fixed('2')},
	// Not in the guide. Without it, a stopping apiserver neither drains nor closes the watches
	// of its own node's controller-manager and scheduler, and its HTTP server waits out a 60 s
	// timeout (kubernetes#131052); a leader whose apiserver is gone for more than its renew
	// deadline (10 s) gives up its Lease and exits. With it, the lab measured a stop in 1.3 s
	// instead of 20 s (our TimeoutStopSec) to 60 s, so a rolling restart keeps the leaders.
	{name: 'shutdown-watch-termination-grace-period', value: fixed('5s')},
	{name: 'encryption-provider-config', value: (c) => c.paths.encryptionConfig},
	// Stacked etcd has a CA of its own (pki/etcd-specs.ts); an external one is trusted through
	// etcd.caFile, or the cluster CA (guide).
	{name: 'etcd-cafile', value: (c) => (c.profile.etcd.mode === 'stacked' ? c.paths.etcd.ca : c.profile.etcd.caFile ? c.paths.cert.etcdCa : c.paths.cert.ca)},
	// Stacked: the apiserver-etcd-client certificate (kubeadm's), issued by the etcd CA. External:
	// the apiserver's own cert is its etcd client cert (guide), unless the profile brings one.
	{name: 'etcd-certfile', value: (c) => (c.profile.etcd.mode === 'stacked' ? c.paths.cert.apiserverEtcdClient : c.profile.etcd.certFile ? c.paths.cert.etcdClient : c.paths.cert.apiserver)},
	{name: 'etcd-keyfile', value: (c) => (c.profile.etcd.mode === 'stacked' ? c.paths.cert.apiserverEtcdClientKey : c.profile.etcd.keyFile ? c.paths.cert.etcdClientKey : c.paths.cert.apiserverKey)},
	// The node's own etcd member when it hosts one (etcd.apiserverEndpoints, etcd-endpoints.ts).
	{name: 'etcd-servers', value: (c) => apiserverEtcdEndpoints(c.profile, c.node).join(',')},
	// Not 127.0.0.1: other nodes and the load balancer must reach 6443 (guide).
	{name: 'bind-address', value: (c) => c.node.ip},
	{name: 'secure-port', value: fixed(String(CONTROL_PLANE['kube-apiserver'].port))},
	{name: 'tls-cert-file', value: (c) => c.paths.cert.apiserver},
	{name: 'tls-private-key-file', value: (c) => c.paths.cert.apiserverKey},
	// Guide: --insecure-port=0 (removed 1.24, kubernetes#106859) and --audit-dynamic-configuration
	// (removed 1.19, kubernetes#91502): both now stop the binary. There is no insecure port any more.
	{name: 'audit-log-maxage', value: fixed('15')},
	{name: 'audit-log-maxbackup', value: fixed('3')},
	{name: 'audit-log-maxsize', value: fixed('100')},
	{name: 'audit-log-truncate-enabled', value: on},
	{name: 'audit-log-path', value: (c) => c.paths.auditLog},
	{name: 'audit-policy-file', value: (c) => c.paths.auditPolicy},
	{name: 'profiling', value: on},
	{name: 'anonymous-auth', value: fixed('false')},
	{name: 'client-ca-file', value: (c) => c.paths.cert.ca},
	{name: 'enable-bootstrap-token-auth', value: on},
	...requestHeader('aggregator'),
	// Required since 1.20 (TokenRequest GA). The guide verified tokens with the CA cert and
	// signed them with the CA key; a separate key pair keeps the CA key out of token signing.
	{name: 'service-account-issuer', value: (c) => `https://kubernetes.default.svc.${c.profile.network.clusterDomain}`},
	{name: 'service-account-signing-key-file', value: (c) => c.paths.cert.serviceAccountKey},
	{name: 'service-account-key-file', value: (c) => c.paths.cert.serviceAccountPub},
	{name: 'authorization-mode', value: fixed('Node,RBAC')},
	// Guide: --runtime-config=api/all=true, "to enable every API version, like
	// autoscaling/v2alpha1" (gone since 1.12). On current releases it serves every alpha and
	// every beta version, including the betas that are off by default since 1.24 (KEP-3136),
	// on a production control plane: alpha APIs are unsupported, can change or vanish in any
	// release and strand what is stored through them. Dropped: the release's own set, as
	// kubeadm does. A profile that wants more sets `runtime-config` in extraArgs (checked
	// against the binary like every flag). The lab measured 3 apiservers starting together
	// with it and without: 9.5-13.0 s vs 8.4-9.3 s to ready, 10.8-15.2 vs 9.5-10.8 CPU-s.
	{name: 'enable-admission-plugins', value: fixed('NodeRestriction')},
	{name: 'allow-privileged', value: on},
	// Guide: --apiserver-count=3. Deprecated and hidden: the lease endpoint reconciler (default
	// since 1.11) tracks live apiservers itself, so the count needs no upkeep when nodes change.
	{name: 'event-ttl', value: fixed('168h')},
	{name: 'kubelet-certificate-authority', value: (c) => c.paths.cert.ca},
	{name: 'kubelet-client-certificate', value: (c) => c.paths.cert.apiserver},
	{name: 'kubelet-client-key', value: (c) => c.paths.cert.apiserverKey},
	// Guide: --kubelet-https=true. Removed 1.22 (kubernetes#101178): always HTTPS now.
	{name: 'kubelet-timeout', value: fixed('10s')},
	{name: 'proxy-client-cert-file', value: (c) => c.paths.cert.proxyClient},
	{name: 'proxy-client-key-file', value: (c) => c.paths.cert.proxyClientKey},
	{name: 'service-cluster-ip-range', value: (c) => c.profile.network.serviceCidr},
	{name: 'service-node-port-range', value: (c) => c.profile.network.nodePortRange},
	// Guide: --logtostderr=true. klog's file flags were removed in 1.26 (kubernetes#112120); stderr is the default.
	{name: 'v', value: fixed('2')},
];

export const CONTROLLER_MANAGER_FLAGS: readonly FlagRule[] = [
	{name: 'profiling', value: on},
	{name: 'cluster-name', value: fixed('kubernetes')},
	{name: 'controllers', value: fixed('*,bootstrapsigner,tokencleaner')},
	{name: 'kube-api-qps', value: fixed('1000')},
	{name: 'kube-api-burst', value: fixed('2000')},
	// Leader election through the Lease kube-system/kube-controller-manager.
	{name: 'leader-elect', value: on},
	{name: 'use-service-account-credentials', value: on},
	// Guide: --concurrent-service-syncs=2. A no-op since 1.31 (the service-lb controller left
	// for cloud-controller-manager, KEP-2395) and removed in kubernetes#138002: the real
	// 1.37 binary stops with "unknown flag". Not rendered for any version.
	// Guide: the node IP. The status probes call https://NODE_IP:10257/healthz.
	{name: 'bind-address', value: (c) => c.node.ip},
	// Guide: --port/--address (insecure 10252) removed 1.24; the secure port is the only one.
	{name: 'secure-port', value: fixed(String(CONTROL_PLANE['kube-controller-manager'].port))},
	{name: 'tls-cert-file', value: (c) => c.paths.cert.controllerManager},
	{name: 'tls-private-key-file', value: (c) => c.paths.cert.controllerManagerKey},
	{name: 'authentication-kubeconfig', value: (c) => c.paths.controllerManagerKubeconfig},
	{name: 'client-ca-file', value: (c) => c.paths.cert.ca},
	...requestHeader('aggregator'),
	{name: 'authorization-kubeconfig', value: (c) => c.paths.controllerManagerKubeconfig},
	{name: 'cluster-signing-cert-file', value: (c) => c.paths.cert.ca},
	{name: 'cluster-signing-key-file', value: (c) => c.paths.cert.caKey},
	// Guide: --experimental-cluster-signing-duration, removed 1.25 (kubernetes#108476). The signer
	// caps every certificate at the CA's own expiry.
	{name: 'cluster-signing-duration', value: fixed('876000h')},
	{name: 'horizontal-pod-autoscaler-sync-period', value: fixed('10s')},
	{name: 'concurrent-deployment-syncs', value: fixed('10')},
	{name: 'concurrent-gc-syncs', value: fixed('30')},
	// Kept from the guide; it only takes effect with --allocate-node-cidrs (off, as in the guide:
	// the pod network plugin hands out pod ranges).
	{name: 'node-cidr-mask-size', value: fixed('24')},
	{name: 'service-cluster-ip-range', value: (c) => c.profile.network.serviceCidr},
	// Guide: --pod-eviction-timeout=6m, removed 1.27 (kubernetes#115840); the apiserver's
	// --default-*-toleration-seconds=360 above carry that meaning now.
	{name: 'terminated-pod-gc-threshold', value: fixed('10000')},
	{name: 'root-ca-file', value: (c) => c.paths.cert.ca},
	// The service-account private key (guide: the CA key); pairs with the apiserver's --service-account-key-file.
	{name: 'service-account-private-key-file', value: (c) => c.paths.cert.serviceAccountKey},
	{name: 'kubeconfig', value: (c) => c.paths.controllerManagerKubeconfig},
	{name: 'v', value: fixed('2')},
];

export const SCHEDULER_FLAGS: readonly FlagRule[] = [
	// kubeconfig, QPS/burst and leader election live in the config file (flags are ignored with --config).
	{name: 'config', value: (c) => c.paths.schedulerConfig},
	// The guide left the default (all addresses); the node IP matches the controller-manager and
	// is where the status probes call https://NODE_IP:10259/healthz.
	{name: 'bind-address', value: (c) => c.node.ip},
	// Insecure serving (10251) removed 1.23-1.24 (kubernetes#96345).
	{name: 'secure-port', value: fixed(String(CONTROL_PLANE['kube-scheduler'].port))},
	{name: 'tls-cert-file', value: (c) => c.paths.cert.scheduler},
	{name: 'tls-private-key-file', value: (c) => c.paths.cert.schedulerKey},
	{name: 'authentication-kubeconfig', value: (c) => c.paths.schedulerKubeconfig},
	{name: 'client-ca-file', value: (c) => c.paths.cert.ca},
	...requestHeader(undefined),
	{name: 'authorization-kubeconfig', value: (c) => c.paths.schedulerKubeconfig},
	{name: 'v', value: fixed('2')},
];

const TABLES: Record<Component, readonly FlagRule[]> = {
	'kube-apiserver': APISERVER_FLAGS,
	'kube-controller-manager': CONTROLLER_MANAGER_FLAGS,
	'kube-scheduler': SCHEDULER_FLAGS,
};

// Flags no current release accepts (REMOVED_FLAGS, ...) are the profile's rules, never
// rendered: source/profile/extra-args-rules.ts.

const minorIndex = (v: KubernetesMinor) => SUPPORTED_VERSIONS.indexOf(v);

/**
 * The flags of `component` for the profile's minor on `node`, in table order, with the
 * profile's extraArgs for that component replacing same-named flags or appended after.
 */
export function componentFlags(component: Component, context: FlagContext): Array<[name: string, value: string]> {
	const minor = minorIndex(context.profile.kubernetesVersion);
	const flags = new Map<string, string>();
	for (const rule of TABLES[component]) {
		if (rule.since !== undefined && minor < minorIndex(rule.since)) continue;
		if (rule.until !== undefined && minor >= minorIndex(rule.until)) continue;
		const value = rule.value(context);
		if (value !== undefined) flags.set(rule.name, value);
	}
	for (const [name, value] of Object.entries(extraArgsOf(component, context.profile))) flags.set(name, value);
	return [...flags];
}

export function extraArgsOf(component: Component, profile: Profile): Record<string, string> {
	if (component === 'kube-apiserver') return profile.apiserver.extraArgs;
	if (component === 'kube-controller-manager') return profile.controllerManager.extraArgs;
	return profile.scheduler.extraArgs;
}
