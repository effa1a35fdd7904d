import {describe, expect, it} from 'vitest';
import {describeEtcdCluster, judgeCaughtUp, judgeEtcdCluster, leaderOf, type EtcdClusterView, type MemberStatus} from '../../../source/etcd/cluster-gate.js';
import {memberInputDigest, memberRestartReason} from '../../../source/run/etcd-member/member-step.js';
import type {NodePlan, PlannedFile} from '../../../source/plan/types.js';

const up = (name: string, leader = '11', memberId = name === 'm1' ? '11' : name === 'm2' ? '22' : '33'): MemberStatus => ({name, ok: true, leader, memberId, raftIndex: 10, errors: []});
const listed = (...names: string[]) => names.map((name, i) => ({id: String(i), name, peerUrls: [`https://10.0.0.${i + 1}:2380`], isLearner: false}));
const whole: EtcdClusterView = {statuses: [up('m1'), up('m2'), up('m3')], members: listed('m1', 'm2', 'm3')};
const expected = ['m1', 'm2', 'm3'];

describe('the stacked etcd cluster gate', () => {
	it('holds for every member answering, one leader and the member list of the profile', () => {
		expect(judgeEtcdCluster(whole, expected)).toBeUndefined();
		expect(describeEtcdCluster(whole)).toBe('etcd: 3 members healthy, m1 leads');
	});

	it('names what is missing: a member down, no leader, two leaders, an alarm, another member list, a member never started, a learner', () => {
		expect(judgeEtcdCluster({...whole, statuses: [up('m1'), {name: 'm2', ok: false, detail: 'connect ECONNREFUSED 10.0.0.2:2379'}, up('m3')]}, expected)).toBe('m2: connect ECONNREFUSED 10.0.0.2:2379');
		expect(judgeEtcdCluster({...whole, statuses: [up('m1', '0'), up('m2', '0'), up('m3', '0')]}, expected)).toBe('no leader elected yet');
		expect(judgeEtcdCluster({...whole, statuses: [up('m1', '11'), up('m2', '22'), up('m3', '11')]}, expected)).toMatch(/name different leaders/);
		expect(judgeEtcdCluster({...whole, statuses: [up('m1'), {...up('m2'), errors: ['NOSPACE']} as MemberStatus, up('m3')]}, expected)).toBe('m2 reports NOSPACE');
		expect(judgeEtcdCluster({...whole, members: listed('m1', 'm2', 'm4')}, expected)).toBe("the member list is m1, m2, m4, the profile's masters are m1, m2, m3");
		expect(judgeEtcdCluster({...whole, members: [...listed('m1', 'm2', 'm3'), {id: '9', name: '', peerUrls: ['https://10.0.0.9:2380'], isLearner: false}]}, expected)).toMatch(/1 member\(s\) added but not started \(https:\/\/10.0.0.9:2380\)/);
		expect(judgeEtcdCluster({...whole, members: listed('m1', 'm2', 'm3').map((m) => (m.name === 'm3' ? {...m, isLearner: true} : m))}, expected)).toBe('m3 still a learner');
		expect(judgeEtcdCluster({statuses: whole.statuses}, expected)).toBe('the member list was not read');
	});
});

const file = (path: string, sha256: string, member: boolean): PlannedFile => ({path, mode: 0o644, step: 'certificates', sha256, size: 1, secret: false, services: [], ...(member ? {member: true as const} : {})});
const plan = {node: {name: 'm1', ip: '10.0.0.1'}, directories: [], files: [file('/x/etcd/server.pem', 'a', true), file('/x/etcd.service', 'b', true), file('/x/kubernetes.pem', 'c', false)]} as unknown as NodePlan;
const remote = (hashes: Record<string, string>, etcd?: {active: boolean; enabled: boolean; applied?: string}) => ({hashes: new Map(Object.entries(hashes)), appliedDigests: new Map(), active: new Map(), enabled: new Map(), ...(etcd ? {etcd} : {})});

