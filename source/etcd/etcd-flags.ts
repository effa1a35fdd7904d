// The command-line flags of a stacked etcd member, per etcd minor, as data with the reason
// beside each (the shape of render/flags.ts). Start: kubeadm's static-pod etcd
// (cmd/kubeadm/app/phases/etcd/local.go), with systemd instead of a pod.
import type {ProfileNode, StackedEtcd} from '../profile/schema.js';
import type {TargetPaths} from '../render/paths.js';
import {ETCD_METRICS_PORT, etcdMember, initialClusterFlag, type EtcdMember} from './members.js';

/** The etcd minors a member can run (supported-etcd.ts decides which one a profile may use). */
export type EtcdMinor = '3.5' | '3.6' | '3.7';
const ETCD_MINORS: readonly EtcdMinor[] = ['3.5', '3.6', '3.7'];

export interface EtcdFlagContext {
	etcd: StackedEtcd;
	/** The cluster's token (the profile name): a member started with another cluster's peers refuses them. */
	clusterToken: string;
	node: ProfileNode;
	paths: TargetPaths;
	/**
	 * The members --initial-cluster lists: every master's for a new cluster; for a member
	 * added later, the cluster's members after `etcdctl member add` (this one included).
	 */
	initialMembers: readonly EtcdMember[];
	/** `new` for the first start of a new cluster, `existing` for a member joining a running one. */
	clusterState: 'new' | 'existing';
	etcdMinor: EtcdMinor;
}

interface EtcdFlagRule {
	/** Without the leading "--". */
	name: string;
	value: (c: EtcdFlagContext) => string;
	/** First etcd minor that gets this flag (inclusive). */
	since?: EtcdMinor;
	/** First etcd minor that no longer gets it (exclusive). */
	until?: EtcdMinor;
}

const fixed = (value: string) => () => value;
const own = (c: EtcdFlagContext) => etcdMember(c.node);

export const ETCD_FLAGS: readonly EtcdFlagRule[] = [
	// The member's name is the node's: --initial-cluster and `etcdctl member list` say which master it is.
	{name: 'name', value: (c) => c.node.name},
	{name: 'data-dir', value: (c) => c.etcd.dataDir},
	// The node IP for the other masters' apiservers and the tool, loopback for a client on the node.
	{name: 'listen-client-urls', value: (c) => `${own(c).clientUrl},https://127.0.0.1:2379`},
	{name: 'advertise-client-urls', value: (c) => own(c).clientUrl},
	{name: 'listen-peer-urls', value: (c) => own(c).peerUrl},
	{name: 'initial-advertise-peer-urls', value: (c) => own(c).peerUrl},
	// Read only on the member's first start (an empty data directory); ignored ever after.
	{name: 'initial-cluster', value: (c) => initialClusterFlag(c.initialMembers)},
	{name: 'initial-cluster-state', value: (c) => c.clusterState},
	// etcd's default token is the same for every cluster ("etcd-cluster"): members of two
	// clusters bootstrapped on one network could join each other.
	{name: 'initial-cluster-token', value: (c) => c.clusterToken},
	// Clients and peers must present a certificate the etcd CA signed (the only way in: no etcd auth).
	{name: 'client-cert-auth', value: fixed('true')},
	{name: 'cert-file', value: (c) => c.paths.etcd.server},
	{name: 'key-file', value: (c) => c.paths.etcd.serverKey},
	{name: 'trusted-ca-file', value: (c) => c.paths.etcd.ca},
	{name: 'peer-client-cert-auth', value: fixed('true')},
	{name: 'peer-cert-file', value: (c) => c.paths.etcd.peer},
	{name: 'peer-key-file', value: (c) => c.paths.etcd.peerKey},
	{name: 'peer-trusted-ca-file', value: (c) => c.paths.etcd.ca},
	// The apiserver compacts every 5 minutes itself; this is a safety net (schema.ts STACKED_ETCD_DEFAULTS).
	{name: 'auto-compaction-mode', value: fixed('periodic')},
	{name: 'auto-compaction-retention', value: (c) => c.etcd.autoCompactionRetention},
	// etcd's default is 2 GiB; etcd.quotaBackendBytes (at most 8 GiB, etcd's recommended maximum).
	{name: 'quota-backend-bytes', value: (c) => String(c.etcd.quotaBackendBytes)},
	// /health and /metrics over plain HTTP on loopback only (kubeadm's 2381): the local probe
	// needs no client certificate, and nothing off the node reaches it.
	{name: 'listen-metrics-urls', value: fixed(`http://127.0.0.1:${ETCD_METRICS_PORT}`)},
	// kubeadm's: a member checks its data against its peers before it serves (a corrupt member
	// stays out instead of serving wrong data). Renamed to a feature gate in 3.6; the old
	// experimental-* names are gone in 3.7 (etcd.io/docs/v3.7/feature-gates).
	{name: 'experimental-initial-corrupt-check', value: fixed('true'), until: '3.6'},
	{name: 'feature-gates', value: fixed('InitialCorruptCheck=true'), since: '3.6'},
	// kubeadm's: progress notifications every 5 s let the apiserver's watch cache serve
	// consistent reads (ConsistentListFromCache, on by default since 1.31). Renamed in 3.6.
	{name: 'experimental-watch-progress-notify-interval', value: fixed('5s'), until: '3.6'},
	{name: 'watch-progress-notify-interval', value: fixed('5s'), since: '3.6'},
	// --snapshot-count is left at etcd's default (10000 since 3.6, 100000 before): no reason to differ.
];

const minorIndex = (v: EtcdMinor) => ETCD_MINORS.indexOf(v);

/** The member's flags for its etcd minor, in table order. */
export function etcdFlags(context: EtcdFlagContext): Array<[name: string, value: string]> {
	const minor = minorIndex(context.etcdMinor);
	return ETCD_FLAGS.filter((r) => (r.since === undefined || minor >= minorIndex(r.since)) && (r.until === undefined || minor < minorIndex(r.until))).map((r) => [r.name, r.value(context)]);
}
