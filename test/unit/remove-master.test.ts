// Removing a master that left the profile: the refusals, when it is out of the cluster's
// view, its identity Lease, and the operation's order on a fake node and a fake cluster
// (what it stops, when it removes files, when it forgets).
import {describe, expect, it} from 'vitest';
import {ProfileSchema} from '../../source/profile/schema.js';
import type {ShellCommand} from '../../source/remote/shell.js';
import type {Transport} from '../../source/remote/transport.js';
import {describeRemoval, goneFromCluster, identityLeasesOf, judgeRemoval} from '../../source/run/remove-master/removal-plan.js';
import {removeMaster, type ClusterView} from '../../source/run/remove-master/remove-master.js';
import type {InstalledNode} from '../../source/state/installed-nodes-file.js';

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
	function fakes(options: {unreachable?: boolean; sliceLag?: number} = {}) {
		const log: string[] = [];
		let polls = 0;
		const transport = {
			node: 'm1',
			user: 'root',
			exec: async (command: ShellCommand) => {
				log.push(`exec ${String(command).split('\n')[0]!.slice(0, 40)}`);
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
			say: (line: string) => void log.push(`say ${line}`),
			pollMs: 1,
		};
		return {log, context};
	}

	it('stops the three services in order (handing a held Lease over), waits for the cluster, deletes its Lease, removes its files, then forgets it', async () => {
		const {log, context} = fakes({sliceLag: 2});
		await removeMaster(context);
		const steps = log.filter((l) => !l.startsWith('say ') || /left the kubernetes|removed and forgotten/.test(l));
		expect(steps).toEqual([
			'exec systemctl stop kube-scheduler',
			'exec systemctl stop kube-controller-manager',
			'hand over kube-controller-manager from lab-m1_1',
			'exec systemctl stop kube-apiserver',
			expect.stringMatching(/^say 198\.18\.0\.11 left the kubernetes EndpointSlice and both Leases are held by other masters/),
			'delete lease apiserver-aaa',
			expect.stringMatching(/^exec for s in kube-scheduler kube-controller-/),
			'close',
			'forget',
			'say m1 removed and forgotten in the state directory',
		]);
	});

	it('an unreachable master is refused, or forgotten with a warning under --forget-unreachable', async () => {
		const refused = fakes({unreachable: true});
		await expect(removeMaster(refused.context)).rejects.toThrow('m1 (198.18.0.11) cannot be reached to remove it: connect ECONNREFUSED 198.18.0.11:22');
		expect(refused.log).not.toContain('forget');
		const forgotten = fakes({unreachable: true});
		await removeMaster({...forgotten.context, forgetUnreachable: true});
		expect(forgotten.log).toEqual([expect.stringMatching(/^say warning: m1 is unreachable and is forgotten without being cleaned; .*client certificates stay valid until they expire/), 'delete lease apiserver-aaa', 'say deleted the apiserver identity Lease kube-system/apiserver-aaa of m1', 'forget']);
	});
});
