import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import type {HttpProbe, NodeStatus, StatusSnapshot, UnitStatus} from '../../source/status/json-schema.js';
import {SERVICES, type ServiceName} from '../../source/plan/types.js';

/** Shared fixtures for the status tests (not a test file itself). */

export const NOW = Date.parse('2026-11-20T03:00:00.000Z');
const DAY = 86_400_000;

export const ok = (): HttpProbe => ({state: 'ok', httpStatus: 200, detail: null, durationMs: 4});
export const refused = (): HttpProbe => ({state: 'error', httpStatus: null, detail: 'ECONNREFUSED: connect ECONNREFUSED', durationMs: 1});

export function unit(name: ServiceName, overrides: Partial<UnitStatus> = {}): UnitStatus {
	return {
		unit: name,
		loadState: 'loaded',
		activeState: 'active',
		subState: 'running',
		result: 'success',
		nRestarts: 0,
		since: new Date(NOW - 3 * DAY).toISOString(),
		mainStartedAt: new Date(NOW - 3 * DAY).toISOString(),
		...overrides,
	};
}

export function healthyNode(i: number): NodeStatus {
	const name = `lab-m${i}`;
	const ip = `198.18.0.${10 + i}`;
	return {
		name,
		ip,
		reachable: true,
		hostname: name,
		ssh: {state: 'ok', detail: null, durationMs: 30},
		units: Object.fromEntries(SERVICES.map((s) => [s, unit(s)])) as NodeStatus['units'],
		apiserver: {livez: ok(), readyz: ok(), failingChecks: [], version: 'v1.37.2'},
		controllerManager: {healthz: ok()},
		scheduler: {healthz: ok()},
		certificates: [
			{source: '/etc/kubernetes/cert/kubernetes.pem', kind: 'file', subject: 'CN=kubernetes-master', notAfter: new Date(NOW + 300 * DAY).toISOString(), daysLeft: 300},
			{source: '/etc/kubernetes/cert/ca.pem', kind: 'file', subject: 'CN=kubernetes-ca', notAfter: new Date(NOW + 3000 * DAY).toISOString(), daysLeft: 3000},
			{source: `https://${ip}:6443`, kind: 'served', subject: 'CN=kubernetes-master', notAfter: new Date(NOW + 300 * DAY).toISOString(), daysLeft: 300},
		],
	};
}

export function healthySnapshot(count = 3): StatusSnapshot {
	const renew = new Date(NOW - 2000).toISOString();
	return {
		schemaVersion: 1,
		profile: 'lab',
		timestamp: new Date(NOW).toISOString(),
		durationMs: 120,
		nodes: Array.from({length: count}, (_, i) => healthyNode(i + 1)),
		leases: {
			controllerManager: {
				name: 'kube-controller-manager',
				state: 'held',
				holderIdentity: 'lab-m1_5f0c4e0a-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
				holderNode: 'lab-m1',
				renewTime: renew,
				leaseDurationSeconds: 15,
				transitions: 2,
				expired: false,
				readFrom: 'lab-m1',
				detail: null,
			},
			scheduler: {
				name: 'kube-scheduler',
				state: 'held',
				holderIdentity: 'lab-m2_0a1b2c3d-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
				holderNode: 'lab-m2',
				renewTime: renew,
				leaseDurationSeconds: 15,
				transitions: 1,
				expired: false,
				readFrom: 'lab-m1',
				detail: null,
			},
		},
	};
}

/** A copy of the snapshot with one node changed. */
export function withNode(snapshot: StatusSnapshot, name: string, change: (n: NodeStatus) => void): StatusSnapshot {
	const copy = structuredClone(snapshot);
	const node = copy.nodes.find((n) => n.name === name);
	if (!node) throw new Error(`no node ${name}`);
	change(node);
	return copy;
}

export interface TestPki {
	dir: string;
	caPem: string;
	caKeyPem: string;
	serverPem: string;
	serverKeyPem: string;
	clientPem: string;
	clientKeyPem: string;
	/** Self-signed, not from the CA: a server we must not trust. */
	rogueCertPem: string;
	rogueKeyPem: string;
	cleanup(): void;
}

/** A throwaway CA, a server cert for 127.0.0.1 and an admin client cert, made with the openssl CLI (EC keys: fast). */
export function makeTestPki(): TestPki {
	const dir = mkdtempSync(join(tmpdir(), 'status-pki-'));
	const f = (name: string) => join(dir, name);
	const ssl = (...args: string[]) => execFileSync('openssl', args, {stdio: ['ignore', 'ignore', 'pipe']});
	const ecKey = (out: string) => ssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', f(out));
	ecKey('ca-key.pem');
	ssl('req', '-x509', '-new', '-key', f('ca-key.pem'), '-subj', '/CN=test-ca', '-days', '30', '-out', f('ca.pem'));
	const issue = (name: string, subject: string, ext: string, days: string) => {
		ecKey(`${name}-key.pem`);
		ssl('req', '-new', '-key', f(`${name}-key.pem`), '-subj', subject, '-out', f(`${name}.csr`));
		writeFileSync(f(`${name}.ext`), ext);
		ssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca-key.pem'), '-CAcreateserial', '-days', days, '-extfile', f(`${name}.ext`), '-out', f(`${name}.pem`));
	};
	issue('server', '/CN=kubernetes-master', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n', '20');
	issue('client', '/O=system:masters/CN=admin', 'extendedKeyUsage=clientAuth\n', '20');
	ecKey('rogue-key.pem');
	ssl('req', '-x509', '-new', '-key', f('rogue-key.pem'), '-subj', '/CN=rogue', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '5', '-out', f('rogue.pem'));
	const read = (name: string) => readFileSync(f(name), 'utf8');
	return {
		dir,
		caPem: read('ca.pem'),
		caKeyPem: read('ca-key.pem'),
		serverPem: read('server.pem'),
		serverKeyPem: read('server-key.pem'),
		clientPem: read('client.pem'),
		clientKeyPem: read('client-key.pem'),
		rogueCertPem: read('rogue.pem'),
		rogueKeyPem: read('rogue-key.pem'),
		cleanup: () => rmSync(dir, {recursive: true, force: true}),
	};
}

/** Polls until `check` passes (UI and I/O tests wait for content instead of sleeping). */
export async function waitFor<T>(check: () => T | undefined | false, timeoutMs = 5000, what = 'condition'): Promise<T> {
	const until = Date.now() + timeoutMs;
	for (;;) {
		const v = check();
		if (v) return v;
		if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 10));
	}
}

/** A rolling change's journal as run/journal.ts writes it: lab-m1 finished, lab-m2 part-way. */
export function changeJournal(state: 'running' | 'stopped', m2: {rolledBack?: boolean} = {}) {
	const all = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;
	return {
		version: 1 as const,
		startedAt: '2026-12-01T10:00:00.000Z',
		target: 'a'.repeat(64),
		release: 'v1.37.2',
		order: ['lab-m1', 'lab-m2', 'lab-m3'],
		passes: [[...all]],
		state,
		nodes: {
			'lab-m1': {generation: {id: 'g1', dir: '/var/lib/k8s-master-setup/generations/g1'}, restarted: [...all], finished: [...all], done: true},
			'lab-m2': {generation: {id: 'g2', dir: '/var/lib/k8s-master-setup/generations/g2'}, restarted: ['kube-apiserver' as const], finished: [], ...m2},
		},
	};
}
