import https from 'node:https';
import net from 'node:net';
import type {AddressInfo} from 'node:net';
import type {TLSSocket} from 'node:tls';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ProfileSchema, type Profile} from '../../source/profile/schema.js';
import type {ExecOptions, ExecResult, Transport} from '../../source/remote/transport.js';
import {StatusSnapshotSchema} from '../../source/status/json-schema.js';
import {createStatusProber, type ProbedComponent, type StatusProber} from '../../source/status/probes.js';
import {buildViewModel} from '../../source/status/view-model.js';
import {makeTestPki, type TestPki} from './status-fixtures.js';

// Long enough that a local HTTPS handshake finishes in time on a 2-core machine running the
// whole suite (600 ms did not: node-a's probes timed out there), short enough for a hung node.
const PROBE_TIMEOUT_MS = 2000;

/**
 * The probes against real local HTTPS servers on 127.0.0.1 (certificates made with openssl
 * in the test): node-a serves an apiserver (client certificate required), a controller-manager
 * and a scheduler with a rogue self-signed certificate; node-b never answers anything (TCP
 * accepted, no TLS) and its SSH exec hangs; node-c refuses connections and has no SSH.
 */

const READYZ_FAILING = '[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\n[+]poststarthook/start-apiextensions-controllers ok\nreadyz check failed\n';

function fakeTransport(node: string, exec: (command: string, options?: ExecOptions) => Promise<ExecResult>): Transport {
	return {
		node,
		user: 'k8s',
		exec,
		sha256: async () => new Map(),
		readFile: async () => undefined,
		upload: async () => undefined,
		close: async () => undefined,
	};
}

async function listen(server: net.Server): Promise<number> {
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return (server.address() as AddressInfo).port;
}

