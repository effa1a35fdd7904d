// The cluster-identity gate: a node that holds another cluster's CA, service-account key,
// front-proxy CA or encryption config is refused (exit 2) before any node gets a file, and
// the state directory gains nothing; a node without them (a new master) and a file this
// state placed before pass. The judge alone first, then through the runner on fake nodes.
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import type {Plan} from '../../source/plan/types.js';
import {identityDifferences, judgeClusterIdentity} from '../../source/run/cluster-identity.js';
import type {RunEvent} from '../../source/run/events.js';
import {installedEntry} from '../../source/run/installed-nodes.js';
import {newNodeRun} from '../../source/run/node-run.js';
import {installedNodesFile, mergeInstalled, nodesLeftProfile, readInstalledNodes, INSTALLED_NODES_FILE, type InstalledNode} from '../../source/state/installed-nodes-file.js';
import type {FakeNode} from './fake-node.js';
import {file, lab, makePlan, of, run} from './runner-fixtures.js';

const CA = '/etc/kubernetes/cert/ca.pem';
const SA = '/etc/kubernetes/cert/sa.pub';
const ENC = '/etc/kubernetes/encryption-config.yaml';

/** The fixture plan with the three identity files of this state directory on every node. */
function planWithIdentity(): Plan {
	const plan = makePlan();
	for (const n of plan.nodes) {
		n.files.push(
			{...file(CA, 'certificates', ['kube-apiserver'], 'OUR CA\n'), identity: 'cluster CA'},
			{...file(SA, 'certificates', ['kube-apiserver'], 'OUR SA\n'), identity: 'service-account public key'},
			{...file(ENC, 'configs', ['kube-apiserver'], 'OUR KEY\n', true), identity: 'encryption config'},
		);
	}
	return plan;
}

const sha = (text: string) => file('/x', 'configs', [], text).sha256;

describe('identityDifferences', () => {
	const files = planWithIdentity().nodes[0]!.files;
	it('passes a node without the files, and one that holds exactly these', () => {
		expect(identityDifferences(files, new Map(), undefined)).toEqual([]);
		expect(identityDifferences(files, new Map(files.map((f) => [f.path, f.sha256])), undefined)).toEqual([]);
	});
	it('names each identity file whose content differs, with both hashes; other files may differ', () => {
		const onNode = new Map(files.map((f) => [f.path, f.identity ? sha('THEIRS') : sha('older unit')]));
		onNode.set(SA, files.find((f) => f.path === SA)!.sha256);
		const found = identityDifferences(files, onNode, undefined);
		expect(found.map((d) => [d.role, d.path, d.onNode])).toEqual([
			['cluster CA', CA, sha('THEIRS')],
			['encryption config', ENC, sha('THEIRS')],
		]);
		expect(found[0]!.planned).toBe(files.find((f) => f.path === CA)!.sha256);
	});
	it('accepts what this state directory placed there before', () => {
		const onNode = new Map([[CA, sha('RENEWED CA')]]);
		expect(identityDifferences(files, onNode, new Map([[CA, sha('RENEWED CA')]]))).toEqual([]);
		expect(identityDifferences(files, onNode, new Map([[CA, sha('another')]]))).toHaveLength(1);
	});
	it('judges: the node, the file, both fingerprints, and the way on', () => {
		const problem = judgeClusterIdentity('m2', [{path: CA, role: 'cluster CA', onNode: 'a'.repeat(64), planned: 'b'.repeat(64)}]);
		expect(problem?.message).toMatch(/^m2 belongs to a cluster this state directory did not build: cluster CA \/etc\/kubernetes\/cert\/ca\.pem \(sha256 a{16}… there, b{16}… in this state directory\)/);
		expect(problem?.hint).toContain('state recover --from m2');
		expect(judgeClusterIdentity('m2', [])).toBeUndefined();
	});
	it('an encryption config alone differing on a node with this cluster\'s CA: a hand edit, said so, still refused', () => {
		const files = planWithIdentity().nodes[0]!.files;
		const encryption = files.find((f) => f.path === ENC)!;
		const ours = new Map(files.map((f) => [f.path, f.sha256] as const));
		const edited = new Map([...ours, [ENC, 'c'.repeat(64)]]);
		const differences = identityDifferences(files, edited, undefined);
		expect(differences).toEqual([{path: ENC, role: 'encryption config', onNode: 'c'.repeat(64), planned: encryption.sha256}]);
		const drift = judgeClusterIdentity('m3', differences, files, edited);
		expect(drift?.message).toMatch(/^m3: its encryption config \/etc\/kubernetes\/encryption-config\.yaml differs from the state's \(sha256 c{16}… there, .*while its CA is this cluster's: edited by hand/);
		expect(drift?.hint).toContain('remove the file from m3 and run apply');
		// Another CA on the node too: another cluster, as before.
		const theirs = new Map([...edited, [CA, 'd'.repeat(64)]]);
		expect(judgeClusterIdentity('m3', identityDifferences(files, theirs, undefined), files, theirs)?.message).toMatch(/^m3 belongs to a cluster this state directory did not build/);
	});
});

