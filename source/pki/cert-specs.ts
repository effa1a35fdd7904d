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
	/** The CA that signs it: the cluster CA, or the front-proxy CA (ensure.ts). */
	signer: 'cluster' | 'front-proxy';
}

/** The in-cluster names of the `kubernetes` Service; the last one has no trailing dot. */
export function kubernetesServiceNames(clusterDomain: string): string[] {
	return ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster', `kubernetes.default.svc.${clusterDomain}`];
}

export function apiserverCertSpec(profile: Profile): CertificateSpec {
	// The client endpoint's host is one more shared name: every apiserver behind it must present it.
	const endpoint = clientEndpoint(profile);
	const shared = [...profile.apiserver.extraSans, ...(endpoint ? [endpoint.host] : [])];
	const extraIps = shared.filter((s) => isIP(s) !== 0);
	const extraNames = shared.filter((s) => isIP(s) === 0);
	return {
		commonName: 'kubernetes-master',
		dnsNames: unique([...kubernetesServiceNames(profile.network.clusterDomain), ...extraNames]),
		ipAddresses: unique(['127.0.0.1', ...profile.nodes.map((n) => n.ip), firstHostIp(profile.network.serviceCidr), ...extraIps]),
		// Serving cert on 6443, and the client cert towards etcd and the kubelets.
		serverAuth: true,
		clientAuth: true,
		validityDays: profile.pki.certValidityDays,
	};
}

/**
 * kube-controller-manager and kube-scheduler certs are per node: each is the component's
 * client identity (CN = O = system:kube-…) and its serving cert on 10257/10259, so its SANs
 * are that node's own addresses (the status probes call https://NODE_IP:10257). Per node
 * rather than the guide's one cert with every node IP, so adding a node leaves the existing
 * nodes' certificates alone: only the apiserver certificate (which lists every node) is re-issued.
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
		{item: 'apiserver certificate', stem: 'kubernetes', spec: apiserverCertSpec(profile), signer: 'cluster'},
		// The CN must be in --requestheader-allowed-names (guide: "aggregator"). Signed by the
		// front-proxy CA: a certificate that CA signs may assert any user in X-Remote-User.
		{item: 'proxy-client certificate', stem: 'proxy-client', spec: {commonName: 'aggregator', clientAuth: true, validityDays: days}, signer: 'front-proxy'},
		{item: 'admin certificate', stem: 'admin', spec: {commonName: 'admin', organization: 'system:masters', clientAuth: true, validityDays: days}, signer: 'cluster'},
	];
	for (const node of profile.nodes) {
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
