// The certificates of a stacked etcd (etcd.mode: stacked), as kubeadm lays them out: a CA of
// its own (CN etcd-ca), never the cluster CA, so a certificate the cluster CA signs (a
// kubelet's, anything the controller-manager's CSR signer issues) can never reach etcd, and
// per node a serving and a peer certificate, plus two clients: the apiserver's and the tool's.
// Pure: derived from the profile alone; ensure.ts issues, keeps and re-issues them like the
// others (a node's pair is re-issued only when its name or IP changes).
import type {Profile, ProfileNode} from '../profile/schema.js';
import type {NamedSpec} from './cert-specs.js';
import type {CertificateSpec} from './x509.js';

/** The etcd CA's state files (`etcd/ca.pem`, `etcd/ca-key.pem`) and subject. Its key stays local. */
export const ETCD_CA = {item: 'etcd CA', stem: 'etcd/ca', commonName: 'etcd-ca'} as const;

/** The apiserver's identity towards etcd (kubeadm's CN). */
export const APISERVER_ETCD_CLIENT_COMMON_NAME = 'kube-apiserver-etcd-client';
/** The tool's own identity towards etcd: health, member add/remove, snapshots. */
export const TOOL_ETCD_CLIENT_COMMON_NAME = 'k8s-master-setup-etcd-client';

export const APISERVER_ETCD_CLIENT_STEM = 'etcd/apiserver-etcd-client';
export const TOOL_ETCD_CLIENT_STEM = 'etcd/k8s-master-setup-etcd-client';

export function etcdServerStem(nodeName: string): string {
	return `nodes/${nodeName}/etcd-server`;
}

export function etcdPeerStem(nodeName: string): string {
	return `nodes/${nodeName}/etcd-peer`;
}

/**
 * The member's serving certificate on 2379: the node's IP and name for the apiservers and
 * the tool, 127.0.0.1 and localhost for a client on the node itself (etcdctl there).
 * clientAuth too, as kubeadm's: etcd's gRPC gateway dials the member's own client port with it.
 */
export function etcdServerCertSpec(profile: Profile, node: ProfileNode): CertificateSpec {
	return {
		commonName: node.name,
		dnsNames: [node.name, 'localhost'],
		ipAddresses: [node.ip, '127.0.0.1'],
		serverAuth: true,
		clientAuth: true,
		validityDays: profile.pki.certValidityDays,
	};
}

/** The member's peer certificate on 2380: served to, and presented by it to, the other members. */
export function etcdPeerCertSpec(profile: Profile, node: ProfileNode): CertificateSpec {
	return {
		commonName: node.name,
		dnsNames: [node.name],
		ipAddresses: [node.ip],
		serverAuth: true,
		clientAuth: true,
		validityDays: profile.pki.certValidityDays,
	};
}

/** Every etcd certificate the profile needs, signed by the etcd CA; none unless etcd.mode is stacked. */
export function etcdCertificateSpecs(profile: Profile): NamedSpec[] {
	if (profile.etcd.mode !== 'stacked') return [];
	const days = profile.pki.certValidityDays;
	const client = (commonName: string): CertificateSpec => ({commonName, clientAuth: true, validityDays: days});
	const specs: NamedSpec[] = [
		// One for every apiserver: a client certificate names no node.
		{item: 'apiserver etcd client certificate', stem: APISERVER_ETCD_CLIENT_STEM, spec: client(APISERVER_ETCD_CLIENT_COMMON_NAME), signer: 'etcd'},
		{item: 'tool etcd client certificate', stem: TOOL_ETCD_CLIENT_STEM, spec: client(TOOL_ETCD_CLIENT_COMMON_NAME), signer: 'etcd'},
	];
	for (const node of profile.nodes) {
		specs.push({item: `${node.name} etcd server certificate`, stem: etcdServerStem(node.name), spec: etcdServerCertSpec(profile, node), signer: 'etcd'});
		specs.push({item: `${node.name} etcd peer certificate`, stem: etcdPeerStem(node.name), spec: etcdPeerCertSpec(profile, node), signer: 'etcd'});
	}
	return specs;
}