describe('runner: a node of another cluster', () => {
	function withTheirs(nodes: Map<string, FakeNode>, node: string, path: string, text: string) {
		nodes.get(node)!.files.set(path, {content: Buffer.from(text), mode: 0o600});
	}

	it('is refused before any node gets a file, and the state is not committed', async () => {
		const nodes = lab();
		withTheirs(nodes, 'm3', ENC, 'THEIR KEY\n');
		let committed = 0;
		const {events, result} = await run(nodes, {beforeFirstWrite: async () => void committed++}, planWithIdentity());
		expect(result.ok).toBe(false);
		expect(result.refused).toBe(true);
		expect(result.failedNodes).toEqual(['m3']);
		const failed = of(events, 'step-failed') as Array<Extract<RunEvent, {type: 'step-failed'}>>;
		expect(failed.map((e) => `${e.node} ${e.step}`)).toEqual(['m3 preflight']);
		expect(failed[0]!.cause).toContain(`encryption config ${ENC} (sha256 ${sha('THEIR KEY\n').slice(0, 16)}`);
		expect(committed).toBe(0);
		for (const n of nodes.values()) {
			expect(n.uploads, n.name).toEqual([]);
			expect(n.restarts, n.name).toEqual([]);
		}
	});

	it('is refused by a dry run as well', async () => {
		const nodes = lab();
		withTheirs(nodes, 'm1', CA, 'THEIR CA\n');
		const {result} = await run(nodes, {dryRun: true}, planWithIdentity());
		expect(result.refused).toBe(true);
		expect(result.failedNodes).toEqual(['m1']);
	});

	it('passes with what this state placed, commits once and records every node it finished', async () => {
		const nodes = lab();
		withTheirs(nodes, 'm2', CA, 'OUR CA, renewed\n');
		const dir = mkdtempSync(join(tmpdir(), 'installed-'));
		const installed = installedNodesFile(dir, [
			{name: 'm2', ip: '198.18.0.12', hostname: 'old', release: 'v1.37.1', installedAt: '2026-01-01T00:00:00.000Z', appliedAt: '2026-01-01T00:00:00.000Z', identity: {[CA]: sha('OUR CA, renewed\n')}},
			{name: 'gone', ip: '198.18.0.19', hostname: null, release: 'v1.37.1', installedAt: '2026-01-01T00:00:00.000Z', appliedAt: '2026-01-01T00:00:00.000Z', identity: {}},
		]);
		let committed = 0;
		const {result} = await run(nodes, {installed, beforeFirstWrite: async () => void committed++}, planWithIdentity());
		expect(result.ok).toBe(true);
		expect(committed).toBe(1);
		const recorded = readInstalledNodes(dir);
		expect(recorded.map((n) => n.name)).toEqual(['m2', 'gone', 'm1', 'm3']);
		const m2 = recorded.find((n) => n.name === 'm2')!;
		expect(m2.installedAt).toBe('2026-01-01T00:00:00.000Z');
		expect(m2.release).toBe('v1.37.2');
		expect(m2.identity[CA]).toBe(planWithIdentity().nodes[1]!.files.find((f) => f.path === CA)!.sha256);
		expect(Object.keys(m2.identity).sort()).toEqual([CA, ENC, SA].sort());
		expect(nodesLeftProfile(recorded, planWithIdentity().profile.nodes).map((n) => n.name)).toEqual(['gone']);
	});
});

