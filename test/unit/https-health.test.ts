import https from 'node:https';
import type {AddressInfo} from 'node:net';
import type {TLSSocket} from 'node:tls';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {ServiceName} from '../../source/cluster/services.js';
import {ProfileSchema, type Profile} from '../../source/profile/schema.js';
import {createHttpsHealth} from '../../source/run/https-health.js';
import {makeTestPki, type TestPki} from './status-fixtures.js';

// The runner's health gate against real local HTTPS servers (certificates made with openssl):
// an apiserver that requires the admin client certificate and serves one Lease, a
// controller-manager that allows /healthz anonymously, a scheduler with a certificate the
// cluster CA did not sign.

async function listen(server: https.Server): Promise<number> {
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return (server.address() as AddressInfo).port;
}

describe('the health gate over the cluster client', () => {
	let pki: TestPki;
	let profile: Profile;
	let health: ReturnType<typeof createHttpsHealth>;
	const servers: https.Server[] = [];
	const apiRequests: Array<{url: string; clientCN: string; method: string}> = [];
	let kcmLease = {metadata: {name: 'kube-controller-manager', resourceVersion: '7'}, spec: {holderIdentity: 'node-a_0b1c', leaseDurationSeconds: 15, renewTime: new Date().toISOString()} as Record<string, unknown>};
	let changeBeforeWrite = false;

	beforeAll(async () => {
		pki = makeTestPki();
		const api = https.createServer({key: pki.serverKeyPem, cert: pki.serverPem, ca: pki.caPem, requestCert: true, rejectUnauthorized: true}, (req, res) => {
			apiRequests.push({url: req.url ?? '', clientCN: String((req.socket as TLSSocket).getPeerCertificate().subject?.CN), method: req.method ?? ''});
			if (req.url === '/readyz') return void res.end('ok');
			if (req.url === '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager') {
				if (req.method === 'GET') return void res.end(JSON.stringify(kcmLease));
				let body = '';
				req.on('data', (c: Buffer) => (body += c.toString()));
				req.on('end', () => {
					const sent = JSON.parse(body) as typeof kcmLease;
					if (changeBeforeWrite) kcmLease.metadata.resourceVersion = String(Number(kcmLease.metadata.resourceVersion) + 1);
					// The apiserver's optimistic concurrency: a write of an older resourceVersion is a conflict.
					if (sent.metadata.resourceVersion !== kcmLease.metadata.resourceVersion) return void res.writeHead(409).end('{"kind":"Status","reason":"Conflict"}');
					kcmLease = {...sent, metadata: {...sent.metadata, resourceVersion: String(Number(sent.metadata.resourceVersion) + 1)}};
					res.end(JSON.stringify(kcmLease));
				});
				return;
			}
			res.writeHead(404);
			res.end('{}');
		});
		const cm = https.createServer({key: pki.serverKeyPem, cert: pki.serverPem}, (req, res) => {
			res.writeHead(req.url === '/healthz' ? 200 : 404);
			res.end('ok');
		});
		const rogue = https.createServer({key: pki.rogueKeyPem, cert: pki.rogueCertPem}, (_req, res) => res.end('ok'));
		servers.push(api, cm, rogue);
		const ports: Record<ServiceName, number> = {'kube-apiserver': await listen(api), 'kube-controller-manager': await listen(cm), 'kube-scheduler': await listen(rogue)};
		profile = ProfileSchema.parse({
			name: 'health-test',
			kubernetesVersion: '1.37',
			binaries: '/opt/none',
			// Never contacted: `endpoint` sends every request to a server on loopback.
			nodes: [{name: 'node-a', ip: '198.51.100.1'}],
			etcd: {endpoints: ['https://127.0.0.1:2379']},
		});
		health = createHttpsHealth(profile, {caPem: pki.caPem, certPem: pki.clientPem, keyPem: pki.clientKeyPem}, 2000, (_node, service) => ({host: '127.0.0.1', port: ports[service]}));
	});

	afterAll(async () => {
		health?.close();
		await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
		pki?.cleanup();
	});

	it('asks the apiserver for /readyz with the admin client certificate', async () => {
		expect(await health.serviceHealthy(profile.nodes[0]!, 'kube-apiserver')).toEqual({ok: true, detail: 'ok'});
		expect(apiRequests).toContainEqual({url: '/readyz', clientCN: 'admin', method: 'GET'});
	});

	it('asks the controller-manager for /healthz, verified against the cluster CA', async () => {
		expect(await health.serviceHealthy(profile.nodes[0]!, 'kube-controller-manager')).toEqual({ok: true, detail: 'ok'});
	});

	it('does not trust a certificate the cluster CA did not sign', async () => {
		const r = await health.serviceHealthy(profile.nodes[0]!, 'kube-scheduler');
		expect(r.ok).toBe(false);
		expect(r.detail).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|certificate/i);
	});

	it('reads the Lease holders from the apiserver: one held, one absent', async () => {
		expect(await health.leaseHolders()).toEqual({'kube-controller-manager': 'node-a_0b1c', 'kube-scheduler': undefined});
	});

	it('hands the Lease over only while the gone instance holds it, with a write the apiserver refuses if the Lease changed', async () => {
		const puts = () => apiRequests.filter((r) => r.method === 'PUT');
		expect(await health.handOverLease('kube-controller-manager', 'node-a_someone-else')).toBe(false);
		expect(puts()).toEqual([]);
		changeBeforeWrite = true; // a candidate renewed it between the read and the write
		expect(await health.handOverLease('kube-controller-manager', 'node-a_0b1c')).toBe(false);
		expect(kcmLease.spec.holderIdentity).toBe('node-a_0b1c');
		changeBeforeWrite = false;
		expect(await health.handOverLease('kube-controller-manager', 'node-a_0b1c')).toBe(true);
		expect(kcmLease.spec).toMatchObject({holderIdentity: '', leaseDurationSeconds: 1});
		expect(puts()).toEqual([expect.objectContaining({clientCN: 'admin'}), expect.objectContaining({clientCN: 'admin'})]);
		expect(await health.leaseHolders()).toEqual({'kube-controller-manager': undefined, 'kube-scheduler': undefined});
	});
});
