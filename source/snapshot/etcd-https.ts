// POST to etcd's v3 API over its gRPC gateway (HTTPS on the client port), with the client
// certificate the apiserver uses and only the etcd CA trusted. Every failure becomes an
// EtcdRequestError whose message names the endpoint and whose hint names the fix.
import https from 'node:https';
import {createSecureContext} from 'node:tls';
import {describeGatewayError} from './stream.js';

export interface EtcdClientCredentials {
	/** PEM: the CA that signed etcd's serving certificates (nothing else is trusted). */
	ca: string;
	/** PEM: a client certificate etcd accepts, and its key (secret: never printed). */
	cert: string;
	key: string;
	/** Where each came from, for the hints ("etcd.caFile /x", "the apiserver certificate in /state/kubernetes.pem"). */
	caSource: string;
	certSource: string;
}

export class EtcdRequestError extends Error {
	override name = 'EtcdRequestError';
	constructor(
		readonly endpoint: string,
		message: string,
		readonly hint: string,
	) {
		super(message);
	}
}

/** One agent per run: the PEMs are parsed once, and only the given CA is trusted. */
export function etcdAgent(credentials: EtcdClientCredentials): https.Agent {
	return new https.Agent({keepAlive: true, secureContext: createSecureContext({ca: credentials.ca, cert: credentials.cert, key: credentials.key})});
}

export interface EtcdPostOptions {
	agent: https.Agent;
	credentials: EtcdClientCredentials;
	/** Ends the request when no byte arrives for this long (connecting included). */
	idleTimeoutMs: number;
	signal?: AbortSignal;
	/** Receives the body of a 200 answer as it arrives. */
	onData: (chunk: Buffer) => void;
	/** The request's JSON body (default `{}`). */
	body?: string;
}

/** POST `{}` to `endpoint` + `path`; resolves when a 200 answer has ended, rejects with what onData threw. */
export function etcdPost(endpoint: string, path: string, options: EtcdPostOptions): Promise<void> {
	const url = new URL(path, endpoint);
	return new Promise((resolve, reject) => {
		let settled = false;
		const fail = (error: Error) => {
			if (settled) return;
			settled = true;
			options.signal?.removeEventListener('abort', onAbort);
			req.destroy();
			reject(error);
		};
		const onAbort = () => fail(new EtcdRequestError(endpoint, `${endpoint}: stopped (signal)`, 'run the command again to take the snapshot'));
		// `timeout` here (not only req.setTimeout, which starts once the socket is connected):
		// a member whose machine is off never answers the SYN, and a connect waits out the
		// kernel's retries (over a minute on the lab) before it fails.
		const req = https.request(url, {method: 'POST', agent: options.agent, timeout: options.idleTimeoutMs, headers: {'content-type': 'application/json'}}, (res) => {
			const status = res.statusCode ?? 0;
			if (status !== 200) {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.length < 16 && chunks.push(c));
				res.on('end', () => fail(httpError(endpoint, url.pathname, status, Buffer.concat(chunks).toString('utf8'))));
				return;
			}
			res.on('data', (chunk: Buffer) => {
				if (settled) return;
				try {
					options.onData(chunk);
				} catch (error) {
					// The receiver's own failure (the stream refused, a local write): passed on as it is.
					fail(error as Error);
				}
			});
			res.on('end', () => {
				if (settled) return;
				settled = true;
				options.signal?.removeEventListener('abort', onAbort);
				resolve();
			});
			res.on('error', (error) => fail(networkError(endpoint, error, options)));
			res.on('aborted', () => fail(new EtcdRequestError(endpoint, `${endpoint}: the connection closed mid-answer`, 'run the command again; if it repeats, check the member\'s log (journalctl -u etcd)')));
		});
		req.setTimeout(options.idleTimeoutMs, () =>
			fail(
				new EtcdRequestError(
					endpoint,
					`${endpoint}: no answer for ${Math.round(options.idleTimeoutMs / 1000)} s`,
					'check that the member is up and reachable from here (a firewall may drop the packets), or that it is not overloaded',
				),
			),
		);
		req.on('error', (error) => fail(networkError(endpoint, error, options)));
		if (options.signal?.aborted) return onAbort();
		options.signal?.addEventListener('abort', onAbort, {once: true});
		req.end(options.body ?? '{}');
	});
}