describe('runner: a rolling change of the encryption config stopped part-way', () => {
	it('records no new identity or release for the nodes it never reached, so the re-run passes the gate and finishes', async () => {
		const nodes = lab();
		const dir = mkdtempSync(join(tmpdir(), 'installed-'));
		const installed = installedNodesFile(dir, []);
		expect((await run(nodes, {installed}, planWithIdentity())).result.ok).toBe(true);
		// A new config (a rotation's next phase): stopped once the first node has it.
		const next = planWithIdentity();
		for (const n of next.nodes) {
			const i = n.files.findIndex((f) => f.path === ENC);
			n.files[i] = {...file(ENC, 'configs', ['kube-apiserver'], 'OUR KEYS, NEXT PHASE\n', true), identity: 'encryption config'};
		}
		const stop = new AbortController();
		const first = await run(nodes, {installed, signal: stop.signal, emit: (e: RunEvent) => void (e.type === 'step-done' && e.step === 'apiserver' && stop.abort())}, next);
		expect(first.result.ok).toBe(false);
		const has = (name: string) => nodes.get(name)!.files.get(ENC)!.content.toString();
		const reached = ['m1', 'm2', 'm3'].filter((n) => has(n) === 'OUR KEYS, NEXT PHASE\n');
		expect(reached).toHaveLength(1);
		const recorded = new Map(readInstalledNodes(dir).map((n) => [n.name, n]));
		for (const name of ['m1', 'm2', 'm3']) {
			const expected = reached.includes(name) ? sha('OUR KEYS, NEXT PHASE\n') : sha('OUR KEY\n');
			expect(recorded.get(name)!.identity[ENC], name).toBe(expected);
		}
		// The same change again: every node accepted, and it finishes.
		const again = await run(nodes, {installed}, next);
		expect(again.result.refused).toBeUndefined();
		expect(again.result.ok).toBe(true);
		for (const name of ['m1', 'm2', 'm3']) expect(has(name), name).toBe('OUR KEYS, NEXT PHASE\n');
	});
});

describe('installed-nodes.json', () => {
	it('merges by name, keeping the first install time and a hostname the new run did not learn', () => {
		const plan = planWithIdentity();
		const entry = installedEntry(newNodeRun(plan.nodes[0]!), 'v1.37.2', new Date('2026-12-01T00:00:00Z'));
		const before: InstalledNode = {...entry, hostname: 'lab-m1', installedAt: '2026-06-01T00:00:00.000Z', release: 'v1.36.3'};
		const [merged] = mergeInstalled([before], [entry]);
		expect(merged).toMatchObject({name: 'm1', hostname: 'lab-m1', installedAt: '2026-06-01T00:00:00.000Z', appliedAt: '2026-12-01T00:00:00.000Z', release: 'v1.37.2'});
	});
	it('a file that is not ours is an error naming it, not an empty record', () => {
		const dir = mkdtempSync(join(tmpdir(), 'installed-'));
		expect(readInstalledNodes(dir)).toEqual([]);
		writeFileSync(join(dir, INSTALLED_NODES_FILE), '{"nodes": "no"}');
		expect(() => readInstalledNodes(dir)).toThrow(/installed-nodes\.json is not a record of installed nodes/);
		installedNodesFile(dir, []).remember([]);
		expect(JSON.parse(readFileSync(join(dir, INSTALLED_NODES_FILE), 'utf8'))).toEqual({version: 1, nodes: []});
	});
});
