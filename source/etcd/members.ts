// The members of a stacked etcd (etcd.mode: stacked): one per master, named after the node,
// on the node's own IP, with clients on 2379 and peers on 2380 (etcd's registered ports),
// and the URLs every other part derives from them: the apiserver's --etcd-servers, the
// unit's --initial-cluster, the tool's own client (health, member add/remove, snapshots).
import type {Profile, ProfileNode} from '../profile/schema.js';

export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;
/** The member's plain-HTTP /health and /metrics listener, on loopback only (kubeadm's port). */
export const ETCD_METRICS_PORT = 2381;

export interface EtcdMember {
	/** The node name: etcd's --name and the key of --initial-cluster. */
	name: string;
	ip: string;
	clientUrl: string;
	peerUrl: string;
}

export function etcdMember(node: Pick<ProfileNode, 'name' | 'ip'>): EtcdMember {
	return {name: node.name, ip: node.ip, clientUrl: `https://${node.ip}:${ETCD_CLIENT_PORT}`, peerUrl: `https://${node.ip}:${ETCD_PEER_PORT}`};
}

/** Every master's member, in the profile's node order. */
export function stackedMembers(nodes: readonly Pick<ProfileNode, 'name' | 'ip'>[]): EtcdMember[] {
	return nodes.map(etcdMember);
}

/** The client URLs of the cluster's etcd: etcd.endpoints when external, every master's member when stacked. */
export function etcdClientUrls(profile: Pick<Profile, 'etcd' | 'nodes'>): string[] {
	return profile.etcd.mode === 'stacked' ? stackedMembers(profile.nodes).map((m) => m.clientUrl) : profile.etcd.endpoints;
}

/** etcd's --initial-cluster: `name=peerURL` of every member, comma-separated. */
export function initialClusterFlag(members: readonly EtcdMember[]): string {
	return members.map((m) => `${m.name}=${m.peerUrl}`).join(',');
}