/** etcdPost of a small answer, parsed as JSON. */
export async function etcdPostJson(endpoint: string, path: string, options: Omit<EtcdPostOptions, 'onData'> & {maxBytes?: number}): Promise<unknown> {
	const chunks: Buffer[] = [];
	let size = 0;
	const maxBytes = options.maxBytes ?? 1024 * 1024;
	await etcdPost(endpoint, path, {
		...options,
		onData: (c) => {
			size += c.length;
			if (size > maxBytes) throw new EtcdRequestError(endpoint, `${endpoint}: the answer to ${path} is over ${Math.round(maxBytes / 1024 / 1024)} MiB`, 'check that the endpoint is an etcd client URL (port 2379 by default)');
			chunks.push(c);
		},
	});
	try {
		return JSON.parse(Buffer.concat(chunks).toString('utf8'));
	} catch {
		throw new EtcdRequestError(endpoint, `${endpoint}: the answer to ${path} is not JSON`, 'check that the endpoint is an etcd client URL (port 2379 by default), not a peer or another service');
	}
}

function httpError(endpoint: string, path: string, status: number, body: string): EtcdRequestError {
	let said = body.trim().split('\n')[0]?.slice(0, 200) ?? '';
	try {
		const parsed = JSON.parse(body) as Record<string, unknown>;
		const error = (parsed['error'] ?? parsed) as Record<string, unknown>;
		said = describeGatewayError(error);
	} catch {
		// not JSON: the first line as it is
	}
	const hint =
		status === 404 || status === 405 || status === 501
			? 'this endpoint does not serve etcd\'s v3 API over HTTP: check it is an etcd client URL, and that etcd runs with its gRPC gateway on (--enable-grpc-gateway, the default)'
			: status === 401 || status === 403
				? 'etcd refused the request: with etcd authentication on, the client certificate\'s CN must be an etcd user with access to the whole key space (root)'
				: 'check the member\'s log (journalctl -u etcd) and its health (etcdctl endpoint health)';
	return new EtcdRequestError(endpoint, `${endpoint}: ${path} answered HTTP ${status}${said ? `: ${said}` : ''}`, hint);
}

/** TLS alerts etcd sends when it does not accept the client certificate. */
const CLIENT_CERT_REFUSED = /ALERT_(BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_REQUIRED|CERTIFICATE_UNKNOWN|ACCESS_DENIED|UNSUPPORTED_CERTIFICATE|CERTIFICATE_EXPIRED)/;
/** Verification of etcd's serving certificate failed. */
const SERVER_UNTRUSTED = new Set([
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'UNABLE_TO_GET_ISSUER_CERT',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'CERT_SIGNATURE_FAILURE',
	'CERT_HAS_EXPIRED',
	'CERT_NOT_YET_VALID',
]);

function networkError(endpoint: string, error: Error & {code?: string}, options: Pick<EtcdPostOptions, 'credentials'>): EtcdRequestError {
	const code = error.code ?? '';
	const said = `${endpoint}: ${code ? `${code}: ` : ''}${error.message}`;
	if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
		return new EtcdRequestError(endpoint, said, 'etcd\'s serving certificate does not name this host: list the endpoint by a name or IP in that certificate\'s SANs (etcd.endpoints)');
	}
	if (SERVER_UNTRUSTED.has(code)) {
		return new EtcdRequestError(endpoint, said, `etcd's serving certificate is not trusted by ${options.credentials.caSource}: set etcd.caFile to the CA that signed etcd's certificates`);
	}
	if (CLIENT_CERT_REFUSED.test(code) || CLIENT_CERT_REFUSED.test(error.message)) {
		return new EtcdRequestError(endpoint, said, `etcd did not accept ${options.credentials.certSource}: set etcd.certFile and etcd.keyFile to a client certificate signed by etcd's --trusted-ca-file (the apiserver needs the same)`);
	}
	if (code === 'ECONNREFUSED') return new EtcdRequestError(endpoint, said, 'nothing listens there: check that etcd runs on that host (systemctl status etcd) and the port in etcd.endpoints');
	if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ETIMEDOUT' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
		return new EtcdRequestError(endpoint, said, 'the host cannot be reached from here: check the address in etcd.endpoints and the network (the snapshot is taken from this machine, not over SSH)');
	}
	return new EtcdRequestError(endpoint, said, 'check the member\'s log (journalctl -u etcd) and its health (etcdctl endpoint health)');
}
