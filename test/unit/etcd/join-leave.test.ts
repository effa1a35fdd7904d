import {describe, expect, it} from 'vitest';
import type {EtcdClusterView, ListedMember, MemberStatus} from '../../../source/etcd/cluster-gate.js';
import type {EtcdClusterProbe} from '../../../source/etcd/https-etcd-probe.js';
import {etcdMember} from '../../../source/etcd/members.js';
import {joinMember, membershipOf} from '../../../source/run/etcd-member/join-member.js';
import {leaveCluster} from '../../../source/run/etcd-member/leave-member.js';
import type {NodeRun} from '../../../source/run/node-run.js';
import type {RunnerOptions} from '../../../source/run/run-options.js';

/**
 * A small model of an etcd cluster's membership, as its API answers (the collaborator of the
 * join and leave logic, not the thing under test): members with ids, who runs, who leads,
 * learners that etcd promotes only once they run; every call is logged in order.
 */
class FakeEtcd implements EtcdClusterProbe {
	calls: string[] = [];
	members: ListedMember[];
	running = new Set<string>();
	leader: string;
	next = 10;
	constructor(names: string[]) {
		this.members = names.map((name, i) => ({id: String(i + 1), name, peerUrls: [etcdMember({name, ip: ipOf(name)}).peerUrl], isLearner: false}));
		for (const n of names) this.running.add(n);
		this.leader = this.members[0]!.id;
	}
	async view(): Promise<EtcdClusterView> {
		const names = [...new Set([...this.members.map((m) => m.name).filter(Boolean), 'm4'])];
		const statuses: MemberStatus[] = names.map((name) => (this.running.has(name) ? {name, ok: true, leader: this.leader, memberId: this.idOf(name), raftIndex: 100, errors: []} : {name, ok: false, detail: 'connect ECONNREFUSED'}));
		return {statuses, members: this.members.map((m) => ({...m}))};
	}
	idOf(name: string): string {
		return this.members.find((m) => m.name === name)?.id ?? '0';
	}
	async moveLeader(leader: string, targetId: string): Promise<void> {
		this.calls.push(`move ${leader}->${this.members.find((m) => m.id === targetId)?.name}`);
		this.leader = targetId;
	}
	async addLearner(through: string, peerUrl: string): Promise<string> {
		this.calls.push(`add ${peerUrl} through ${through}`);
		const id = String(this.next++);
		this.members.push({id, name: '', peerUrls: [peerUrl], isLearner: true});
		return id;
	}
	async promote(through: string, id: string): Promise<void> {
		const m = this.members.find((x) => x.id === id)!;
		if (!this.running.has(m.name)) throw new Error('etcdserver: can only promote a learner member which is in sync with leader');
		this.calls.push(`promote ${m.name} through ${through}`);
		m.isLearner = false;
	}
	async removeMember(through: string, id: string): Promise<void> {
		this.calls.push(`remove ${this.members.find((m) => m.id === id)?.name || id} through ${through}`);
		this.members = this.members.filter((m) => m.id !== id);
	}
	/** The member at `ip` starts: it takes its name, and runs. */
	start(name: string): void {
		const m = this.members.find((x) => x.peerUrls.includes(etcdMember({name, ip: ipOf(name)}).peerUrl));
		if (m) m.name = name;
		this.running.add(name);
		this.calls.push(`start ${name}`);
	}
	close(): void {}
}

const ipOf = (name: string) => `10.0.0.${name.slice(1)}`;
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
	it('one already gone from the member list is only stopped and wiped', async () => {
		const etcd = new FakeEtcd(['m1', 'm2']);
		await leaveCluster(etcd, etcdMember({name: 'm3', ip: ipOf('m3')}), how(etcd, ['m1', 'm2']));
		expect(etcd.calls).toEqual(['stop', 'wipe']);
	});
});
