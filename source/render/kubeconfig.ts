import {baseUrl} from '../cluster/client.js';
import {CONTROL_PLANE} from '../cluster/services.js';
import {fillTemplate, readTemplate, yamlString} from './templates.js';

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
	const b64 = (pem: string) => yamlString(Buffer.from(pem).toString('base64'));
	return fillTemplate(readTemplate('kubeconfig.yaml'), {
		cluster: yamlString(input.clusterName ?? 'kubernetes'),
		caData: b64(input.caCert),
		server: yamlString(input.server),
		user: yamlString(input.user),
		certData: b64(input.clientCert),
		keyData: b64(input.clientKey),
	});
}

/** https://IP:6443 (IPv6 bracketed). */
export function apiserverUrl(host: string): string {
	return baseUrl({host, port: CONTROL_PLANE['kube-apiserver'].port});
}
