import {stringify} from 'yaml';

/** A kubeconfig with the CA and the client cert/key embedded (kubectl config --embed-certs). */
export interface KubeconfigInput {
	server: string;
	caCert: string;
	/** The user and context name, e.g. system:kube-scheduler. */
	user: string;
	clientCert: string;
	clientKey: string;
	clusterName?: string;
}

export function renderKubeconfig(input: KubeconfigInput): string {
	const cluster = input.clusterName ?? 'kubernetes';
	const b64 = (pem: string) => Buffer.from(pem).toString('base64');
	return stringify(
		{
			apiVersion: 'v1',
			kind: 'Config',
			clusters: [{name: cluster, cluster: {'certificate-authority-data': b64(input.caCert), server: input.server}}],
			users: [{name: input.user, user: {'client-certificate-data': b64(input.clientCert), 'client-key-data': b64(input.clientKey)}}],
			contexts: [{name: input.user, context: {cluster, user: input.user}}],
			'current-context': input.user,
			preferences: {},
		},
		{lineWidth: 0},
	);
}

/** https://IP:6443 (IPv6 bracketed). */
export function apiserverUrl(host: string): string {
	return host.includes(':') ? `https://[${host}]:6443` : `https://${host}:6443`;
}
