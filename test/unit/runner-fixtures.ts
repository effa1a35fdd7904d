// Shared fixtures for the runner's unit tests: a three-node profile, a plan of seven small
// files, fake nodes (fake-node.ts) and a health probe that reads the fakes' service state.
import {createHash} from 'node:crypto';
import type {Plan, PlannedFile, ServiceName} from '../../source/plan/types.js';
import {ProfileSchema, type StepName} from '../../source/profile/schema.js';
import type {RunEvent} from '../../source/run/events.js';
import {runPlan, type RunnerOptions} from '../../source/run/runner.js';
import type {HealthProbe} from '../../source/run/services.js';
import {FakeNode} from './fake-node.js';

export const profile = ProfileSchema.parse({
	name: 'test',
	kubernetesVersion: '1.37',
	binaries: '/tmp/bin',
	nodes: [
		{name: 'm1', ip: '198.18.0.11'},
		{name: 'm2', ip: '198.18.0.12'},
		{name: 'm3', ip: '198.18.0.13'},
	],
	etcd: {endpoints: ['https://198.18.0.11:2379']},
});

export function file(path: string, step: StepName, services: ServiceName[], text: string, secret = false): PlannedFile {
	const content = Buffer.from(text);
	return {path, mode: secret ? 0o600 : 0o644, step, content, sha256: createHash('sha256').update(content).digest('hex'), size: content.length, secret, services};
}

export function makePlan(apiserverFlag = '--v=2'): Plan {
	return {
		profile,
		kubernetesRelease: 'v1.37.2',
		adminKubeconfig: '',
		nodes: profile.nodes.map((node) => ({
			node,
			directories: [{path: '/etc/kubernetes/cert', mode: 0o700}],
			files: [
				file('/opt/k8s/bin/kube-apiserver', 'binaries', ['kube-apiserver'], '\x7fELF apiserver'),
				file('/opt/k8s/bin/kube-scheduler', 'binaries', ['kube-scheduler'], '\x7fELF scheduler'),
				file('/etc/kubernetes/cert/kubernetes-key.pem', 'certificates', ['kube-apiserver'], 'KEY', true),
				file('/etc/kubernetes/kube-scheduler.yaml', 'configs', ['kube-scheduler'], 'kind: KubeSchedulerConfiguration\n'),
				file('/etc/systemd/system/kube-apiserver.service', 'apiserver', ['kube-apiserver'], `ExecStart=/opt/k8s/bin/kube-apiserver ${apiserverFlag} --bind-address=${node.ip}\n`),
				file('/etc/systemd/system/kube-controller-manager.service', 'controller-manager', ['kube-controller-manager'], 'ExecStart=kcm\n'),
				file('/etc/systemd/system/kube-scheduler.service', 'scheduler', ['kube-scheduler'], 'ExecStart=ks\n'),
			],
		})),
	};
}

/** Health as the fake nodes' service state says, with a log of checks in order. */
export function fakeHealth(nodes: Map<string, FakeNode>, log: string[] = []): HealthProbe {
	return {
		async serviceHealthy(node, service) {
			const ok = nodes.get(node.name)?.active.get(service) === true;
			log.push(`healthy? ${node.name} ${service} ${ok}`);
			return {ok, detail: ok ? 'ok' : 'connection refused'};
		},
		async leaseHolders() {
			return {'kube-controller-manager': 'm2_1234-abcd', 'kube-scheduler': 'm1_5678'};
		},
	};
}

export async function run(nodes: Map<string, FakeNode>, extra: Partial<RunnerOptions> = {}, plan = makePlan()) {
	const events: RunEvent[] = [];
	const result = await runPlan({
		plan,
		connect: async (n) => (nodes.get(n.name) as FakeNode).session(),
		health: fakeHealth(nodes),
		emit: (e) => events.push(e),
		binaries: {arch: 'x86_64', totalBytes: 1000},
		healthTimeoutMs: 3000,
		healthPollMs: 5,
		// A rolling restart watches the service this long (ten polls) before the next node.
		stabilityWindowMs: 50,
		...extra,
	});
	return {events, result};
}

export function lab(): Map<string, FakeNode> {
	return new Map(profile.nodes.map((n) => [n.name, new FakeNode(n.name)]));
}

export const of = (events: RunEvent[], type: RunEvent['type']) => events.filter((e) => e.type === type);
