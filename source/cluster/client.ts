import type {AdminCredentials} from './admin-credentials.js';
import {httpsGet, pinnedAgent, type HttpsGetResult} from './https-get.js';
import {leasePath} from './lease.js';
import {CONTROL_PLANE, type ServiceName} from './services.js';

// The cluster's HTTPS endpoints as this machine reaches them, for the runner's health gate
// and the status prober alike: every request verified against the cluster CA, with the
// admin client certificate where the service requires one (CONTROL_PLANE.needsClientCert).
// Connections are kept alive between requests: close() the client when done.

export interface Endpoint {
	host: string;
	port: number;
}

/** `https://host:port` (an IPv6 host in brackets). */
export function baseUrl(endpoint: Endpoint): string {
	return `https://${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`;
}

export interface ClusterClient {
	/** GET `path` from `service` at `endpoint`. Never throws (see httpsGet). */
	get(service: ServiceName, endpoint: Endpoint, path: string): Promise<HttpsGetResult>;
	/** GET the service's health path (CONTROL_PLANE.healthPath). */
	health(service: ServiceName, endpoint: Endpoint): Promise<HttpsGetResult>;
	/** GET a kube-system Lease from the apiserver at `endpoint`. */
	lease(apiserver: Endpoint, name: string): Promise<HttpsGetResult>;
	/** PUT a kube-system Lease (the whole object, as read: a changed resourceVersion is a 409). */
	putLease(apiserver: Endpoint, name: string, lease: object): Promise<HttpsGetResult>;
	/** POST or DELETE `path` at the apiserver, as the admin, with a JSON body. */
	send(apiserver: Endpoint, method: 'POST' | 'DELETE', path: string, body?: object): Promise<HttpsGetResult>;
	close(): void;
}

export function createClusterClient(admin: AdminCredentials, timeoutMs: number): ClusterClient {
	const withClientCert = pinnedAgent({ca: admin.caPem, cert: admin.certPem, key: admin.keyPem});
	const anonymous = pinnedAgent({ca: admin.caPem});
	const get = (service: ServiceName, endpoint: Endpoint, path: string) =>
		httpsGet(`${baseUrl(endpoint)}${path}`, {agent: CONTROL_PLANE[service].needsClientCert ? withClientCert : anonymous, timeoutMs});
	return {
		get,
		health: (service, endpoint) => get(service, endpoint, CONTROL_PLANE[service].healthPath),
		lease: (apiserver, name) => get('kube-apiserver', apiserver, leasePath(name)),
		putLease: (apiserver, name, lease) => httpsGet(`${baseUrl(apiserver)}${leasePath(name)}`, {agent: withClientCert, timeoutMs, put: lease}),
		send: (apiserver, method, path, body) => httpsGet(`${baseUrl(apiserver)}${path}`, {agent: withClientCert, timeoutMs, send: {method, ...(body ? {body} : {})}}),
		close() {
			withClientCert.destroy();
			anonymous.destroy();
		},
	};
}
