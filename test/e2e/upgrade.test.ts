import {existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {execa} from 'execa';
import YAML from 'yaml';
import {beforeAll, describe, expect, it} from 'vitest';
import type {RunEvent} from '../../source/run/events.js';
import {cannotRun} from '../require-or-skip.js';
import {adminCreds, applyArgs, canRunLab, e2eWork, get, labEnv, labScript, nodeSsh, NODES, parseEvents, resetLab, startApply, unitRuns, type AdminCreds, setApiserverArg as setArg} from './apply-support.js';

/**
 * A minor upgrade on the lab: 1.36.3 installed on three nodes, then the profile moved to
 * the lab's release (1.37.2) and applied while a probe reads every apiserver's /readyz
 * and /version every 100 ms. Leaves the lab on the lab's release with the usual profile
 * and state directory, for the suites after it.
 */
const FROM = '1.36.3';
const LEADER_LEASES = ['kube-controller-manager', 'kube-scheduler'];
const FROM_BINARIES = `/var/cache/k8s-master-setup/kubernetes/v${FROM}`;
const skip = cannotRun('e2e upgrade', canRunLab() ?? (existsSync(`${FROM_BINARIES}/.complete`) ? undefined : `Kubernetes ${FROM} is not built (scripts/build-kubernetes.sh ${FROM})`));

describe.skipIf(skip)(`an upgrade from ${FROM} on the lab`, () => {
	let env: Record<string, string>;
	let ips: Record<string, string>;
	let admin: AdminCreds;
	const profilePath = join(e2eWork, 'profile.yaml');
	const stateDir = join(e2eWork, 'state');
	const args = () => applyArgs(env, profilePath, stateDir);
	const setApiserverArg = (name: string, value: string | undefined) => setArg(profilePath, name, value);
	const setRelease = (binaries: string) => {
		const profile = YAML.parse(readFileSync(profilePath, 'utf8'));
		const release = /v(\d+\.\d+)\.\d+$/.exec(binaries)?.[1];
		writeFileSync(profilePath, YAML.stringify({...profile, kubernetesVersion: release, binaries}));
	};

	beforeAll(async () => {
		await execa('bash', [labScript, 'up', '3'], {stdio: 'inherit'});
		env = await labEnv();
		ips = Object.fromEntries((env.LAB_NODES ?? '').trim().split(/\s+/).map((p) => p.split('=') as [string, string]));
		await resetLab();
		rmSync(e2eWork, {recursive: true, force: true});
		mkdirSync(e2eWork, {recursive: true});
		writeFileSync(profilePath, readFileSync(env.LAB_PROFILE as string));
		setRelease(FROM_BINARIES);
		const install = await startApply(args());
		if (install.exitCode !== 0) throw new Error(`installing ${FROM} failed (exit ${install.exitCode}):\n${install.all}`);
		admin = adminCreds(join(stateDir, 'admin.kubeconfig'));
	}, 600_000);

	it(`upgrades every component to the lab's release, never fewer than 2 apiservers ready nor more than one minor apart`, async () => {
		const target = /v(\d+\.\d+\.\d+)$/.exec(env.LAB_K8S_BINARIES ?? '')?.[1] ?? '';
		const secret = {apiVersion: 'v1', kind: 'Secret', metadata: {name: 'before-upgrade'}, stringData: {password: 'hunter2'}};
		expect((await get(`https://${ips['lab-m1']}:6443/api/v1/namespaces/default/secrets`, admin, {method: 'POST', body: JSON.stringify(secret)})).status).toBe(201);

		let samples = 0;
		let minReady = NODES.length;
		let widestMinors = 0;
		const holders: Record<string, {holder: string; renewed: number} | undefined> = {};
		const transitions: Array<{name: string; acquired: number; gapMs: number}> = [];
		let watching = true;
		const watcher = (async () => {
			while (watching) {
				const answers = await Promise.all(
					NODES.map(async (n) => {
						const ready = await get(`https://${ips[n]}:6443/readyz`, admin).then((r) => r.status === 200, () => false);
						const version = ready ? await get(`https://${ips[n]}:6443/version`, admin).then((r) => JSON.parse(r.body).gitVersion as string, () => undefined) : undefined;
						return {ready, minor: version ? Number(version.split('.')[1]) : undefined};
					}),
				);
				samples++;
				minReady = Math.min(minReady, answers.filter((a) => a.ready).length);
				// Each Lease's holders, read through a ready apiserver: when the holder changes,
				// how long after the old holder's last renewal the new one acquired it.
				const through = NODES.find((_, i) => answers[i]?.ready);
				for (const name of LEADER_LEASES) {
					const lease = through ? await get(`https://${ips[through]}:6443/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${name}`, admin).catch(() => undefined) : undefined;
					const spec = lease?.status === 200 ? (JSON.parse(lease.body).spec as {holderIdentity?: string; renewTime?: string; acquireTime?: string}) : undefined;
					if (!spec?.holderIdentity || !spec.renewTime || !spec.acquireTime) continue; // nobody holds it (handed over)
					const seen = holders[name];
					if (seen && seen.holder !== spec.holderIdentity) transitions.push({name, acquired: Date.parse(spec.acquireTime), gapMs: Date.parse(spec.acquireTime) - seen.renewed});
					holders[name] = {holder: spec.holderIdentity, renewed: Date.parse(spec.renewTime)};
				}
				const minors = answers.flatMap((a) => (a.minor === undefined ? [] : [a.minor]));
				if (minors.length > 0) widestMinors = Math.max(widestMinors, Math.max(...minors) - Math.min(...minors));
				await new Promise((r) => setTimeout(r, 100));
			}
		})();
		setRelease(env.LAB_K8S_BINARIES as string);
		// The dry run's release plan (issue 14 item 5): every component from 1.36.3 to the
		// target, every check passing, the apiservers restarted first; nothing restarted.
		const runsBefore = await unitRuns();
		const dry = await startApply([...args(), '--dry-run']);
		expect(dry.exitCode, dry.all).toBe(0);
		const plan = parseEvents(dry.stdout).find((e) => e.type === 'plan-release');
		expect(plan).toMatchObject({kind: 'minor-upgrade', ok: true, target: `v${target}`});
		if (plan?.type !== 'plan-release') throw new Error('no plan-release event');
		expect(plan.nodes.flatMap((n) => n.components.map((c) => `${c.current} ${c.target} ${c.change}`))).toEqual(Array(9).fill(`v${FROM} v${target} minor-up`));
		expect(plan.checks.every((c) => c.ok)).toBe(true);
		expect(plan.restarts.slice(0, 3).map((r) => r.service)).toEqual(Array(3).fill('kube-apiserver'));
		expect(await unitRuns()).toEqual(runsBefore);

		// The fault (issue 14): the new release's apiserver fails at start-up on the first
		// node (a flag value it rejects). That node is rolled back and serves the old release
		// again, the other two never received a file, exit 1 with the cause.
		const hashes = async () => Object.fromEntries(await Promise.all(NODES.map(async (n) => [n, (await nodeSsh(n, 'find /opt/k8s/bin /etc/kubernetes /etc/systemd/system -maxdepth 2 -type f 2>/dev/null | sort | xargs sha256sum')).stdout] as const)));
		const hashesBefore = await hashes();
		setApiserverArg('tls-cipher-suites', 'NOT_A_SUITE');
		const failing = await startApply(args());
		expect(failing.exitCode, failing.all).toBe(1);
		const failingEvents = parseEvents(failing.stdout);
		const failedSteps = failingEvents.filter((e): e is Extract<RunEvent, {type: 'step-failed'}> => e.type === 'step-failed');
		expect(failedSteps.map((f) => `${f.node} ${f.step}`)).toEqual(['lab-m1 apiserver']);
		expect(failedSteps[0]?.detail, 'the journal tail').toContain('NOT_A_SUITE');
		expect(failingEvents.find((e) => e.type === 'node-rolled-back')).toMatchObject({node: 'lab-m1', ok: true});
		expect(failingEvents.find((e) => e.type === 'rollout-stopped')).toMatchObject({node: 'lab-m1', untouched: ['lab-m2', 'lab-m3'], rolledBack: true});
		expect(await hashes()).toEqual(hashesBefore);
		expect(JSON.parse((await get(`https://${ips['lab-m1']}:6443/version`, admin)).body).gitVersion).toBe(`v${FROM}`);
		expect((await get(`https://${ips['lab-m1']}:6443/readyz`, admin)).status).toBe(200);
		// Fixed, the upgrade runs again from the start.
		setApiserverArg('tls-cipher-suites', undefined);
		const t0 = Date.now();
		// The first run is killed (SIGKILL) once the first node's apiserver passed its gate
		// on the new release; the second carries on from the journal it left (issue 14 item 6).
		const killed = startApply(args());
		let firstOut = '';
		let killedAfter: string | undefined;
		killed.stdout?.on('data', (chunk: Buffer) => {
			firstOut += chunk.toString();
			if (killedAfter !== undefined) return;
			const done = parseEvents(firstOut.slice(0, firstOut.lastIndexOf('\n') + 1)).find((e) => e.type === 'step-done' && e.step === 'apiserver');
			if (done && 'node' in done) {
				killedAfter = done.node;
				killed.kill('SIGKILL');
			}
		});
		const first = await killed;
		expect(first.signal, first.all).toBe('SIGKILL');
		expect(killedAfter).toBeDefined();
		const atKill = await unitRuns();
		// Without the journal that records it, the half-done upgrade is two minors that
		// nothing explains: refused (exit 2) before anything is touched, naming both;
		// --allow-mixed-releases lets it through (here a dry run). The journal goes back.
		const journalPath = join(stateDir, 'rollout-journal.json');
		renameSync(journalPath, `${journalPath}.aside`);
		const unexplained = await startApply(args());
		expect(unexplained.exitCode, unexplained.all).toBe(2);
		const refusal = parseEvents(unexplained.stdout).find((e): e is Extract<RunEvent, {type: 'step-failed'}> => e.type === 'step-failed');
		expect(refusal?.step).toBe('preflight');
		expect(refusal?.cause).toMatch(new RegExp(`^${killedAfter} runs kube-apiserver v${target} while lab-m\\d runs kube-\\S+ v${FROM.replaceAll('.', '\\.')}, and no change recorded in this state directory explains it$`));
		expect(refusal?.hint).toContain('--allow-mixed-releases');
		const allowed = await startApply([...args(), '--allow-mixed-releases', '--dry-run']);
		expect(allowed.exitCode, allowed.all).toBe(0);
		expect(parseEvents(allowed.stdout).find((e) => e.type === 'plan-release')).toMatchObject({ok: true});
		expect(await unitRuns()).toEqual(atKill);
		renameSync(`${journalPath}.aside`, journalPath);
		const run = await startApply(args());
		watching = false;
		await watcher;
		console.log(`upgrade ${FROM} -> ${target}, killed after ${killedAfter} and run again: exit ${run.exitCode} in ${((Date.now() - t0) / 1000).toFixed(1)}s, ${samples} samples, fewest ready apiservers ${minReady}, widest minor gap ${widestMinors}`);
		expect(run.exitCode, run.all).toBe(0);
		// An etcd snapshot first, into the state directory (issue 14 item 7), and only once:
		// the second run names the one taken before the upgrade began.
		const before = parseEvents(firstOut.slice(0, firstOut.lastIndexOf('\n') + 1));
		const events = parseEvents(run.stdout);
		const lines = events.flatMap((e) => (e.type === 'log' ? [e.line] : []));
		expect(before.some((e) => e.type === 'log' && e.line.startsWith('before the minor upgrade: etcd snapshot '))).toBe(true);
		expect(lines.some((l) => l.startsWith('before the minor upgrade (when it began): etcd snapshot '))).toBe(true);
		// One by the failed attempt, one by this upgrade: none by its second run.
		expect(readdirSync(join(stateDir, 'snapshots')).filter((f) => f.endsWith('.db'))).toHaveLength(2);
		expect(lines.some((l) => l.startsWith('carrying on with the change started ') && l.includes('(it was interrupted)'))).toBe(true);
		// The node that had finished its apiserver is not restarted there again.
		const done = await unitRuns();
		expect(done[`${killedAfter} kube-apiserver`]?.invocation).toBe(atKill[`${killedAfter} kube-apiserver`]?.invocation);
		expect(existsSync(join(stateDir, 'rollout-journal.json'))).toBe(false);
		expect(minReady).toBeGreaterThanOrEqual(2);
		expect(widestMinors).toBeLessThanOrEqual(1);
		// The controller-manager's leader, restarted with the others after the canary, does
		// not give its Lease up: the tool hands it over once it is gone, and a standby took it
		// within its 2 s retry period (left to expire, the Lease goes to another instance 15 s
		// or more after its last renewal). The scheduler gives its own up on shutdown
		// (ReleaseOnCancel), usually: that release is one update that can fail (seen once in CI,
		// 1.36.3's leader on lab-m2 still named after its restart), and then the tool hands it over
		// the same way. Either way at most once: only the leader's restart holds it.
		const handed = events.find((e) => e.type === 'log' && e.line.startsWith('handed the kube-controller-manager Lease over: its holder '));
		expect(handed, 'the hand-over line').toBeDefined();
		expect(lines.filter((l) => l.startsWith('handed the kube-scheduler Lease over')).length).toBeLessThanOrEqual(1);
		const takeover = transitions.find((t) => t.name === 'kube-controller-manager' && t.acquired >= (handed?.at ?? 0) - 1000);
		console.log(`Lease holder changes: ${transitions.map((t) => `${t.name} ${(t.gapMs / 1000).toFixed(1)}s after the last renewal`).join(', ')}`);
		expect(takeover, 'a new controller-manager leader after the hand-over').toBeDefined();
		expect(takeover?.gapMs).toBeLessThan(8_000);
		// Component by component: every apiserver restarted before the first controller-manager, those before the first scheduler.
		const restarts = [...before, ...events].flatMap((e: RunEvent) => (e.type === 'step-done' ? e.changed.filter((c) => c.startsWith('restarted ')).map((c) => c.slice('restarted '.length)) : []));
		expect(restarts).toEqual([...Array(3).fill('kube-apiserver'), ...Array(3).fill('kube-controller-manager'), ...Array(3).fill('kube-scheduler')]);
		for (const n of NODES) {
			const version = JSON.parse((await get(`https://${ips[n]}:6443/version`, admin)).body).gitVersion;
			expect(version, n).toBe(`v${target}`);
		}
		const read = await get(`https://${ips['lab-m2']}:6443/api/v1/namespaces/default/secrets/before-upgrade`, admin);
		expect(Buffer.from(JSON.parse(read.body).data.password, 'base64').toString()).toBe('hunter2');
		const raw = await execa('bash', [labScript, 'etcdctl', 'get', '/registry/secrets/default/before-upgrade', '--print-value-only'], {encoding: 'buffer'});
		expect(Buffer.from(raw.stdout).toString('latin1')).toMatch(/^k8s:enc:secretbox:v1:key-\d{8}:/);
		// And another apply has nothing left to do.
		const again = await startApply(args());
		expect(again.exitCode, again.all).toBe(0);
		expect(await unitRuns()).toEqual(done);
	}, 900_000);
});
