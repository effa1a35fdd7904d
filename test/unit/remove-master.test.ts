// Removing a master that left the profile: the refusals, when it is out of the cluster's
// view, its identity Lease, and the operation's order on a fake node and a fake cluster
// (what it stops, when it removes files, when it forgets), each step reported as it starts
// and ends, and those reports as the run's events.
import {describe, expect, it} from 'vitest';
import {ProfileSchema} from '../../source/profile/schema.js';
import type {ShellCommand} from '../../source/remote/shell.js';
import type {Transport} from '../../source/remote/transport.js';
import {describeRemoval, goneFromCluster, identityLeasesOf, judgeRemoval} from '../../source/run/remove-master/removal-plan.js';
import {removeMaster, type ClusterView, type RemovalReport} from '../../source/run/remove-master/remove-master.js';
import {finishedWithRemoval, removalEvents} from '../../source/run/remove-master/removal-events.js';
import type {RunEvent} from '../../source/run/events.js';
import {StepError} from '../../source/run/step-error.js';
import type {InstalledNode} from '../../source/state/installed-nodes-file.js';
import {etcdMember} from '../../source/etcd/members.js';
import {FakeEtcd, ipOf} from './etcd/fake-etcd.js';

const gone: InstalledNode = {name: 'm1', ip: '198.18.0.11', hostname: 'lab-m1', release: 'v1.37.2', installedAt: '2026-11-01T00:00:00.000Z', appliedAt: '2026-12-01T00:00:00.000Z', identity: {}};
const profile = ProfileSchema.parse({name: 'p', kubernetesVersion: '1.37', binaries: '/tmp/bin', nodes: [{name: 'm2', ip: '198.18.0.12'}, {name: 'm3', ip: '198.18.0.13'}], etcd: {endpoints: ['https://198.18.0.12:2379']}});
const ready = (...names: string[]) => new Map(profile.nodes.map((n) => [n.name, names.includes(n.name)]));

describe('judgeRemoval', () => {
	it('one master per run', () => {
		expect(judgeRemoval([gone, {...gone, name: 'm4'}], profile.nodes, ready('m2', 'm3'))?.message).toBe('m1, m4 left the profile together: one master is removed per run');
	});
	it('never the last serving master, never while another is down', () => {
		expect(judgeRemoval([gone], profile.nodes, ready())?.message).toBe('removing m1 would leave no serving master: no master of the profile has a ready kube-apiserver');
		expect(judgeRemoval([gone], profile.nodes, ready('m2'))?.message).toBe('removing m1 while m3 is not ready would leave the cluster two masters short');
		expect(judgeRemoval([gone], profile.nodes, ready('m2', 'm3'))).toBeUndefined();
		expect(judgeRemoval([], profile.nodes, ready())).toBeUndefined();
	});
	it('the plan names every step', () => {
		expect(describeRemoval(gone, true)).toEqual([
			'm1 (198.18.0.11): installed by this state directory on 2026-11-01, no longer in the profile: to be removed',
			expect.stringMatching(/^ {2}1\. stop kube-scheduler/),
			expect.stringMatching(/^ {2}2\. wait until its address left/),
			expect.stringMatching(/^ {2}3\. delete its apiserver identity Lease/),
			expect.stringMatching(/^ {2}4\. remove .* and its binaries$/),
			expect.stringMatching(/^ {2}5\. forget it/),
		]);
	});
});

describe('goneFromCluster and its identity Lease', () => {
	it('waits for the EndpointSlice, then for both Leases to be held by others', () => {
		expect(goneFromCluster(gone, ['198.18.0.11', '198.18.0.12'], {})).toEqual({gone: false, waiting: '198.18.0.11 is still in the kubernetes EndpointSlice'});
		expect(goneFromCluster(gone, ['198.18.0.12'], {'kube-controller-manager': 'lab-m1_1f2e', 'kube-scheduler': 'lab-m2_9a'})).toEqual({gone: false, waiting: 'the kube-controller-manager Lease is still held by m1 (lab-m1)'});
		expect(goneFromCluster(gone, ['198.18.0.12'], {'kube-controller-manager': 'lab-m3_1f2e'})).toEqual({gone: false, waiting: 'nobody holds the kube-scheduler Lease yet'});
		expect(goneFromCluster(gone, ['198.18.0.12'], {'kube-controller-manager': 'lab-m3_1f2e', 'kube-scheduler': 'lab-m2_9a'})).toEqual({gone: true});
	});
	it('finds the identity Lease by its hostname label', () => {
		const list = JSON.stringify({items: [{metadata: {name: 'apiserver-aaa', labels: {'kubernetes.io/hostname': 'lab-m1'}}}, {metadata: {name: 'apiserver-bbb', labels: {'kubernetes.io/hostname': 'lab-m2'}}}]});
		expect(identityLeasesOf(list, 'lab-m1', 'm1')).toEqual(['apiserver-aaa']);
		expect(identityLeasesOf('not json', 'lab-m1', 'm1')).toEqual([]);
	});
});

