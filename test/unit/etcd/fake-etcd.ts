import type {EtcdClusterView, ListedMember, MemberStatus} from '../../../source/etcd/cluster-gate.js';
import type {EtcdClusterProbe} from '../../../source/etcd/https-etcd-probe.js';
import {etcdMember} from '../../../source/etcd/members.js';

/** The fake members' addresses: m1 is 10.0.0.1. */
export const ipOf = (name: string) => `10.0.0.${name.slice(1)}`;

/**
 * A small model of an etcd cluster's membership, as its API answers (the collaborator of the
 * join and leave logic, not the thing under test): members with ids, who runs, who leads,
 * learners that etcd promotes only once they run; every call is logged in order.
 */
export class FakeEtcd implements EtcdClusterProbe {
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

