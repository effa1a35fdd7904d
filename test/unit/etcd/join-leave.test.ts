import {describe, expect, it} from 'vitest';
import {etcdMember} from '../../../source/etcd/members.js';
import {joinMember, membershipOf} from '../../../source/run/etcd-member/join-member.js';
import {leaveCluster} from '../../../source/run/etcd-member/leave-member.js';
import type {NodeRun} from '../../../source/run/node-run.js';
import type {RunnerOptions} from '../../../source/run/run-options.js';
import {FakeEtcd, ipOf} from './fake-etcd.js';

const node = (name: string, etcdBootstrap: 'new' | 'existing' = 'new') => ({node: {name, ip: ipOf(name)}, directories: [], files: [], etcdBootstrap});
const optionsWith = (installed: string[]) =>
	({
		plan: {nodes: [node('m1'), node('m2'), node('m3'), node('m4', 'existing')]},
		installed: {placedIdentity: (n: string) => (installed.includes(n) ? new Map() : undefined), remember: () => undefined},
	}) as unknown as RunnerOptions;
const m4run = {plan: node('m4', 'existing')} as unknown as NodeRun;
const steps = (etcd: FakeEtcd, lines: string[]) => ({say: (l: string) => lines.push(l), progress: () => undefined, start: async () => etcd.start('m4'), checkUnit: async () => undefined, timeoutMs: 2000, pollMs: 1});

describe('a master joining a stacked etcd', () => {
	const options = optionsWith(['m1', 'm2', 'm3']);
	it('is expected by nobody while it joins; founding and installed members must serve', () => {
		expect(membershipOf(options)).toEqual({expected: ['m1', 'm2', 'm3'], joining: [etcdMember({name: 'm4', ip: '10.0.0.4'})]});
		expect(membershipOf(optionsWith(['m1', 'm2', 'm3', 'm4'])).expected).toEqual(['m1', 'm2', 'm3', 'm4']);
	});

	it('is added as a learner through the leader, started, then promoted', async () => {
		const etcd = new FakeEtcd(['m1', 'm2', 'm3']);
		const lines: string[] = [];
		expect(await joinMember(options, m4run, etcd, steps(etcd, lines))).toEqual({added: true});
		expect(etcd.calls).toEqual(['add https://10.0.0.4:2380 through m1', 'start m4', 'promote m4 through m1']);
		expect(etcd.members.find((m) => m.name === 'm4')?.isLearner).toBe(false);
		expect(lines[0]).toBe('added m4 to etcd as a learner (https://10.0.0.4:2380) through m1');
	});

	it('is not added while a member is down: nothing is sent to etcd', async () => {
		const etcd = new FakeEtcd(['m1', 'm2', 'm3']);
		etcd.running.delete('m2');
		await expect(joinMember(options, m4run, etcd, steps(etcd, []))).rejects.toThrow(/^the etcd member of m4 was not added: the cluster is not healthy \(m2: connect ECONNREFUSED\)/);
		expect(etcd.calls).toEqual([]);
	});

	it('completes what an earlier run left (added, never started) without adding it twice', async () => {
		const etcd = new FakeEtcd(['m1', 'm2', 'm3']);
		await etcd.addLearner('m1', 'https://10.0.0.4:2380');
		etcd.calls = [];
		const lines: string[] = [];
		expect(await joinMember(options, m4run, etcd, steps(etcd, lines))).toEqual({added: false});
		expect(etcd.calls).toEqual(['start m4', 'promote m4 through m1']);
		expect(lines[0]).toBe('m4 was added to etcd by an earlier run (never started): completing it');
	});

	it("removes a replaced machine's old member (its name at another address) before the new one joins", async () => {
		const etcd = new FakeEtcd(['m1', 'm2', 'm3']);
		etcd.members.push({id: '9', name: 'm4', peerUrls: ['https://10.9.9.4:2380'], isLearner: false});
		await joinMember(optionsWith(['m1', 'm2', 'm3']), m4run, etcd, steps(etcd, []));
		expect(etcd.calls).toEqual(['remove m4 through m1', 'add https://10.0.0.4:2380 through m1', 'start m4', 'promote m4 through m1']);
	});

	it('fails naming the learner when it never catches up (it stays a learner, costing no quorum)', async () => {
		const etcd = new FakeEtcd(['m1', 'm2', 'm3']);
		await expect(joinMember(options, m4run, etcd, {...steps(etcd, []), start: async () => undefined, timeoutMs: 50})).rejects.toThrow(/^the etcd learner m4 was not promoted within 0 s: m4 has not started yet/);
		expect(etcd.members.find((m) => m.peerUrls[0] === 'https://10.0.0.4:2380')?.isLearner).toBe(true);
	});
});

describe('a member leaving a stacked etcd', () => {
	const how = (etcd: FakeEtcd, remaining: string[]) => ({say: () => undefined, stop: async () => void etcd.calls.push('stop'), wipe: async () => void etcd.calls.push('wipe'), remaining, pollMs: 1, timeoutMs: 200});
	it('hands leadership over first, is removed through another member, then stopped and wiped', async () => {
		const etcd = new FakeEtcd(['m1', 'm2', 'm3']);
		await leaveCluster(etcd, etcdMember({name: 'm1', ip: ipOf('m1')}), how(etcd, ['m2', 'm3']));
		expect(etcd.calls).toEqual(['move m1->m2', 'remove m1 through m2', 'stop', 'wipe']);
	});
	it('a follower leaves without a leadership move', async () => {
		const etcd = new FakeEtcd(['m1', 'm2', 'm3']);
		await leaveCluster(etcd, etcdMember({name: 'm3', ip: ipOf('m3')}), how(etcd, ['m1', 'm2']));
		expect(etcd.calls).toEqual(['remove m3 through m1', 'stop', 'wipe']);
	});
	it('is refused, changing nothing, when the members left would not keep a quorum of serving ones', async () => {
		const etcd = new FakeEtcd(['m1', 'm2', 'm3']);
		etcd.running.delete('m2');
		await expect(leaveCluster(etcd, etcdMember({name: 'm3', ip: ipOf('m3')}), how(etcd, ['m1', 'm2']))).rejects.toThrow(/^the etcd member m3 was not removed: without m3 the cluster has 2 voting members and needs 2 serving, but only 1 serve \(m2 down\)/);
		expect(etcd.calls).toEqual([]);
	});
	it('is refused when the cluster cannot commit the change: no quorum of its voters today', async () => {
		const etcd = new FakeEtcd(['m1', 'm2', 'm3']);
		etcd.running.delete('m2');
		etcd.running.delete('m3');
		await expect(leaveCluster(etcd, etcdMember({name: 'm3', ip: ipOf('m3')}), how(etcd, ['m1', 'm2']))).rejects.toThrow(/^the etcd member m3 was not removed: the cluster has lost its quorum: 1 of its 3 voting members serve \(m2, m3 down\), and a member change needs 2/);
		expect(etcd.calls).toEqual([]);
	});
	it('one already gone from the member list is only stopped and wiped', async () => {
		const etcd = new FakeEtcd(['m1', 'm2']);
		await leaveCluster(etcd, etcdMember({name: 'm3', ip: ipOf('m3')}), how(etcd, ['m1', 'm2']));
		expect(etcd.calls).toEqual(['stop', 'wipe']);
	});
});