describe('removeMaster', () => {
	function fakes(options: {unreachable?: boolean; sliceLag?: number; failing?: RegExp} = {}) {
		const log: string[] = [];
		let polls = 0;
		const transport = {
			node: 'm1',
			user: 'root',
			exec: async (command: ShellCommand) => {
				log.push(`exec ${String(command).split('\n')[0]!.slice(0, 40)}`);
				if (options.failing?.test(String(command))) return {code: 1, stdout: '', stderr: 'rm: cannot remove /etc/kubernetes: Read-only file system'};
				return {code: 0, stdout: 'removed /etc/kubernetes/cert/ca.pem\nremoved /etc/kubernetes/cert/sa.key\n', stderr: ''};
			},
			close: async () => void log.push('close'),
		} as unknown as Transport;
		const cluster: ClusterView = {
			sliceAddresses: async () => (polls++ < (options.sliceLag ?? 0) ? ['198.18.0.11', '198.18.0.12'] : ['198.18.0.12']),
			leaseHolders: async () => ({'kube-controller-manager': polls > 0 ? 'lab-m2_1' : 'lab-m1_1', 'kube-scheduler': 'lab-m3_2'}),
			identityLeases: async () => JSON.stringify({items: [{metadata: {name: 'apiserver-aaa', labels: {'kubernetes.io/hostname': 'lab-m1'}}}]}),
			deleteLease: async (name) => void log.push(`delete lease ${name}`),
			handOverLease: async (service, holder) => (log.push(`hand over ${service} from ${holder}`), true),
		};
		const context = {
			profile,
			gone,
			purge: false,
			forgetUnreachable: false,
			connect: async () => {
				if (options.unreachable) throw new Error('connect ECONNREFUSED 198.18.0.11:22');
				return transport;
			},
			cluster,
			forget: () => void log.push('forget'),
			report: (r: RemovalReport) => void log.push(`${r.status} ${r.step}${r.status === 'failed' ? `: ${(r.error as Error).message}` : r.status === 'skipped' ? `: ${r.reason}` : ''}`),
			say: (line: string) => void log.push(`say ${line}`),
			pollMs: 1,
		};
		return {log, context};
	}

	const reports = (log: string[]) => log.filter((l) => /^(started|done|skipped|failed) /.test(l));

	it('stops the three services in order (handing a held Lease over), waits for the cluster, deletes its Lease, removes its files, then forgets it', async () => {
		const {log, context} = fakes({sliceLag: 2});
		await removeMaster(context);
		const steps = log.filter((l) => !l.startsWith('say ') || /left the kubernetes|removed and forgotten/.test(l));
		expect(steps).toEqual([
			'started stop-services',
			'exec systemctl stop kube-scheduler',
			'exec systemctl stop kube-controller-manager',
			'hand over kube-controller-manager from lab-m1_1',
			'exec systemctl stop kube-apiserver',
			'done stop-services',
			'started wait-gone',
			expect.stringMatching(/^say 198\.18\.0\.11 left the kubernetes EndpointSlice and both Leases are held by other masters/),
			'done wait-gone',
			'started delete-lease',
			'delete lease apiserver-aaa',
			'done delete-lease',
			'started remove-files',
			expect.stringMatching(/^exec for s in kube-scheduler kube-controller-/),
			'done remove-files',
			'close',
			'started forget',
			'forget',
			'say m1 removed and forgotten in the state directory',
			'done forget',
		]);
	});

	it('a failing step is reported as failed, with the error it throws; nothing after it runs', async () => {
		const {log, context} = fakes({failing: /^for s in kube-scheduler/});
		await expect(removeMaster(context)).rejects.toThrow("removing the tool's files on m1 failed (exit 1)");
		expect(reports(log)).toEqual([
			'started stop-services',
			'done stop-services',
			'started wait-gone',
			'done wait-gone',
			'started delete-lease',
			'done delete-lease',
			'started remove-files',
			"failed remove-files: removing the tool's files on m1 failed (exit 1)",
		]);
		expect(log).not.toContain('forget');
		expect(log.at(-1)).toBe('close');
	});

	it('an unreachable master is refused, or forgotten with a warning under --forget-unreachable', async () => {
		const refused = fakes({unreachable: true});
		await expect(removeMaster(refused.context)).rejects.toThrow('m1 (198.18.0.11) cannot be reached to remove it: connect ECONNREFUSED 198.18.0.11:22');
		expect(refused.log).not.toContain('forget');
		expect(reports(refused.log)).toEqual(['started stop-services', expect.stringMatching(/^failed stop-services: m1 \(198\.18\.0\.11\) cannot be reached/)]);
		const forgotten = fakes({unreachable: true});
		await removeMaster({...forgotten.context, forgetUnreachable: true});
		expect(forgotten.log).toEqual([
			'started stop-services',
			expect.stringMatching(/^say warning: m1 is unreachable and is forgotten without being cleaned; .*client certificates stay valid until they expire/),
			'skipped stop-services: m1 is unreachable (--forget-unreachable)',
			'skipped wait-gone: m1 is unreachable (--forget-unreachable)',
			'started delete-lease',
			'delete lease apiserver-aaa',
			'say deleted the apiserver identity Lease kube-system/apiserver-aaa of m1',
			'done delete-lease',
			'skipped remove-files: m1 is unreachable (--forget-unreachable)',
			'started forget',
			'forget',
			'done forget',
		]);
	});

	it("with a stacked etcd, an unreachable master's member is taken out of etcd through the others before it is forgotten", async () => {
		const etcd = new FakeEtcd(['m1', 'm2', 'm3']);
		etcd.running.delete('m1');
		etcd.leader = etcd.idOf('m2');
		const {log, context} = fakes({unreachable: true});
		await removeMaster({...context, forgetUnreachable: true, etcd: {probe: etcd, member: etcdMember({name: 'm1', ip: ipOf('m1')}), remaining: ['m2', 'm3']}});
		expect(etcd.calls).toEqual(['remove m1 through m2']);
		expect(etcd.members.map((m) => m.name)).toEqual(['m2', 'm3']);
		expect(reports(log)).toEqual([
			'started stop-services',
			'skipped stop-services: m1 is unreachable (--forget-unreachable)',
			'skipped wait-gone: m1 is unreachable (--forget-unreachable)',
			'started delete-lease',
			'done delete-lease',
			'started remove-files',
			'done remove-files',
			'started forget',
			'done forget',
		]);
		expect(log).toContainEqual(expect.stringMatching(/^say m1's files, etcd unit and data dir stay on it \(unreachable\)/));
		expect(log.filter((l) => l.startsWith('exec '))).toEqual([]);
	});

	it('with a stacked etcd that lost its quorum, an unreachable master is not forgotten: the hint is a restore', async () => {
		const etcd = new FakeEtcd(['m1', 'm2']);
		etcd.running.delete('m1');
		const {log, context} = fakes({unreachable: true});
		await expect(removeMaster({...context, forgetUnreachable: true, etcd: {probe: etcd, member: etcdMember({name: 'm1', ip: ipOf('m1')}), remaining: ['m2']}})).rejects.toThrow(
			/^the etcd member m1 was not removed: the cluster has lost its quorum: 1 of its 2 voting members serve \(m1 down\), and a member change needs 2$/,
		);
		const error = await removeMaster({...context, forgetUnreachable: true, etcd: {probe: etcd, member: etcdMember({name: 'm1', ip: ipOf('m1')}), remaining: ['m2']}}).catch((e: StepError) => e);
		expect((error as StepError).hint).toMatch(/masters lost for good: take them out of the profile, etcd restore --snapshot FILE onto the masters left/);
		expect(etcd.calls).toEqual([]);
		expect(log).not.toContain('forget');
	});
});

describe('removalEvents', () => {
	it('stamps each report as a removal-step event, each line under the step that said it, a failure with its hint and detail', () => {
		const events: RunEvent[] = [];
		let clock = 1000;
		const removal = removalEvents('m1', (e) => events.push(e), () => clock);
		removal.report({step: 'stop-services', status: 'started'});
		clock += 300;
		removal.say('stopped kube-scheduler on m1');
		removal.report({step: 'stop-services', status: 'done'});
		removal.report({step: 'wait-gone', status: 'started'});
		clock += 90_000;
		removal.report({step: 'wait-gone', status: 'failed', error: new StepError('m1 is stopped but still in the cluster\'s view after 90 s', 'check the other masters (status)', 'slice: 198.18.0.11')});
		expect(events).toEqual([
			{type: 'removal-step', at: 1000, node: 'm1', step: 'stop-services', status: 'started'},
			{type: 'removal-step', at: 1300, node: 'm1', step: 'stop-services', status: 'progress', message: 'stopped kube-scheduler on m1'},
			{type: 'removal-step', at: 1300, node: 'm1', step: 'stop-services', status: 'done', durationMs: 300},
			{type: 'removal-step', at: 1300, node: 'm1', step: 'wait-gone', status: 'started'},
			{type: 'removal-step', at: 91_300, node: 'm1', step: 'wait-gone', status: 'failed', durationMs: 90_000, cause: "m1 is stopped but still in the cluster's view after 90 s", hint: 'check the other masters (status)', detail: 'slice: 198.18.0.11'},
		]);
	});

	it("the run's run-finished counts the removal", () => {
		const finished = {type: 'run-finished' as const, at: 5000, ok: true, durationMs: 4000, failedNodes: []};
		expect(finishedWithRemoval(finished, {node: 'm1', ok: true, durationMs: 1000})).toEqual({...finished, at: 6000, durationMs: 5000});
		expect(finishedWithRemoval(finished, {node: 'm1', ok: false, durationMs: 1000})).toEqual({...finished, at: 6000, ok: false, durationMs: 5000, failedNodes: ['m1']});
	});
});
