// status's clients line: the one endpoint probed for /readyz through the cluster CA and the
// admin certificate (a real local HTTPS server), a rogue or silent one said so, and without
// an endpoint the fact that clients have no failover; masters installed here that the
// profile no longer names are listed.
import https from 'node:https';
import type {AddressInfo} from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ProfileSchema} from '../../source/profile/schema.js';
import {clientsLine, departedLine, probeClients} from '../../source/status/clients.js';
import {buildReport, buildViewModel} from '../../source/status/view-model.js';
import {renderPlainTable} from '../../source/status/plain-table.js';
import {closedPort} from '../loopback-servers.js';
import {healthySnapshot, makeTestPki, type TestPki} from './status-fixtures.js';

const profile = (endpoint?: string) =>
	ProfileSchema.parse({
		name: 'p',
		kubernetesVersion: '1.37',
		binaries: '/tmp/bin',
		nodes: [
			{name: 'm1', ip: '198.18.0.11'},
			{name: 'm2', ip: '198.18.0.12'},
		],
		etcd: {endpoints: ['https://198.18.0.11:2379']},
		...(endpoint ? {apiserver: {endpoint}} : {}),
	});

describe('status: how clients reach the apiservers', () => {
	let pki: TestPki;
	let good: https.Server;
	let rogue: https.Server;
	const port = (s: https.Server) => (s.address() as AddressInfo).port;
	beforeAll(async () => {
		pki = makeTestPki();
		good = https.createServer({key: pki.serverKeyPem, cert: pki.serverPem, ca: pki.caPem, requestCert: true, rejectUnauthorized: true}, (req, res) => res.end(req.url === '/readyz' ? 'ok' : 'no'));
		rogue = https.createServer({key: pki.rogueKeyPem, cert: pki.rogueCertPem}, (_req, res) => res.end('ok'));
		for (const s of [good, rogue]) await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
	});
	afterAll(() => {
		good.close();
		rogue.close();
	});
	const admin = () => ({caPem: pki.caPem, certPem: pki.clientPem, keyPem: pki.clientKeyPem});

	it('an endpoint that answers /readyz with the admin certificate', async () => {
		const clients = await probeClients(profile(`127.0.0.1:${port(good)}`), admin(), 2000);
		expect(clients).toEqual({endpoint: `127.0.0.1:${port(good)}`, answers: true, detail: null});
		expect(clientsLine(clients, ['m1', 'm2'])).toBe(`clients: 127.0.0.1:${port(good)} answers /readyz`);
	});

	it('an endpoint with a certificate the cluster CA did not sign, or nothing listening, does not answer', async () => {
		const untrusted = await probeClients(profile(`127.0.0.1:${port(rogue)}`), admin(), 2000);
		expect(untrusted.answers).toBe(false);
		expect(clientsLine(untrusted, ['m1'])).toMatch(/does not answer \/readyz \(.+\): every client of the admin kubeconfig is cut off$/);
		const closed = await probeClients(profile(`127.0.0.1:${await closedPort()}`), admin(), 2000);
		expect(closed.answers).toBe(false);
	});

	it('without an endpoint: no failover, and how to reach another master', async () => {
		const clients = await probeClients(profile(), admin(), 2000);
		expect(clients).toEqual({endpoint: null, answers: null, detail: null});
		expect(clientsLine(clients, ['m1', 'm2'])).toBe('clients: no apiserver.endpoint, no failover: the admin kubeconfig has one context per master (current admin@m1); when it is down, kubectl --context admin@m2 …');
	});

	it('in the report and the plain table, with the masters that left the profile', () => {
		const snapshot = {...healthySnapshot(), clients: {endpoint: null, answers: null, detail: null}, departed: [{name: 'old-m9', ip: '198.18.0.19', installedAt: '2026-01-02T03:04:05.000Z'}]};
		expect(buildReport(snapshot).departed).toEqual(snapshot.departed);
		const table = renderPlainTable(buildViewModel(snapshot), 200);
		expect(table).toContain('clients: no apiserver.endpoint, no failover');
		expect(table).toContain("installed but no longer in the profile: old-m9 (198.18.0.19); its services may still run with the cluster's keys");
		expect(departedLine([])).toBeNull();
	});
});
