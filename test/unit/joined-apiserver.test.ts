// A master added to a serving control plane: only the new node is written and started, its
// apiserver must join the cluster (the three checks of add-master/joined-apiserver.ts, here against an
// in-memory API that answers as an apiserver does), and it must bring the cluster's release.
import {describe, expect, it} from 'vitest';
import type {Plan} from '../../source/plan/types.js';
import type {ProfileNode} from '../../source/profile/schema.js';
import type {RunEvent} from '../../source/run/events.js';
import {checkJoined, sliceAddresses, type JoinRequest} from '../../source/run/add-master/joined-apiserver.js';
import {judgeAddedRelease} from '../../source/run/version-skew.js';
import {FakeNode} from './fake-node.js';
import {fakeHealth, lab, makePlan, of, run} from './runner-fixtures.js';

const m1: ProfileNode = {name: 'm1', ip: '198.18.0.11'} as ProfileNode;
const m4: ProfileNode = {name: 'm4', ip: '198.18.0.14'} as ProfileNode;

/** One etcd behind every apiserver, unless a node is told to read another or trust another key. */
function fakeCluster(options: {slice?: string[]; otherEtcd?: string; otherKey?: string} = {}) {
	const etcd = new Map<string, Record<string, string>>();
	const elsewhere = new Map<string, Record<string, string>>();
	const calls: string[] = [];
	const request: JoinRequest = async (node, method, path, body) => {
		calls.push(`${node.name} ${method} ${path}`);
		const store = node.name === options.otherEtcd ? elsewhere : etcd;
		const ok = (value: unknown, status = 200) => ({ok: true, status, body: JSON.stringify(value), detail: null});
		if (path.endsWith('/endpointslices/kubernetes')) return ok({endpoints: [{addresses: options.slice ?? ['198.18.0.11', '198.18.0.14']}]});
		if (method === 'POST' && path.endsWith('/secrets')) {
			const secret = body as {metadata: {name: string}; data: Record<string, string>};
			store.set(secret.metadata.name, secret.data);
			return ok(secret, 201);
		}
		const secret = /\/secrets\/(.+)$/.exec(path)?.[1];
		if (secret && method === 'GET') return store.has(secret) ? ok({data: store.get(secret)}) : {ok: false, status: 404, body: '', detail: 'HTTP 404: not found'};
		if (secret && method === 'DELETE') return ok({}, store.delete(secret) ? 200 : 404);
		if (path.endsWith('/token')) return ok({status: {token: 'eyJ.token.from-m1'}}, 201);
		if (path.endsWith('/tokenreviews')) return ok({status: node.name === options.otherKey ? {authenticated: false, error: 'invalid bearer token'} : {authenticated: true}}, 201);
		return {ok: false, status: 404, body: '', detail: 'HTTP 404'};
	};
	return {request, calls, etcd};
}

describe('checkJoined', () => {
	it('passes a node that is one of the cluster, and removes its probe Secret', async () => {
		const cluster = fakeCluster();
		expect(await checkJoined(cluster.request, m4, m1)).toBe(
			'm4 joined: 198.18.0.14 is in the kubernetes EndpointSlice, a Secret written through m1 reads back through it, a token issued through m1 is accepted by it',
		);
		expect(cluster.etcd.size).toBe(0);
		expect(cluster.calls.filter((c) => c.startsWith('m4 '))).toEqual([expect.stringMatching(/^m4 GET \/api\/v1\/namespaces\/kube-system\/secrets\/k8s-master-setup-join-m4-/), 'm4 POST /apis/authentication.k8s.io/v1/tokenreviews']);
	});

	it('fails a node missing from the EndpointSlice, naming what it lists', async () => {
		const cluster = fakeCluster({slice: ['198.18.0.11']});
		await expect(checkJoined(cluster.request, m4, m1, {timeoutMs: 30, pollMs: 5})).rejects.toThrow('198.18.0.14 did not appear in the kubernetes EndpointSlice within 0s (read through m1: it lists 198.18.0.11)');
	});

	it('fails a node that reads another etcd, and still removes the probe Secret', async () => {
		const cluster = fakeCluster({otherEtcd: 'm4'});
		await expect(checkJoined(cluster.request, m4, m1)).rejects.toThrow(/^a Secret written through m1 does not read back through m4 \(HTTP 404: not found\)$/);
		expect(cluster.etcd.size).toBe(0);
	});

	it('fails a node that verifies tokens with another key', async () => {
		const cluster = fakeCluster({otherKey: 'm4'});
		await expect(checkJoined(cluster.request, m4, m1)).rejects.toThrow('a token issued through m1 is not accepted by m4 (invalid bearer token)');
	});

	it('reads the addresses of an EndpointSlice, and none from what is not one', () => {
		expect(sliceAddresses(JSON.stringify({endpoints: [{addresses: ['a']}, {addresses: ['b', 'c']}, {}]}))).toEqual(['a', 'b', 'c']);
		expect(sliceAddresses('<html>')).toEqual([]);
	});
});

