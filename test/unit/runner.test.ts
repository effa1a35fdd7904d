import {createHash} from 'node:crypto';
import {describe, expect, it} from 'vitest';
import type {PlannedFile} from '../../source/plan/types.js';
import type {RunEvent} from '../../source/run/events.js';
import type {HealthProbe} from '../../source/run/services.js';
import {FakeNode} from './fake-node.js';
import {fakeHealth, lab, makePlan, of, run} from './runner-fixtures.js';

describe('runner', () => {
	it('installs every file and starts every service on a fresh node, then verifies', async () => {
		const nodes = lab();
		const events: RunEvent[] = [];
		// What each node had received when each of its services was (re)started.
		const uploadedAtRestart = new Map<string, string[]>();
		const uploadedAtStepStart = new Map<string, string[]>();
		const cacheWritesAtVerify = new Map<string, number>();
		for (const node of nodes.values()) {
			node.onRestart = (service) => uploadedAtRestart.set(`${node.name} ${service}`, [...node.uploads]);
			node.uploadDelayMs.set('/opt/k8s/bin/kube-apiserver', 150); // the big one arrives last
		}
		const {result} = await run(nodes, {
			emit: (e) => {
				events.push(e);
				if (e.type === 'step-started') uploadedAtStepStart.set(`${e.node} ${e.step}`, [...(nodes.get(e.node) as FakeNode).uploads]);
				if (e.type === 'step-started' && e.step === 'verify') cacheWritesAtVerify.set(e.node, (nodes.get(e.node) as FakeNode).cacheWrites);
			},
		});
		expect(result.ok).toBe(true);
		for (const node of nodes.values()) {
			// The hash cache is written once, while the services start, not at the end of the run.
			expect(cacheWritesAtVerify.get(node.name)).toBe(1);
			expect(node.cacheWrites).toBe(1);
			expect(node.uploads).toHaveLength(7);
			expect(node.restarts.map((r) => r.service).sort()).toEqual(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
			expect(node.files.get('/etc/kubernetes/cert/kubernetes-key.pem')?.mode).toBe(0o600);
		}
		const last = events.at(-1);
		expect(last).toMatchObject({type: 'run-finished', ok: true, failedNodes: []});
		// Per node: connect and preflight first, the three file steps together, each service
		// started once every file it reads is on the node (not waiting for the others'), verify last.
		const m1Steps = events.filter((e) => e.type === 'step-started' && e.node === 'm1').map((e) => (e as {step: string}).step);
		expect(m1Steps.slice(0, 5)).toEqual(['connect', 'preflight', 'binaries', 'certificates', 'configs']);
		expect(m1Steps.slice(5, 8).sort()).toEqual(['apiserver', 'controller-manager', 'scheduler']);
		expect(m1Steps.at(-1)).toBe('verify');
		const plan = makePlan();
		for (const node of plan.nodes) {
			for (const service of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const) {
				const inputs = node.files.filter((f) => f.services.includes(service)).map((f) => f.path);
				expect(uploadedAtRestart.get(`${node.node.name} ${service}`)).toEqual(expect.arrayContaining(inputs));
			}
			// The apiserver step writes its unit while its binary is still on the way.
			expect(uploadedAtStepStart.get(`${node.node.name} apiserver`)).not.toContain('/opt/k8s/bin/kube-apiserver');
		}
	});

	it("reads a node's state while its preflight checks run, not after them", async () => {
		const nodes = lab();
		// Each node holds its preflight answer until the state read (the stat of the planned
		// files) has arrived too; a runner that reads the state only after preflight would
		// leave it waiting, and the node reports that after a second.
		const stateReadBeside = new Map<string, boolean>();
		for (const node of nodes.values()) {
			let arrived!: () => void;
			const stateRead = new Promise<boolean>((resolve) => (arrived = () => resolve(true)));
			node.beforeAnswer = async (call) => {
				if (call === 'readState') arrived();
				if (call === 'preflight') {
					stateReadBeside.set(node.name, await Promise.race([stateRead, new Promise<boolean>((resolve) => setTimeout(resolve, 1000, false))]));
				}
			};
		}
		const {result} = await run(nodes);
		expect(result.ok).toBe(true);
		expect(Object.fromEntries(stateReadBeside)).toEqual({m1: true, m2: true, m3: true});
	});

	it('changes nothing and restarts nothing on a re-run', async () => {
		const nodes = lab();
		await run(nodes);
		for (const n of nodes.values()) {
			n.uploads = [];
			n.restarts = [];
		}
		const {events, result} = await run(nodes);
		expect(result.ok).toBe(true);
		for (const n of nodes.values()) {
			expect(n.uploads).toEqual([]);
			expect(n.restarts).toEqual([]);
		}
		const unchanged = of(events, 'step-unchanged');
		expect(unchanged).toHaveLength(3 * 6);
		expect(of(events, 'step-done').every((e) => (e as {changed: string[]}).changed.length === 0)).toBe(true);
	});

	it('restarts only the apiservers, one node at a time, each healthy before the next', async () => {
		const nodes = lab();
		await run(nodes);
		for (const n of nodes.values()) n.restarts = [];
		// An apiserver is "down" from its restart until the runner has seen it healthy.
		const down = new Set<string>();
		const downAtRestart: number[] = [];
		for (const n of nodes.values()) {
			n.onRestart = (service) => {
				if (service !== 'kube-apiserver') return;
				downAtRestart.push(down.size);
				down.add(n.name);
			};
		}
		const health = fakeHealth(nodes);
		const watched: HealthProbe = {
			...health,
			async serviceHealthy(node, service) {
				const h = await health.serviceHealthy(node, service);
				if (h.ok && service === 'kube-apiserver') down.delete(node.name);
				return h;
			},
		};
		const {result} = await run(nodes, {health: watched}, makePlan('--v=4'));
		expect(result.ok).toBe(true);
		const restarted = [...nodes.values()].flatMap((n) => n.restarts.map((r) => `${n.name} ${r.service}`));
		expect(restarted.sort()).toEqual(['m1 kube-apiserver', 'm2 kube-apiserver', 'm3 kube-apiserver']);
		// Never two apiservers down at once: each restart found every other one healthy.
		expect(downAtRestart).toEqual([0, 0, 0]);
	});

	it('stops every node before any change when one node fails preflight', async () => {
		const nodes = lab();
		(nodes.get('m2') as FakeNode).facts.listeners = [{port: 6443, process: 'nginx'}];
		const {events, result} = await run(nodes);
		expect(result.ok).toBe(false);
		expect(result.failedNodes).toEqual(['m2']);
		for (const n of nodes.values()) expect(n.uploads).toEqual([]);
		const failed = of(events, 'step-failed')[0] as Extract<RunEvent, {type: 'step-failed'}>;
		expect(failed).toMatchObject({node: 'm2', step: 'preflight'});
		expect(failed.cause).toContain('port 6443 is held by "nginx"');
		expect(failed.hint).toContain("ss -ltnp 'sport = :6443'");
		const skipped = of(events, 'step-skipped').filter((e) => e.node === 'm1');
		expect(skipped.map((e) => (e as {reason: string}).reason)).toContain('stopped before any change: m2 failed preflight');
	});

	it('names the wrong architecture and unreachable etcd in preflight', async () => {
		const nodes = lab();
		const m3 = nodes.get('m3') as FakeNode;
		m3.facts.arch = 'aarch64';
		m3.facts.etcdReachable = false;
		const {events} = await run(nodes);
		const failed = of(events, 'step-failed')[0] as Extract<RunEvent, {type: 'step-failed'}>;
		expect(failed.cause).toContain('m3 is aarch64 but the binaries are built for x86_64');
		expect(failed.cause).toContain('cannot reach etcd at https://198.18.0.11:2379');
	});

	it('fails a node whose service exits, with its journal, while the others finish', async () => {
		const nodes = lab();
		(nodes.get('m2') as FakeNode).broken.set('kube-apiserver', 'E1128 flag provided but not defined: -insecure-port');
		const {events, result} = await run(nodes);
		expect(result.failedNodes).toEqual(['m2']);
		const failed = of(events, 'step-failed')[0] as Extract<RunEvent, {type: 'step-failed'}>;
		expect(failed).toMatchObject({node: 'm2', step: 'apiserver'});
		expect(failed.detail).toContain('insecure-port');
		// First install: a node's three services start together, so only verify is left out.
		expect(of(events, 'step-skipped').filter((e) => e.node === 'm2').map((e) => (e as {step: string}).step)).toEqual(['verify']);
		expect((nodes.get('m1') as FakeNode).restarts).toHaveLength(3);
	});

	it('skips a service step that was waiting for a binary whose upload failed', async () => {
		const nodes = lab();
		const m1 = nodes.get('m1') as FakeNode;
		m1.uploadDelayMs.set('/opt/k8s/bin/kube-apiserver', 100);
		m1.failOnUpload.add('/opt/k8s/bin/kube-apiserver');
		const events: RunEvent[] = [];
		const {result} = await run(nodes, {emit: (e) => events.push(e)});
		expect(result.failedNodes).toEqual(['m1']);
		const m1Apiserver = events.filter((e) => e.node === 'm1' && 'step' in e && e.step === 'apiserver').map((e) => e.type);
		expect(m1Apiserver[0]).toBe('step-started'); // it had begun: its unit went out early
		expect(m1Apiserver.at(-1)).toBe('step-skipped');
		expect(events.find((e) => e.type === 'step-failed' && e.node === 'm1')).toMatchObject({step: 'binaries', cause: expect.stringContaining('No space left')});
		expect(m1.restarts.map((r) => r.service)).not.toContain('kube-apiserver');
		expect((nodes.get('m2') as FakeNode).restarts).toHaveLength(3);
	});

	it('reconnects and retries when the connection drops mid-upload', async () => {
		const nodes = lab();
		(nodes.get('m1') as FakeNode).dropOnUpload.add('/opt/k8s/bin/kube-apiserver');
		const {events, result} = await run(nodes);
		expect(result.ok).toBe(true);
		expect(of(events, 'log').some((e) => (e as {line: string}).line.includes('reconnecting'))).toBe(true);
		expect((nodes.get('m1') as FakeNode).files.has('/opt/k8s/bin/kube-apiserver')).toBe(true);
	});

	it('restarts a service whose files are in place but whose last start never finished', async () => {
		const nodes = lab();
		await run(nodes);
		const m1 = nodes.get('m1') as FakeNode;
		m1.files.delete('/var/lib/k8s-master-setup/applied/kube-scheduler'); // killed before the marker
		m1.restarts = [];
		const {result} = await run(nodes);
		expect(result.ok).toBe(true);
		expect(m1.restarts.map((r) => r.service)).toEqual(['kube-scheduler']);
	});

	it('verify waits for a scheduler that restarts after losing its Lease', async () => {
		const nodes = lab();
		const base = fakeHealth(nodes);
		let refusals = 3;
		const flapping: HealthProbe = {
			...base,
			async serviceHealthy(node, service) {
				if (node.name === 'm3' && service === 'kube-scheduler' && refusals > 0) {
					// Refuses only in verify, after its start was recorded as healthy.
					if (nodes.get('m3')?.files.has('/var/lib/k8s-master-setup/applied/kube-scheduler')) {
						refusals--;
						return {ok: false, detail: 'ECONNREFUSED'};
					}
				}
				return base.serviceHealthy(node, service);
			},
		};
		const {result, events} = await run(nodes, {health: flapping, leaseTimeoutMs: 2000});
		expect(events.filter((e) => e.type === 'step-failed')).toEqual([]);
		expect(result.ok).toBe(true);
		expect(refusals).toBe(0);
		expect(events.some((e) => e.type === 'step-progress' && e.step === 'verify' && e.message?.includes('waiting for kube-scheduler'))).toBe(true);
	});

	it('dry run reports diffs for text, hashes only for secrets, and writes nothing', async () => {
		const nodes = lab();
		await run(nodes);
		for (const n of nodes.values()) n.uploads = [];
		const plan = makePlan('--v=4');
		plan.nodes.forEach((np) => {
			const key = np.files.find((f) => f.secret) as PlannedFile;
			key.content = Buffer.from('NEWKEY');
			key.sha256 = createHash('sha256').update(key.content).digest('hex');
		});
		const {events} = await run(nodes, {dryRun: true}, plan);
		for (const n of nodes.values()) expect(n.uploads).toEqual([]);
		const changes = of(events, 'plan-change').filter((e) => e.node === 'm1') as Array<Extract<RunEvent, {type: 'plan-change'}>>;
		const unit = changes.find((c) => c.change.kind === 'update' && c.change.path.endsWith('kube-apiserver.service'));
		expect(unit?.change.kind === 'update' && unit.change.diff).toContain('+ExecStart=/opt/k8s/bin/kube-apiserver --v=4');
		const key = changes.find((c) => c.change.kind === 'update' && c.change.path.endsWith('-key.pem'));
		expect(key?.change).not.toHaveProperty('diff');
		expect(JSON.stringify(events)).not.toContain('NEWKEY');
		expect(changes.some((c) => c.change.kind === 'restart' && c.change.service === 'kube-apiserver')).toBe(true);
	});

	it('--only configs writes only the configs step', async () => {
		const nodes = lab();
		const {events} = await run(nodes, {only: ['configs']});
		for (const n of nodes.values()) expect(n.uploads).toEqual(['/etc/kubernetes/kube-scheduler.yaml']);
		expect(of(events, 'step-skipped').filter((e) => e.node === 'm1').map((e) => (e as {step: string}).step).sort()).toEqual(
			['preflight', 'binaries', 'certificates', 'apiserver', 'controller-manager', 'scheduler', 'verify'].sort(),
		);
	});
});
