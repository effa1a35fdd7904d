import https from 'node:https';
import {createSecureContext, type TLSSocket, type PeerCertificate} from 'node:tls';

/**
 * One HTTPS GET (or a PUT of a JSON object) with its own deadline, returning what a probe
 * needs: the status, the body (capped), the certificate the server presented in the TLS
 * handshake, and how it ended.
 * It never throws: every failure becomes a `state` with a short `detail`. The one HTTPS
 * client of the tool: the runner's health gate and the status prober both use it.
 */

/** How one request ended (the status JSON describes each state). */
export const PROBE_STATES = ['ok', 'failed', 'timeout', 'error', 'untrusted'] as const;
export type ProbeState = (typeof PROBE_STATES)[number];

export interface HttpsGetResult {
	state: ProbeState;
	httpStatus: number | null;
	body: string;
	detail: string | null;
	durationMs: number;
	peerCertificate: PeerCertificate | undefined;
}

export interface HttpsGetOptions {
	agent: https.Agent;
	timeoutMs: number;
	/** Bodies beyond this are cut (readyz?verbose is a few KiB; Leases are small). */
	maxBodyBytes?: number;
	/** A PUT of this object, as JSON, instead of a GET (a Lease handed over). */
	put?: object;
	/** Another method, with its JSON body (POST a Secret, DELETE it). */
	send?: {method: 'POST' | 'DELETE'; body?: object};
}

/**
 * A kept-alive agent that trusts only `ca` (and presents cert/key when given). The TLS
 * context is built once here: an agent given ca/cert/key builds a new one, parsing the
 * PEMs again, for every connection it opens, and while a service starts every poll opens
 * one (0.7 s of CPU in one first install on the lab).
 */
export function pinnedAgent(credentials: {ca: string; cert?: string; key?: string}): https.Agent {
	return new https.Agent({keepAlive: true, secureContext: createSecureContext(credentials)});
}

/** TLS verification failures: the server answered, but not with a certificate we trust. */
const UNTRUSTED_CODES = new Set([
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'UNABLE_TO_GET_ISSUER_CERT',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'CERT_HAS_EXPIRED',
	'CERT_NOT_YET_VALID',
	'CERT_SIGNATURE_FAILURE',
	'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function httpsGet(url: string, options: HttpsGetOptions): Promise<HttpsGetResult> {
	const started = performance.now();
	const maxBody = options.maxBodyBytes ?? 256 * 1024;
	return new Promise((resolve) => {
		let settled = false;
		let peerCertificate: PeerCertificate | undefined;
		const finish = (r: Omit<HttpsGetResult, 'durationMs' | 'peerCertificate'>) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			resolve({...r, durationMs: Math.round(performance.now() - started), peerCertificate});
		};
		const sent = options.put ?? options.send?.body;
		const payload = sent === undefined ? undefined : Buffer.from(JSON.stringify(sent));
		const method = options.send?.method ?? (options.put ? 'PUT' : 'GET');
		const headers = {accept: 'application/json, text/plain', ...(payload ? {'content-type': 'application/json', 'content-length': payload.length} : {})};
		const req = https.request(url, {method, agent: options.agent, headers}, (res) => {
			const socket = res.socket as TLSSocket;
			try {
				const peer = socket.getPeerCertificate?.();
				if (peer && Object.keys(peer).length > 0) peerCertificate = peer;
			} catch {
				// no certificate information: leave it undefined
			}
			const chunks: Buffer[] = [];
			let size = 0;
			res.on('data', (chunk: Buffer) => {
				if (size < maxBody) chunks.push(chunk);
				size += chunk.length;
			});
			res.on('end', () => {
				const body = Buffer.concat(chunks).toString('utf8').slice(0, maxBody);
				const status = res.statusCode ?? 0;
				// A GET is ok on 200 alone; a write also on 201 Created.
				const ok = status === 200 || (method === 'POST' && status === 201);
				finish({
					state: ok ? 'ok' : 'failed',
					httpStatus: status,
					body,
					detail: ok ? null : `HTTP ${status}${firstLine(body) ? `: ${firstLine(body)}` : ''}`,
				});
			});
			res.on('error', (error) => finish(fromError(error)));
		});
		req.on('error', (error) => finish(fromError(error)));
		req.end(payload);
		const timer = setTimeout(() => {
			finish({state: 'timeout', httpStatus: null, body: '', detail: `no answer within ${options.timeoutMs} ms`});
			req.destroy();
		}, options.timeoutMs);
	});
}

function fromError(error: Error & {code?: string}): Omit<HttpsGetResult, 'durationMs' | 'peerCertificate'> {
	const code = error.code ?? '';
	if (UNTRUSTED_CODES.has(code)) return {state: 'untrusted', httpStatus: null, body: '', detail: `${code}: ${error.message}`};
	return {state: 'error', httpStatus: null, body: '', detail: code ? `${code}: ${error.message}` : error.message};
}

function firstLine(body: string): string {
	return (body.split('\n').find((l) => l.trim() !== '') ?? '').trim().slice(0, 160);
}
