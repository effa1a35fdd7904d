// The preflight gate, one judgement at a time: a node that fails any check fails its
// preflight, and no node gets a single file, directory or restart.
import {describe, expect, it} from 'vitest';
import type {RunEvent} from '../../source/run/events.js';
import type {FakeNode} from './fake-node.js';
import {lab, of, run} from './runner-fixtures.js';

// 400 MB of binaries, about what a real release weighs: the disk check needs twice that.
const binaries = {arch: 'x86_64', totalBytes: 400_000_000};

const cases: Array<{check: string; breakNode: (n: FakeNode) => void; cause: RegExp}> = [
	{check: 'no systemd', breakNode: (n) => (n.facts.systemd = false), cause: /^m2 does not run systemd$/},
	{check: 'clock skew', breakNode: (n) => (n.facts.clockOffsetSeconds = 120), cause: /^m2's clock is 1(19|20|21)s off this machine's$/},
	{check: 'no disk space', breakNode: (n) => (n.facts.availKib = 100_000), cause: /^m2 has 97 MiB free for the binaries, needs 763 MiB$/},
	{check: 'wrong architecture', breakNode: (n) => (n.facts.arch = 'aarch64'), cause: /^m2 is aarch64 but the binaries are built for x86_64$/},
	{
		check: 'port taken by another program',
		breakNode: (n) => (n.facts.listeners = [{port: 10259, process: 'nginx'}]),
		cause: /^m2: port 10259 is held by "nginx", not kube-scheduler$/,
	},
	{check: 'etcd unreachable', breakNode: (n) => (n.facts.etcdReachable = false), cause: /^m2 cannot reach etcd at https:\/\/198\.18\.0\.11:2379$/},
];

describe('runner preflight gate', () => {
	it('passes a healthy lab (the cases below differ from it in one fact each)', async () => {
		const nodes = lab();
		const {result} = await run(nodes, {binaries});
		expect(result.ok).toBe(true);
	});

	it.each(cases)('$check: fails its node and writes nothing on any node', async ({breakNode, cause}) => {
		const nodes = lab();
		breakNode(nodes.get('m2') as FakeNode);
		const {events, result} = await run(nodes, {binaries});
		expect(result.ok).toBe(false);
		expect(result.failedNodes).toEqual(['m2']);
		const failed = of(events, 'step-failed') as Array<Extract<RunEvent, {type: 'step-failed'}>>;
		expect(failed.map((e) => `${e.node} ${e.step}`)).toEqual(['m2 preflight']);
		expect(failed[0]?.cause).toMatch(cause);
		expect(failed[0]?.hint).toBeTruthy();
		for (const n of nodes.values()) {
			expect(n.uploads, n.name).toEqual([]);
			expect(n.files.size, n.name).toBe(0);
			expect(n.restarts, n.name).toEqual([]);
			expect(n.calls.filter((c) => c === 'ensureDirectories' || c.startsWith('restart') || c.startsWith('markApplied') || c === 'recordHashes'), n.name).toEqual([]);
		}
		for (const other of ['m1', 'm3']) {
			const skipped = (of(events, 'step-skipped') as Array<Extract<RunEvent, {type: 'step-skipped'}>>).filter((e) => e.node === other);
			expect(skipped.map((e) => e.step)).toEqual(['binaries', 'certificates', 'configs', 'apiserver', 'controller-manager', 'scheduler', 'verify']);
			expect(new Set(skipped.map((e) => e.reason))).toEqual(new Set(['stopped before any change: m2 failed preflight']));
		}
	});
});
