import {describe, expect, it} from 'vitest';
import {etcdModeSwitchRefusal, judgeMemberChange, stackedMembershipRefusal} from '../../../source/run/etcd-member/membership-refusal.js';
import {quorumAfterRemoval} from '../../../source/run/etcd-member/leave-member.js';
import type {EtcdClusterView, MemberStatus} from '../../../source/etcd/cluster-gate.js';

const nodes = (...names: string[]) => names.map((name, i) => ({name, ip: `10.0.0.${i + 1}`}));
const stacked = {mode: 'stacked'} as const;

describe('a stacked etcd takes one member change per apply', () => {
	it('refuses an added and a removed master together, naming the order that works', () => {
		const refusal = stackedMembershipRefusal({etcd: stacked, nodes: nodes('m2', 'm3', 'm4')} as never, nodes('m1', 'm2', 'm3'));
		expect(refusal?.message).toBe('the profile adds m4 and removes m1 at once: with etcd.mode: stacked each master is an etcd member, and a member is added or removed one change at a time (each one keeps the quorum)');
		expect(refusal?.hint).toBe('first apply without m4 (it removes m1), then add m4 and apply again; a replaced machine goes the same way; nothing was changed');
	});

	it('refuses two masters added at once (etcd admits one learner at a time)', () => {
		const refusal = stackedMembershipRefusal({etcd: stacked, nodes: nodes('m1', 'm2', 'm3', 'm4', 'm5')} as never, nodes('m1', 'm2', 'm3'));
		expect(refusal?.message).toMatch(/adds m4, m5 at once: .* etcd admits one learner at a time/);
		expect(refusal?.hint).toMatch(/^add m4 first \(the installed masters are m1, m2, m3\)/);
	});

	it('lets one added master, one removed master, a first install, the same masters, and an external etcd through', () => {
		expect(stackedMembershipRefusal({etcd: stacked, nodes: nodes('m1', 'm2', 'm3', 'm4')} as never, nodes('m1', 'm2', 'm3'))).toBeUndefined();
		expect(stackedMembershipRefusal({etcd: stacked, nodes: nodes('m2', 'm3')} as never, nodes('m1', 'm2', 'm3'))).toBeUndefined();
		expect(stackedMembershipRefusal({etcd: stacked, nodes: nodes('m1', 'm2', 'm3')} as never, [])).toBeUndefined();
		expect(stackedMembershipRefusal({etcd: stacked, nodes: nodes('m1', 'm2', 'm3')} as never, nodes('m3', 'm1', 'm2'))).toBeUndefined();
		expect(stackedMembershipRefusal({etcd: {mode: 'external'}, nodes: nodes('m1', 'm2', 'm3', 'm4', 'm5')} as never, nodes('m1', 'm2', 'm3'))).toBeUndefined();
	});
});

const up = (name: string, memberId: string): MemberStatus => ({name, ok: true, leader: '1', memberId, raftIndex: 10, errors: []});
const down = (name: string): MemberStatus => ({name, ok: false, detail: 'connect ECONNREFUSED'});
const listed = (...names: string[]) => names.map((name, i) => ({id: String(i + 1), name, peerUrls: [`https://10.0.0.${i + 1}:2380`], isLearner: false}));

describe('a member change against the cluster as it is', () => {
	const change = (added: string[], removed: string[]) => ({added, removed, had: ['m1', 'm2', 'm3']});
	it('refuses an add while an installed member is down, naming it', () => {
		const view: EtcdClusterView = {statuses: [up('m1', '1'), down('m2'), up('m3', '3')], members: listed('m1', 'm2', 'm3')};
		expect(judgeMemberChange(view, change(['m4'], []))?.message).toBe('m4 is not added: the etcd cluster is not healthy (m2: connect ECONNREFUSED)');
		expect(judgeMemberChange({...view, statuses: [up('m1', '1'), up('m2', '2'), up('m3', '3')]}, change(['m4'], []))).toBeUndefined();
	});
	it('refuses a removal that would leave no quorum of serving members, and lets one through that keeps it', () => {
		// m1 leaves, m2 down: m2 and m3 left, a quorum of 2 needs both.
		const view: EtcdClusterView = {statuses: [up('m1', '1'), down('m2'), up('m3', '3')], members: listed('m1', 'm2', 'm3')};
		expect(judgeMemberChange(view, change([], ['m1']))?.message).toBe('m1 is not removed: without m1 the cluster has 2 voting members and needs 2 serving, but only 1 serve (m2 down)');
		// m2 itself leaves while down: m1 and m3 serve.
		expect(judgeMemberChange(view, change([], ['m2']))).toBeUndefined();
		const five: EtcdClusterView = {statuses: [up('m1', '1'), down('m2'), up('m3', '3'), up('m4', '4'), up('m5', '5')], members: listed('m1', 'm2', 'm3', 'm4', 'm5')};
		expect(judgeMemberChange(five, {added: [], removed: ['m1'], had: ['m1', 'm2', 'm3', 'm4', 'm5']})).toBeUndefined();
		expect(quorumAfterRemoval({statuses: [up('m1', '1')], members: listed('m1')}, listed('m1')[0]!)).toBe("m1 is the cluster's only voting member");
	});
	it('refuses removing a lost master from a cluster that lost its quorum (it could not commit the change), the hint a restore onto the masters left', () => {
		// Two of three lost: m1 alone cannot commit a member removal.
		const view: EtcdClusterView = {statuses: [up('m1', '1'), down('m2'), down('m3')], members: listed('m1', 'm2', 'm3')};
		const refusal = judgeMemberChange(view, change([], ['m3']));
		expect(refusal?.message).toBe('m3 is not removed: the cluster has lost its quorum: 1 of its 3 voting members serve (m2, m3 down), and a member change needs 2');
		expect(refusal?.hint).toMatch(/^bring the members that are down back .* masters lost for good: take them out of the profile, etcd restore --snapshot FILE onto the masters left, then apply --remove-nodes --forget-unreachable forgets each lost one; nothing was changed$/);
		// After the restore the lost members are no longer listed: nothing to refuse.
		expect(judgeMemberChange({statuses: [up('m1', '1')], members: listed('m1')}, change([], ['m3']))).toBeUndefined();
	});
});

describe('an installed cluster keeps its etcd mode', () => {
	const installed = nodes('m1', 'm2', 'm3');
	it('refuses external → stacked and stacked → external once masters are installed, naming the way back', () => {
		expect(etcdModeSwitchRefusal({etcd: stacked} as never, installed, false)?.message).toMatch(/^etcd.mode is stacked, but this state directory installed the masters against an external etcd/);
		expect(etcdModeSwitchRefusal({etcd: {mode: 'external'}} as never, installed, true)?.hint).toBe('keep etcd.mode: stacked; nothing was changed');
	});
	it('lets the same mode and a first install through', () => {
		expect(etcdModeSwitchRefusal({etcd: stacked} as never, installed, true)).toBeUndefined();
		expect(etcdModeSwitchRefusal({etcd: {mode: 'external'}} as never, installed, false)).toBeUndefined();
		expect(etcdModeSwitchRefusal({etcd: stacked} as never, [], false)).toBeUndefined();
	});
});
