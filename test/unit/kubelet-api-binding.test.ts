// ensureKubeletApiBinding against a local HTTPS server that keeps ClusterRoleBindings the way
// the apiserver's RBAC API does (GET, POST, PUT with resourceVersion), with certificates from
// the tool's own PKI: the server presents the apiserver certificate and admits only a client
// certificate the cluster CA signed with O system:masters.
import {createServer, type Server} from 'node:https';
import type {AddressInfo} from 'node:net';
import type {TLSSocket} from 'node:tls';
import {join} from 'node:path';
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {ensurePki} from '../../source/pki/ensure.js';
import type {Pki} from '../../source/pki/types.js';
import {ProfileSchema} from '../../source/profile/schema.js';
import {ensureKubeletApiBinding, KUBELET_API_BINDING, KUBELET_API_ROLE} from '../../source/run/kubelet-api-binding.js';
import {StateDir} from '../../source/state/state-dir.js';
import {APISERVER_COMMON_NAME} from '../../source/pki/cert-specs.js';
import {baseProfile, tempDir} from './render/fixtures.js';

const PATH = '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings';
type Binding = {metadata: {name: string; resourceVersion?: string}; roleRef: {apiGroup: string; kind: string; name: string}; subjects?: Array<{kind: string; name: string}>};

describe('the kubelet API binding', () => {
	let pki: Pki;
	let user: string;
	let server: Server;
	let url: string;
	const stored = new Map<string, Binding>();
	const writes: string[] = [];
	let version = 1;

	beforeAll(async () => {
		const profile = ProfileSchema.parse(baseProfile());
		pki = (await ensurePki(profile, StateDir.open(join(tempDir('k8s-binding-'), 'state')))).pki;
		user = APISERVER_COMMON_NAME;
		server = createServer({cert: pki.apiserver.master1!.cert, key: pki.apiserver.master1!.key, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true}, (req, res) => {
			const send = (status: number, body: unknown) => {
				res.writeHead(status, {'content-type': 'application/json'});
				res.end(JSON.stringify(body));
			};
			const peer = (req.socket as TLSSocket).getPeerCertificate();
			if (peer.subject?.O !== 'system:masters') return send(403, {kind: 'Status', message: 'forbidden'});
			let text = '';
			req.on('data', (c: Buffer) => (text += c.toString()));
			req.on('end', () => {
				const name = decodeURIComponent(req.url!.slice(PATH.length + 1));
				if (req.method !== 'GET') writes.push(`${req.method} ${req.url}`);
				if (req.method === 'GET') return stored.has(name) ? send(200, stored.get(name)) : send(404, {kind: 'Status', message: `clusterrolebindings "${name}" not found`});
				const body = JSON.parse(text) as Binding;
				if (req.method === 'POST') {
					if (stored.has(body.metadata.name)) return send(409, {kind: 'Status', message: 'already exists'});
					stored.set(body.metadata.name, {...body, metadata: {...body.metadata, resourceVersion: String(version++)}});
					return send(201, stored.get(body.metadata.name));
				}
				if (req.method === 'PUT') {
					if (body.metadata.resourceVersion !== stored.get(name)?.metadata.resourceVersion) return send(409, {kind: 'Status', message: 'conflict'});
					stored.set(name, {...body, metadata: {...body.metadata, resourceVersion: String(version++)}});
					return send(200, stored.get(name));
				}
				send(405, {kind: 'Status', message: 'method not allowed'});
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
	beforeEach(() => {
		stored.clear();
		writes.length = 0;
	});

	const ensure = (apiservers = [url], admin = {caPem: pki.ca.cert, certPem: pki.admin.cert, keyPem: pki.admin.key}) =>
		ensureKubeletApiBinding({apiservers, admin, user, timeoutMs: 5000});

	it('binds the apiserver kubelet client user (the serving certificate CN) to system:kubelet-api-admin, once', async () => {
		expect(user).toBe('kubernetes-master');
		expect(await ensure()).toEqual({action: 'created', apiserver: url});
		expect(stored.get(KUBELET_API_BINDING)).toMatchObject({
			roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: KUBELET_API_ROLE},
			subjects: [{kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'kubernetes-master'}],
		});
		expect(writes).toEqual([`POST ${PATH}`]);
		expect(await ensure()).toEqual({action: 'unchanged', apiserver: url});
		expect(writes).toHaveLength(1); // the second run only read
	});

	it("adds the user to a binding that lacks it, keeping the subjects someone else put there", async () => {
		stored.set(KUBELET_API_BINDING, {
			metadata: {name: KUBELET_API_BINDING, resourceVersion: '7'},
			roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: KUBELET_API_ROLE},
			subjects: [{kind: 'User', name: 'kubernetes'}], // the guide's own user
		});
		expect((await ensure()).action).toBe('updated');
		expect(stored.get(KUBELET_API_BINDING)!.subjects!.map((s) => s.name)).toEqual(['kubernetes', 'kubernetes-master']);
		expect(writes).toEqual([`PUT ${PATH}/${encodeURIComponent(KUBELET_API_BINDING)}`]);
	});

	it('refuses a binding of that name to another role, and writes nothing', async () => {
		stored.set(KUBELET_API_BINDING, {metadata: {name: KUBELET_API_BINDING, resourceVersion: '3'}, roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view'}, subjects: []});
		await expect(ensure()).rejects.toThrow(`the ClusterRoleBinding ${KUBELET_API_BINDING} binds ClusterRole view, not ClusterRole ${KUBELET_API_ROLE}`);
		expect(writes).toEqual([]);
	});

	it('a dry run says what it would do and writes nothing', async () => {
		const dry = () => ensureKubeletApiBinding({apiservers: [url], admin: {caPem: pki.ca.cert, certPem: pki.admin.cert, keyPem: pki.admin.key}, user, dryRun: true});
		expect((await dry()).action).toBe('created');
		stored.set(KUBELET_API_BINDING, {metadata: {name: KUBELET_API_BINDING, resourceVersion: '1'}, roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: KUBELET_API_ROLE}, subjects: []});
		expect((await dry()).action).toBe('updated');
		expect(writes).toEqual([]);
		expect(stored.get(KUBELET_API_BINDING)!.subjects).toEqual([]);
	});

	it('goes on to the next apiserver when one does not answer', async () => {
		expect(await ensure(['https://127.0.0.1:1', url])).toEqual({action: 'created', apiserver: url});
	});

	it('says when the admin certificate is refused, and writes nothing', async () => {
		// A client certificate of the cluster CA without O system:masters: the scheduler's.
		const scheduler = {caPem: pki.ca.cert, certPem: pki.scheduler['master1']!.cert, keyPem: pki.scheduler['master1']!.key};
		await expect(ensure([url], scheduler)).rejects.toThrow(/could not read the ClusterRoleBinding kube-apiserver:kubelet-apis on https:\/\/127\.0\.0\.1:\d+: HTTP 403: forbidden/);
		expect(writes).toEqual([]);
	});
});
