// How clients reach the control plane, for status: the one endpoint (apiserver.endpoint) and
// whether it answers /readyz through the cluster CA and the admin certificate, or, without
// one, the fact that the admin kubeconfig has a context per master and no failover. And the
// masters this state directory installed that the profile no longer names: still running,
// holding the cluster's keys, which no probe of the profile's nodes would show.
import {pinnedAgent, httpsGet} from '../cluster/https-get.js';
import type {AdminCredentials} from '../cluster/admin-credentials.js';
import {baseUrl} from '../cluster/client.js';
import {clientEndpoint} from '../profile/client-endpoint.js';
import type {Profile} from '../profile/schema.js';
import type {ClientsStatus} from './json-schema.js';

export async function probeClients(profile: Profile, admin: AdminCredentials, timeoutMs: number): Promise<ClientsStatus> {
	const endpoint = clientEndpoint(profile);
	if (!endpoint) return {endpoint: null, answers: null, detail: null};
	const agent = pinnedAgent({ca: admin.caPem, cert: admin.certPem, key: admin.keyPem});
	try {
		const r = await httpsGet(`${baseUrl(endpoint)}/readyz`, {agent, timeoutMs});
		const answers = r.state === 'ok';
		return {endpoint: profile.apiserver.endpoint!, answers, detail: answers ? null : (r.detail ?? `HTTP ${r.httpStatus ?? '-'}`)};
	} finally {
		agent.destroy();
	}
}

/** The line under the table: the endpoint and whether it answers, or that clients have no failover. */
export function clientsLine(clients: ClientsStatus, nodeNames: readonly string[]): string {
	if (clients.endpoint === null) {
		return `clients: no apiserver.endpoint, no failover: the admin kubeconfig has one context per master (current admin@${nodeNames[0] ?? '?'}); when it is down, kubectl --context admin@${nodeNames[1] ?? '<node>'} …`;
	}
	return clients.answers ? `clients: ${clients.endpoint} answers /readyz` : `clients: ${clients.endpoint} does not answer /readyz (${clients.detail ?? 'no answer'}): every client of the admin kubeconfig is cut off`;
}

export function departedLine(departed: ReadonlyArray<{name: string; ip: string; installedAt: string}>): string | null {
	if (departed.length === 0) return null;
	const names = departed.map((d) => `${d.name} (${d.ip})`).join(', ');
	return `installed but no longer in the profile: ${names}; its services may still run with the cluster's keys`;
}
