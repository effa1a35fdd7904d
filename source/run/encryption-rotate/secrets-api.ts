// The Secrets API of the cluster for a rotation, over HTTPS as the admin (pinned to the
// cluster CA): requests go round the apiservers, and one that does not answer is passed
// over for the next, so a rewrite is not tied to one node.
import type {AdminCredentials} from '../../cluster/admin-credentials.js';
import {baseUrl, type Endpoint} from '../../cluster/client.js';
import {httpsGet, pinnedAgent, type HttpsGetResult} from '../../cluster/https-get.js';
import {StepError} from '../step-error.js';
import type {ListPage, SecretObject, SecretsApi} from './rewrite-secrets.js';

const seg = (s: string) => encodeURIComponent(s);

export interface HttpsSecretsApi extends SecretsApi {
	/** GET one Secret through this apiserver (a canary read). */
	getThrough(endpoint: Endpoint, namespace: string, name: string): Promise<HttpsGetResult>;
	/** Any method through this apiserver (a canary written through it). */
	sendThrough(endpoint: Endpoint, method: 'POST' | 'PUT' | 'DELETE', path: string, body?: object): Promise<HttpsGetResult>;
	/** Every Secret read through this apiserver, page by page: their number (each decrypted by it). */
	readAllThrough(endpoint: Endpoint): Promise<number>;
	close(): void;
}

export function httpsSecretsApi(endpoints: readonly Endpoint[], admin: AdminCredentials, timeoutMs = 30_000): HttpsSecretsApi {
	const agent = pinnedAgent({ca: admin.caPem, cert: admin.certPem, key: admin.keyPem});
	let next = 0;
	const call = (endpoint: Endpoint, path: string, extra: {put?: object; send?: {method: 'POST' | 'DELETE'; body?: object}} = {}) =>
		httpsGet(`${baseUrl(endpoint)}${path}`, {agent, timeoutMs, maxBodyBytes: 128 * 1024 * 1024, ...extra});
	// The first apiserver that answers at all (an HTTP status), starting from the next in turn.
	const anyApiserver = async (path: string, extra: Parameters<typeof call>[2] = {}): Promise<HttpsGetResult> => {
		let last: HttpsGetResult | undefined;
		for (let i = 0; i < endpoints.length; i++) {
			const endpoint = endpoints[(next + i) % endpoints.length]!;
			const result = await call(endpoint, path, extra);
			if (result.httpStatus !== null && result.httpStatus < 500) {
				next = (next + i + 1) % endpoints.length;
				return result;
			}
			last = result;
		}
		throw new StepError(`no apiserver answered ${path}: ${last?.detail ?? 'no apiserver in the profile'}`, 'check `k8s-master-setup status`; the rotation carries on from here when run again');
	};
	const json = (r: HttpsGetResult, what: string) => {
		try {
			return JSON.parse(r.body) as unknown;
		} catch {
			throw new StepError(`${what}: the answer is not JSON (${r.body.length} characters)`, 'run the same command again');
		}
	};
	return {
		async list(token, limit) {
			const r = await anyApiserver(`/api/v1/secrets?limit=${limit}${token ? `&continue=${seg(token)}` : ''}`);
			if (r.httpStatus === 410) return {expired: true};
			if (r.httpStatus !== 200) throw new StepError(`listing Secrets: ${r.detail}`, 'run the same command again');
			const list = json(r, 'listing Secrets') as {items?: SecretObject[]; metadata?: {continue?: string; remainingItemCount?: number}};
			return {items: list.items ?? [], continue: list.metadata?.continue || null, remaining: list.metadata?.remainingItemCount ?? null} satisfies ListPage;
		},
		async get(namespace, name) {
			const r = await anyApiserver(`/api/v1/namespaces/${seg(namespace)}/secrets/${seg(name)}`);
			if (r.httpStatus === 404) return null;
			if (r.httpStatus !== 200) throw new StepError(`reading Secret ${namespace}/${name}: ${r.detail}`, 'run the same command again');
			return json(r, `reading Secret ${namespace}/${name}`) as SecretObject;
		},
		async put(secret) {
			const {namespace, name} = secret.metadata;
			const r = await anyApiserver(`/api/v1/namespaces/${seg(namespace)}/secrets/${seg(name)}`, {put: secret});
			if (r.httpStatus === 200) return 'ok';
			if (r.httpStatus === 409) return 'conflict';
			if (r.httpStatus === 404) return 'not-found';
			throw new StepError(`rewriting Secret ${namespace}/${name}: ${r.detail}`, 'run the same command again: the rewrite carries on from its last page');
		},
		getThrough: (endpoint, namespace, name) => call(endpoint, `/api/v1/namespaces/${seg(namespace)}/secrets/${seg(name)}`),
		sendThrough: (endpoint, method, path, body) => call(endpoint, path, method === 'PUT' ? {put: body ?? {}} : {send: {method, ...(body ? {body} : {})}}),
		async readAllThrough(endpoint) {
			let token: string | null = null;
			let count = 0;
			do {
				const r = await call(endpoint, `/api/v1/secrets?limit=250${token ? `&continue=${seg(token)}` : ''}`);
				if (r.httpStatus !== 200) throw new StepError(`reading every Secret through ${endpoint.host}: ${r.detail}`, 'check that apiserver; run the same command again');
				const list = json(r, `reading Secrets through ${endpoint.host}`) as {items?: unknown[]; metadata?: {continue?: string}};
				count += list.items?.length ?? 0;
				token = list.metadata?.continue || null;
			} while (token);
			return count;
		},
		close: () => agent.destroy(),
	};
}