describe('the gate while a master joins or leaves', () => {
	const m4 = {name: 'm4', peerUrl: 'https://10.0.0.4:2380'};
	it('lets the joining master be absent, unstarted, a learner or down, and nobody else', () => {
		const statuses = [...whole.statuses, {name: 'm4', ok: false as const, detail: 'connect ECONNREFUSED 10.0.0.4:2379'}];
		expect(judgeEtcdCluster({statuses, members: listed('m1', 'm2', 'm3')}, expected, [m4])).toBeUndefined();
		expect(judgeEtcdCluster({statuses, members: [...listed('m1', 'm2', 'm3'), {id: '9', name: '', peerUrls: [m4.peerUrl], isLearner: true}]}, expected, [m4])).toBeUndefined();
		expect(judgeEtcdCluster({statuses: [...whole.statuses, up('m4')], members: [...listed('m1', 'm2', 'm3'), {id: '9', name: 'm4', peerUrls: [m4.peerUrl], isLearner: true}]}, expected, [m4])).toBeUndefined();
		// Without it joining, each of those is a problem.
		expect(judgeEtcdCluster({statuses, members: listed('m1', 'm2', 'm3')}, expected)).toBe('m4: connect ECONNREFUSED 10.0.0.4:2379');
		// Another unstarted member (not at the joining master's address) still is.
		expect(judgeEtcdCluster({statuses: whole.statuses, members: [...listed('m1', 'm2', 'm3'), {id: '9', name: '', peerUrls: ['https://10.0.0.9:2380'], isLearner: true}]}, expected, [m4])).toMatch(/added but not started \(https:\/\/10.0.0.9:2380\)/);
		// Once it must serve (its own wait after the promotion), a learner is not enough.
		expect(judgeEtcdCluster({statuses: [...whole.statuses, up('m4')], members: [...listed('m1', 'm2', 'm3'), {id: '9', name: 'm4', peerUrls: [m4.peerUrl], isLearner: true}]}, [...expected, 'm4'], [m4])).toBe('m4 still a learner');
	});
	it('lets a leaving master still be a member, and requires every expected one', () => {
		expect(judgeEtcdCluster(whole, ['m2', 'm3'], [{name: 'm1', peerUrl: 'https://10.0.0.1:2380'}])).toBeUndefined();
		expect(judgeEtcdCluster({...whole, members: listed('m1', 'm2')}, ['m2', 'm3'], [{name: 'm1', peerUrl: 'https://10.0.0.1:2380'}])).toMatch(/^the member list is m1, m2/);
	});
});

describe('the leader, and a restarted member catching up', () => {
	it('names the leader only when the members agree', () => {
		expect(leaderOf(whole)?.name).toBe('m1');
		expect(leaderOf({statuses: [up('m1', '11'), up('m2', '22')]})).toBeUndefined();
		expect(leaderOf({statuses: [up('m1', '0')]})).toBeUndefined();
	});
	it('a member caught up once its raft index reached where the leader was', () => {
		const at = (raftIndex: number): EtcdClusterView => ({statuses: [{...up('m2'), raftIndex} as MemberStatus]});
		expect(judgeCaughtUp(at(120), 'm2', 120)).toBeUndefined();
		expect(judgeCaughtUp(at(90), 'm2', 120)).toBe('m2 at raft index 90, the leader was at 120');
		expect(judgeCaughtUp({statuses: [{name: 'm2', ok: false, detail: 'x'}]}, 'm2', 1)).toBe('m2 does not answer');
	});
});

describe('when a stacked member restarts', () => {
	const same = {'/x/etcd/server.pem': 'a', '/x/etcd.service': 'b', '/x/kubernetes.pem': 'OTHER'};
	it('not for a file of the control plane, nor when it runs with the inputs it last started with', () => {
		expect(memberRestartReason({plan, remote: remote(same, {active: true, enabled: true, applied: memberInputDigest(plan)})})).toBeUndefined();
	});
	it('for a changed input, a member not running, or one whose last start did not finish with these inputs', () => {
		expect(memberRestartReason({plan, remote: remote({...same, '/x/etcd/server.pem': 'z'}, {active: true, enabled: true, applied: memberInputDigest(plan)})})).toBe('inputs changed: server.pem');
		expect(memberRestartReason({plan, remote: remote(same, {active: false, enabled: true, applied: memberInputDigest(plan)})})).toBe('not running');
		expect(memberRestartReason({plan, remote: remote(same, {active: true, enabled: true})})).toBe('not started by this tool yet');
		expect(memberRestartReason({plan, remote: remote(same, {active: true, enabled: true, applied: 'f'.repeat(64)})})).toBe('last start did not finish with these inputs');
	});
});