describe('status probes against local HTTPS endpoints', () => {
	let pki: TestPki;
	let profile: Profile;
	let prober: StatusProber;
	let makeProber: () => StatusProber;
	const servers: net.Server[] = [];
	const hungSockets: net.Socket[] = [];
	const clientCNs: string[] = [];
	let apiConnections = 0;
	let ready = false;
	const ports: Record<string, number> = {};
	const execCalls: Array<{node: string; command: string; options?: ExecOptions}> = [];

	beforeAll(async () => {
		pki = makeTestPki();
		const api = https.createServer({key: pki.serverKeyPem, cert: pki.serverPem, ca: pki.caPem, requestCert: true, rejectUnauthorized: true}, (req, res) => {
			const peer = (req.socket as TLSSocket).getPeerCertificate();
			clientCNs.push(String(peer.subject?.CN));
			const url = req.url ?? '';
			const json = (status: number, body: unknown) => {
				res.writeHead(status, {'content-type': 'application/json'});
				res.end(JSON.stringify(body));
			};
			if (url === '/livez') return void res.end('ok');
			if (url === '/readyz?verbose') {
				if (ready) return void res.end('[+]ping ok\n[+]etcd ok\nreadyz check passed\n');
				res.writeHead(500);
				return void res.end(READYZ_FAILING);
			}
			if (url === '/version') return json(200, {major: '1', minor: '37', gitVersion: 'v1.37.2'});
			if (url === '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager') {
				return json(200, {
					kind: 'Lease',
					spec: {holderIdentity: 'node-a-host_6b3c1e52-4c1f-4b0e-a0f4-2c9d8d0f1e11', leaseDurationSeconds: 15, renewTime: new Date().toISOString(), leaseTransitions: 3},
				});
			}
			return json(404, {kind: 'Status', reason: 'NotFound'});
		});
		api.on('secureConnection', () => apiConnections++);
		const cm = https.createServer({key: pki.serverKeyPem, cert: pki.serverPem}, (req, res) => res.end(req.url === '/healthz' ? 'ok' : 'nope'));
		const rogue = https.createServer({key: pki.rogueKeyPem, cert: pki.rogueCertPem}, (_req, res) => res.end('ok'));
		const hang = net.createServer((socket) => hungSockets.push(socket));
		const closed = net.createServer();
		servers.push(api, cm, rogue, hang);
		ports.api = await listen(api);
		ports.cm = await listen(cm);
		ports.rogue = await listen(rogue);
		ports.hang = await listen(hang);
		ports.closed = await listen(closed);
		await new Promise((r) => closed.close(r));

		profile = ProfileSchema.parse({
			name: 'probe-test',
			kubernetesVersion: '1.37',
			binaries: '/opt/none',
			nodes: [
				// Never contacted: `endpoint` below sends every probe to a server on loopback.
				{name: 'node-a', ip: '198.51.100.1'},
				{name: 'node-b', ip: '198.51.100.2'},
				{name: 'node-c', ip: '198.51.100.3'},
			],
			etcd: {endpoints: ['https://127.0.0.1:2379']},
		});
		const endpoint = (node: {name: string}, component: ProbedComponent) => {
			if (node.name === 'node-a') return {host: '127.0.0.1', port: {apiserver: ports.api!, controllerManager: ports.cm!, scheduler: ports.rogue!}[component]};
			return {host: '127.0.0.1', port: node.name === 'node-b' ? ports.hang! : ports.closed!};
		};
		makeProber = () => createStatusProber({profile, admin: {caPem: pki.caPem, certPem: pki.clientPem, keyPem: pki.clientKeyPem}, timeoutMs: PROBE_TIMEOUT_MS, endpoint});
		prober = makeProber();
	});

	afterAll(async () => {
		prober?.close();
		for (const s of hungSockets) s.destroy();
		await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
		pki?.cleanup();
	});

	const connections = () =>
		new Map<string, Transport | Error>([
			[
				'node-a',
				fakeTransport('node-a', async (command, options) => {
					execCalls.push({node: 'node-a', command, options});
					return {
						code: 0,
						stderr: '',
						stdout: [
							'### hostname',
							'node-a-host',
							'### systemd',
							'Id=kube-apiserver.service\nLoadState=loaded\nActiveState=active\nSubState=running\nNRestarts=0\nStateChangeTimestamp=@1763600000',
							'',
							'Id=kube-controller-manager.service\nLoadState=loaded\nActiveState=active\nSubState=running\nNRestarts=1',
							'',
							'Id=kube-scheduler.service\nLoadState=loaded\nActiveState=failed\nSubState=failed\nResult=exit-code\nNRestarts=5',
							...(command.includes('### certificates') ? ['### certificates', '## file /etc/kubernetes/cert/kubernetes.pem', pki.serverPem.trim()] : []),
							'### end',
							'',
						].join('\n'),
					};
				}),
			],
			[
				'node-b',
				fakeTransport('node-b', (command, options) => {
					execCalls.push({node: 'node-b', command, options});
					return new Promise(() => undefined);
				}),
			],
			['node-c', new Error('connect ECONNREFUSED 127.0.0.3:22')],
		]);

	it('one refresh: parses every probe, presents the admin client certificate, a hung node costs one timeout', async () => {
		const started = performance.now();
		const snap = await prober.probe(connections());
		const elapsed = Math.round(performance.now() - started);
		expect(StatusSnapshotSchema.safeParse(snap).success).toBe(true);
		// Every probe of node-b (SSH and five HTTPS requests) timed out, in parallel: the
		// refresh waited for one timeout, but not for six in a row. Bounds this wide hold on a
		// busy 2-core machine; the measured time is in the message.
		expect(elapsed, `the refresh took ${elapsed} ms`).toBeGreaterThanOrEqual(PROBE_TIMEOUT_MS - 10);
		expect(elapsed, `the refresh took ${elapsed} ms`).toBeLessThan(PROBE_TIMEOUT_MS * 4);

		const [a, b, c] = snap.nodes;
		expect(a).toMatchObject({
			name: 'node-a',
			reachable: true,
			hostname: 'node-a-host',
			ssh: {state: 'ok'},
			apiserver: {
				livez: {state: 'ok', httpStatus: 200},
				readyz: {state: 'failed', httpStatus: 500, detail: 'failing: etcd'},
				failingChecks: [{name: 'etcd', reason: 'reason withheld'}],
				version: 'v1.37.2',
			},
			controllerManager: {healthz: {state: 'ok'}},
			scheduler: {healthz: {state: 'untrusted'}},
		});
		expect(a!.scheduler.healthz.detail).toMatch(/SELF_SIGNED/);
		expect(a!.units['kube-scheduler']).toMatchObject({activeState: 'failed', nRestarts: 5});
		expect(a!.units['kube-apiserver']?.since).toBe(new Date(1763600000_000).toISOString());
		expect(a!.certificates.map((x) => [x.source, x.kind, x.daysLeft])).toEqual([
			['/etc/kubernetes/cert/kubernetes.pem', 'file', 19],
			[`https://127.0.0.1:${ports.api}`, 'served', 19],
			[`https://127.0.0.1:${ports.cm}`, 'served', 19],
		]);
		expect(clientCNs.length).toBeGreaterThanOrEqual(3);
		expect(new Set(clientCNs)).toEqual(new Set(['admin']));
		const nodeAExec = execCalls.find((x) => x.node === 'node-a')!;
		expect(nodeAExec.options?.sudo).toBe(true);
		expect(nodeAExec.command).toContain('systemctl show');

		expect(b).toMatchObject({
			reachable: false,
			ssh: {state: 'timeout'},
			apiserver: {livez: {state: 'timeout'}, readyz: {state: 'timeout'}, version: null},
			controllerManager: {healthz: {state: 'timeout'}},
			scheduler: {healthz: {state: 'timeout'}},
			certificates: [],
		});
		expect(c).toMatchObject({
			reachable: false,
			ssh: {state: 'unreachable', detail: 'connect ECONNREFUSED 127.0.0.3:22'},
			apiserver: {livez: {state: 'error'}},
		});
		expect(c!.apiserver.livez.detail).toMatch(/ECONNREFUSED/);
		// No apiserver ready: the Leases cannot be read.
		expect(snap.leases.controllerManager).toMatchObject({state: 'unknown', detail: 'no kube-apiserver is ready to read it from'});

		const view = buildViewModel(snap);
		expect(view.rows.map((r) => r.cells.map((x) => x.state))).toEqual([
			['degraded', 'ok', 'failed'],
			['unreachable', 'unreachable', 'unreachable'],
			['unreachable', 'unreachable', 'unreachable'],
		]);
		expect(view.exitCode).toBe(1);
	});

	it('next refresh: Leases read from the ready apiserver and mapped by hostname; kept connections reused; a still-hung node is not asked again', async () => {
		// A prober of its own and its own first refresh, so that this test also runs alone.
		const own = makeProber();
		const firstCall = execCalls.length;
		ready = false;
		try {
			await own.probe(connections());
			ready = true;
			await nextRefresh(own, firstCall);
		} finally {
			own.close();
			ready = false;
		}
	});

	async function nextRefresh(prober: StatusProber, firstCall: number): Promise<void> {
		const before = apiConnections;
		const execsBefore = execCalls.filter((x) => x.node === 'node-b').length;
		const snap = await prober.probe(connections());
		expect(snap.nodes[0]!.apiserver.readyz.state).toBe('ok');
		expect(snap.leases.controllerManager).toMatchObject({state: 'held', holderNode: 'node-a', transitions: 3, readFrom: 'node-a', expired: false});
		expect(snap.leases.scheduler).toMatchObject({state: 'absent', readFrom: 'node-a', detail: 'the Lease does not exist'});
		// 5 requests to the apiserver this time; keep-alive reuses the three sockets of the first refresh.
		expect(apiConnections - before).toBeLessThan(5);
		expect(snap.nodes[0]!.certificates.map((x) => x.source)).toEqual(['/etc/kubernetes/cert/kubernetes.pem', `https://127.0.0.1:${ports.api}`, `https://127.0.0.1:${ports.cm}`]);
		expect(snap.nodes[1]!.ssh).toMatchObject({state: 'timeout', detail: 'the previous probe on this node has not returned yet'});
		expect(execCalls.filter((x) => x.node === 'node-b').length).toBe(execsBefore);
		// Certificate files are re-read once a minute, not on every refresh; the cached ones still show.
		const nodeAExecs = execCalls.slice(firstCall).filter((x) => x.node === 'node-a');
		expect(nodeAExecs[0]!.command).toContain('### certificates');
		expect(nodeAExecs.at(-1)!.command).not.toContain('### certificates');
		expect(nodeAExecs.at(-1)!.command).toContain('systemctl show');
		const view = buildViewModel(snap);
		expect(view.rows[0]!.cells.find((x) => x.component === 'controllerManager')?.leader).toBe(true);
		expect(view.exitCode).toBe(1); // the scheduler Lease has no holder
	}

	it('an apiserver that does not accept our client certificate fails the probe (the server really checks it)', async () => {
		const other = createStatusProber({
			profile: {...profile, nodes: [profile.nodes[0]!]},
			admin: {caPem: pki.caPem, certPem: pki.rogueCertPem, keyPem: pki.rogueKeyPem},
			timeoutMs: PROBE_TIMEOUT_MS,
			endpoint: (_n, component) => ({host: '127.0.0.1', port: component === 'apiserver' ? ports.api! : ports.cm!}),
		});
		try {
			const snap = await other.probe(new Map([['node-a', new Error('no ssh in this test')]]));
			expect(['error', 'failed']).toContain(snap.nodes[0]!.apiserver.livez.state);
			expect(snap.nodes[0]!.controllerManager.healthz.state).toBe('ok');
		} finally {
			other.close();
		}
	});
});
