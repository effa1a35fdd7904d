import {isIP} from 'node:net';
import {firstHostIp, type Profile, type ProfileNode} from '../profile/schema.js';
import {clientEndpoint} from '../profile/client-endpoint.js';
import type {CertificateSpec} from './x509.js';

/**
 * What each certificate must say, derived from the profile alone (pure). The same specs
 * drive issuing and the reuse check, so a kept certificate is exactly one we would issue.
 */
export interface NamedSpec {
	/** Shown to the user: "apiserver certificate". */
	item: string;
	/** State file stem: `<stem>.pem` and `<stem>-key.pem`. */
	stem: string;
	spec: CertificateSpec;
	/** The CA that signs it: the cluster CA, the front-proxy CA (ensure.ts) or the etcd CA (etcd-specs.ts, stacked etcd only). */
	signer: 'cluster' | 'front-proxy' | 'etcd';
}

/** The in-cluster names of the `kubernetes` Service; the last one has no trailing dot. */
export function kubernetesServiceNames(clusterDomain: string): string[] {
	return ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster', `kubernetes.default.svc.${clusterDomain}`];
}

/** The apiserver's identity towards etcd and the kubelets (RBAC binds it: kubelet-api-binding.ts). */
export const APISERVER_COMMON_NAME = 'kubernetes-master';

/**
 * The names every apiserver serves under: 127.0.0.1, the `kubernetes` Service's IP and names,
 * the client endpoint and extraSans. A change of these re-issues every node's certificate.
 */
export function sharedApiserverNames(profile: Profile): {dnsNames: string[]; ipAddresses: string[]} {
	// The client endpoint's host is one more shared name: every apiserver behind it must present it.
	const endpoint = clientEndpoint(profile);
	const shared = [...profile.apiserver.extraSans, ...(endpoint ? [endpoint.host] : [])];
	return {
		dnsNames: unique([...kubernetesServiceNames(profile.network.clusterDomain), ...shared.filter((s) => isIP(s) === 0)]),
		ipAddresses: unique(['127.0.0.1', firstHostIp(profile.network.serviceCidr), ...shared.filter((s) => isIP(s) !== 0)]),
	};
}

/**
 * A node's apiserver certificate: the shared names plus that node's own address (and name).
 * Per node rather than the guide's one certificate listing every master, so adding or
 * removing a master issues or drops that node's certificate and leaves the others alone.
 */
export function apiserverCertSpec(profile: Profile, node: ProfileNode): CertificateSpec {
	const shared = sharedApiserverNames(profile);
	return {
		commonName: APISERVER_COMMON_NAME,
		dnsNames: unique([...shared.dnsNames, node.name]),
		ipAddresses: unique([shared.ipAddresses[0]!, node.ip, ...shared.ipAddresses.slice(1)]),
		// Serving cert on 6443, and the client cert towards etcd and the kubelets.
		serverAuth: true,
		clientAuth: true,
		validityDays: profile.pki.certValidityDays,
	};
}

export function apiserverStem(nodeName: string): string {
	return `nodes/${nodeName}/kube-apiserver`;
}

/**
 * kube-controller-manager and kube-scheduler certs are per node: each is the component's
 * client identity (CN = O = system:kube-…) and its serving cert on 10257/10259, so its SANs
 * are that node's own addresses (the status probes call https://NODE_IP:10257). Per node
 * rather than the guide's one cert with every node IP, so adding a node leaves the existing
 * nodes' certificates alone.
 */
export function componentCertSpec(profile: Profile, node: ProfileNode, component: 'kube-controller-manager' | 'kube-scheduler'): CertificateSpec {
	return {
		commonName: `system:${component}`,
		organization: `system:${component}`,
		dnsNames: [node.name],
		ipAddresses: ['127.0.0.1', node.ip],
		serverAuth: true,
		clientAuth: true,
		validityDays: profile.pki.certValidityDays,
	};
}

export function certificateSpecs(profile: Profile): NamedSpec[] {
	const days = profile.pki.certValidityDays;
	const specs: NamedSpec[] = [
		// The CN must be in --requestheader-allowed-names (guide: "aggregator"). Signed by the
		// front-proxy CA: a certificate that CA signs may assert any user in X-Remote-User.
		{item: 'proxy-client certificate', stem: 'proxy-client', spec: {commonName: 'aggregator', clientAuth: true, validityDays: days}, signer: 'front-proxy'},
		{item: 'admin certificate', stem: 'admin', spec: {commonName: 'admin', organization: 'system:masters', clientAuth: true, validityDays: days}, signer: 'cluster'},
	];
	for (const node of profile.nodes) {
		specs.push({item: `${node.name} apiserver certificate`, stem: apiserverStem(node.name), spec: apiserverCertSpec(profile, node), signer: 'cluster'});
		for (const component of ['kube-controller-manager', 'kube-scheduler'] as const) {
			specs.push({item: `${node.name} ${component} certificate`, stem: componentStem(node.name, component), spec: componentCertSpec(profile, node, component), signer: 'cluster'});
		}
	}
	return specs;
}

export function componentStem(nodeName: string, component: 'kube-controller-manager' | 'kube-scheduler'): string {
	return `nodes/${nodeName}/${component}`;
}

function unique(values: string[]): string[] {
	return [...new Set(values)];
}
