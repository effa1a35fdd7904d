// Stand-ins for etcd's gRPC gateway on loopback: HTTPS with client certificates required
// (as etcd with --client-cert-auth), answering /v3/maintenance/status and streaming the
// fixture database from /v3/maintenance/snapshot, whole or cut in the middle.
import {createServer, type Server} from 'node:https';
import type {AddressInfo} from 'node:net';
import {generateEcKeyPair} from '../../../source/pki/keys.js';
import {createCaCertificate, issueCertificate} from '../../../source/pki/x509.js';
import {fixtureDatabase, gatewayStream} from './gateway-stream.js';

/** A CA, a serving certificate for 127.0.0.1 and a client certificate it signed. */
export function pkiFor(name: string) {
	const caKeys = generateEcKeyPair();
	const ca = createCaCertificate(`${name}-ca`, caKeys.privateKey, 10);
	const issue = (cn: string, spec: {serverAuth?: boolean; clientAuth?: boolean; ipAddresses?: string[]}) => {
		const keys = generateEcKeyPair();
		return {cert: issueCertificate({commonName: cn, validityDays: 5, ...spec}, keys.publicKey, {certPem: ca, keyPem: caKeys.privateKey}), key: keys.privateKey};
	};
	return {ca, server: issue('etcd', {serverAuth: true, ipAddresses: ['127.0.0.1']}), client: issue('kubernetes-master', {clientAuth: true})};
}

export type Behaviour = 'whole' | 'truncated';

export async function fakeEtcd(pki: ReturnType<typeof pkiFor>, behaviour: Behaviour): Promise<{server: Server; url: string}> {
	const db = fixtureDatabase();
	const server = createServer({ca: pki.ca, cert: pki.server.cert, key: pki.server.key, requestCert: true, rejectUnauthorized: true}, (req, res) => {
		req.resume();
		req.on('end', () => {
			if (req.url === '/v3/maintenance/status') {
				res.end(JSON.stringify({header: {cluster_id: '324952591200643719', member_id: '3319814642761637952', revision: '402'}, version: '3.6.16'}));
				return;
			}
			const stream = gatewayStream(db);
			// Uneven chunks, as TLS records and chunked encoding cut them.
			const body = behaviour === 'truncated' ? stream.subarray(0, Math.floor(stream.length / 2)) : stream;
			for (let at = 0; at < body.length; at += 7001) res.write(body.subarray(at, at + 7001));
			res.end();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {server, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`};
}

/** A port that refuses connections: one that was just free. */
export async function closedPort(): Promise<string> {
	const s = createServer();
	await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
	const port = (s.address() as AddressInfo).port;
	await new Promise((resolve) => s.close(resolve));
	return `https://127.0.0.1:${port}`;
}