describe('judgeAddedRelease', () => {
	const running = (release: string | undefined) => new Map((['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const).map((s) => [s, release] as const));
	it('refuses a master added with another release than the cluster runs', () => {
		const problem = judgeAddedRelease('v1.37.3', [{node: 'm1', versions: running('v1.37.2')}, {node: 'm4', versions: running(undefined)}]);
		expect(problem).toMatchObject({node: 'm4', rule: 'added-release', message: 'm4 would be added with v1.37.3 while m1 runs kube-apiserver v1.37.2'});
		expect(problem?.hint).toContain('then change the release in a run of its own');
	});
	it('lets one through with the cluster\'s release, and a first install or an upgrade without a new node', () => {
		expect(judgeAddedRelease('v1.37.2', [{node: 'm1', versions: running('v1.37.2')}, {node: 'm4', versions: running(undefined)}])).toBeUndefined();
		expect(judgeAddedRelease('v1.37.2', [{node: 'm1', versions: running(undefined)}, {node: 'm4', versions: running(undefined)}])).toBeUndefined();
		expect(judgeAddedRelease('v1.37.3', [{node: 'm1', versions: running('v1.37.2')}])).toBeUndefined();
	});
});

/** The fixture plan with a fourth node, m4, planned like the others. */
function planWithM4(): Plan {
	const plan = makePlan();
	const node = {...plan.nodes[2]!.node, name: 'm4', ip: '198.18.0.14'};
	const base = makePlan().nodes[2]!;
	plan.nodes.push({...base, node, files: base.files.map((f) => ({...f}))});
	return plan;
}

describe('runner: adding a master to a serving control plane', () => {
	it('writes and starts only the new node, gates its apiserver on joining, restarts nothing elsewhere', async () => {
		const nodes = lab();
		expect((await run(nodes)).result.ok).toBe(true);
		for (const n of nodes.values()) {
			n.restarts = [];
			n.uploads = [];
			for (const s of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const) n.versions.set(s, 'v1.37.2');
		}
		nodes.set('m4', new FakeNode('m4'));
		const joined: string[] = [];
		const health = {...fakeHealth(nodes), joined: async (n: ProfileNode) => (joined.push(n.name), `${n.name} joined: checked`)};
		const {events, result} = await run(nodes, {health}, planWithM4());
		expect(result.ok, JSON.stringify(of(events, 'step-failed'))).toBe(true);
		expect(joined).toEqual(['m4']);
		for (const name of ['m1', 'm2', 'm3']) {
			expect(nodes.get(name)!.uploads, name).toEqual([]);
			expect(nodes.get(name)!.restarts, name).toEqual([]);
		}
		expect(nodes.get('m4')!.restarts.map((r) => r.service)).toEqual(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
		const logs = (of(events, 'log') as Array<Extract<RunEvent, {type: 'log'}>>).filter((e) => e.node === 'm4').map((e) => e.line);
		expect(logs).toContain('m4 joined: checked');
	});

	it('rolls the new node back when its apiserver does not join, and leaves the others alone', async () => {
		const nodes = lab();
		expect((await run(nodes)).result.ok).toBe(true);
		for (const n of nodes.values()) {
			n.restarts = [];
			n.uploads = [];
		}
		nodes.set('m4', new FakeNode('m4'));
		const health = {
			...fakeHealth(nodes),
			joined: async () => {
				throw new Error('a token issued through m1 is not accepted by m4 (invalid bearer token)');
			},
		};
		const {events, result} = await run(nodes, {health}, planWithM4());
		expect(result.failedNodes).toEqual(['m4']);
		const failed = of(events, 'step-failed') as Array<Extract<RunEvent, {type: 'step-failed'}>>;
		expect(failed.map((e) => `${e.node} ${e.step} ${e.cause}`)).toEqual(['m4 apiserver a token issued through m1 is not accepted by m4 (invalid bearer token)']);
		// Rolled back: the files it did not have before are gone again, its services stopped.
		const m4node = nodes.get('m4')!;
		expect([...m4node.files.keys()].filter((p) => p.startsWith('/etc/') || p.startsWith('/opt/'))).toEqual([]);
		expect(m4node.calls.filter((c) => c.startsWith('stop '))).toEqual(['stop kube-apiserver']);
		expect([...m4node.active.values()].some(Boolean)).toBe(false);
		expect(of(events, 'node-rolled-back')).toMatchObject([{node: 'm4', ok: true}]);
		for (const name of ['m1', 'm2', 'm3']) expect(nodes.get(name)!.restarts, name).toEqual([]);
	});
});
