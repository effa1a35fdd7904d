import {X509Certificate} from 'node:crypto';
import {readFileSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import YAML from 'yaml';
import type {RunEvent} from '../../source/run/events.js';
import {etcdAgent, etcdPostJson, type EtcdClientCredentials} from '../../source/snapshot/etcd-https.js';
import {probeConfigMap} from '../../scripts/configmap-probe.js';
import {cannotRun} from '../require-or-skip.js';
import {adminCreds, applyArgs, canRunLab, cli, get, bareStackedLab, NODES, nodeSsh, parseEvents, startApply, putLabEtcdBack, unitRuns, waitFor} from './apply-support.js';

/**
 * From bare machines (issue 26): the lab's own etcd taken off the nodes, then one `apply` of
 * a profile with etcd.mode: stacked deploys an etcd member on every master (its own CA,
 * real etcd from the lab's build) before the control plane. Every member must report the
 * same leader, the member list must be the profile's masters, every apiserver starts only
 * after the cluster serves, a Secret written through one master reads back through
 * another, and a re-run changes nothing. Afterwards the lab's etcd is put back (empty).
 */
const skip = cannotRun('e2e stacked etcd', canRunLab());
const work = '/var/tmp/k8s-master-setup-e2e-stacked';

describe.skipIf(skip)('a stacked etcd from bare machines, on the lab', () => {
	let env: Record<string, string>;
	const profilePath = join(work, 'profile.yaml');
	const stateDir = join(work, 'state');
	const ipOf = (name: string) => new RegExp(`${name}=(\\S+)`).exec(env.LAB_NODES ?? '')?.[1] as string;

	const OLDER_ETCD_VERSION = '3.6.15';
	const olderEtcd = () => join(dirname(env.LAB_ETCD_BINARIES as string), `v${OLDER_ETCD_VERSION}`);
	// The next minor, which kubeadm 1.37 ships (scripts/build-etcd.sh 3.7.3): the suite upgrades to it.
	const NEWER_ETCD_VERSION = '3.7.3';
	const newerEtcd = () => join(dirname(env.LAB_ETCD_BINARIES as string), `v${NEWER_ETCD_VERSION}`);

	beforeAll(async () => {
		env = await bareStackedLab(3, NODES, work);
		const profile = YAML.parse(readFileSync(env.LAB_PROFILE as string, 'utf8'));
		// Installed on the patch before the lab's, so the suite can upgrade it (scripts/build-etcd.sh 3.6.15).
		profile.etcd = {mode: 'stacked', binaries: olderEtcd()};
		writeFileSync(profilePath, YAML.stringify(profile));
	});

	afterAll(async () => {
		// The other suites run against the lab's own etcd: the tool's members go, the lab's come back empty.
		await putLabEtcdBack(NODES);
	});

	const credentials = (): EtcdClientCredentials => ({
		ca: readFileSync(join(stateDir, 'etcd', 'ca.pem'), 'utf8'),
		cert: readFileSync(join(stateDir, 'etcd', 'k8s-master-setup-etcd-client.pem'), 'utf8'),
		key: readFileSync(join(stateDir, 'etcd', 'k8s-master-setup-etcd-client-key.pem'), 'utf8'),
		caSource: 'state etcd CA',
		certSource: 'state etcd client',
	});

	it('installs etcd members and the control plane on three bare masters: one leader, the profile\'s members, the apiservers after the cluster, a Secret across masters', async () => {
		const t0 = Date.now();
		const run = await startApply(applyArgs(env, profilePath, stateDir));
		const wallS = (Date.now() - t0) / 1000;
		expect(run.exitCode, run.all).toBe(0);
		const events = parseEvents(run.stdout);
		const at = (type: RunEvent['type'], step: string) => events.filter((e) => e.type === type && 'step' in e && e.step === step).map((e) => e.at);
		const etcdDone = at('step-done', 'etcd');
		const apiserverStarted = at('step-started', 'apiserver');
		expect(etcdDone).toHaveLength(3);
		expect(apiserverStarted).toHaveLength(3);
		// A member's step ends once the whole cluster serves (every member, one leader, the
		// profile's member list): no apiserver began before the first such moment, and each
		// began after its own node's member step.
		expect(Math.min(...apiserverStarted)).toBeGreaterThanOrEqual(Math.min(...etcdDone));
		for (const n of NODES) {
			const of = (type: RunEvent['type'], step: string) => events.find((e) => e.type === type && 'step' in e && e.step === step && 'node' in e && e.node === n)?.at ?? NaN;
			expect(of('step-started', 'apiserver'), n).toBeGreaterThanOrEqual(of('step-done', 'etcd'));
		}
		const logs = events.filter((e): e is Extract<RunEvent, {type: 'log'}> => e.type === 'log' && e.step === 'etcd').map((e) => e.line);
		expect(logs).toContainEqual(expect.stringMatching(/^etcd: 3 members healthy, lab-m\d leads$/));
		console.log(`stacked install of etcd + control plane on 3 bare masters: ${wallS.toFixed(1)} s`);

		// etcd's own view, through its API with the tool's client certificate: one leader, the profile's members.
		const creds = credentials();
		const agent = etcdAgent(creds);
		const statuses = (await Promise.all(NODES.map((n) => etcdPostJson(`https://${ipOf(n)}:2379`, '/v3/maintenance/status', {agent, credentials: creds, idleTimeoutMs: 5000})))) as Array<{leader: string; version: string}>;
		expect(new Set(statuses.map((s) => s.leader)).size).toBe(1);
		expect(statuses[0]?.leader).not.toBe('0');
		expect(statuses.map((s) => s.version)).toEqual(NODES.map(() => OLDER_ETCD_VERSION));
		const list = (await etcdPostJson(`https://${ipOf('lab-m2')}:2379`, '/v3/cluster/member/list', {agent, credentials: creds, idleTimeoutMs: 5000})) as {members: Array<{name: string; isLearner?: boolean}>};
		expect(list.members.map((m) => m.name).sort()).toEqual(NODES);
		agent.destroy();
		// The members' serving certificates are the etcd CA's, not the cluster CA's.
		const server = new X509Certificate((await nodeSsh('lab-m1', 'cat /etc/kubernetes/cert/etcd/server.pem')).stdout);
		expect(server.verify(new X509Certificate(creds.ca).publicKey)).toBe(true);
		expect(server.checkIP(ipOf('lab-m1'))).toBe(ipOf('lab-m1'));
		expect((await nodeSsh('lab-m1', 'stat -c %a /var/lib/etcd')).stdout.trim()).toBe('700');
		// The apiserver's own member first.
		const unit = (await nodeSsh('lab-m2', 'systemctl cat kube-apiserver')).stdout;
		expect(unit).toMatch(new RegExp(`--etcd-servers=https://${ipOf('lab-m2').replace(/\./g, '\\.')}:2379,`));

		// A Secret written through lab-m1 reads back through lab-m3.
		const admin = adminCreds(join(stateDir, 'admin.kubeconfig'));
		const body = JSON.stringify({apiVersion: 'v1', kind: 'Secret', metadata: {name: 'e2e-stacked'}, stringData: {v: 'round-trip'}});
		const w = await get(`https://${ipOf('lab-m1')}:6443/api/v1/namespaces/default/secrets`, admin, {method: 'POST', body});
		expect(w.status, w.body).toBe(201);
		const r = await get(`https://${ipOf('lab-m3')}:6443/api/v1/namespaces/default/secrets/e2e-stacked`, admin);
		expect(r.status).toBe(200);
		expect(Buffer.from((JSON.parse(r.body) as {data: {v: string}}).data.v, 'base64').toString()).toBe('round-trip');
	});

	it('a re-run changes nothing: no file, no restart of a member or a service', async () => {
		const before = await unitRuns();
		const etcdBefore = await Promise.all(NODES.map(async (n) => (await nodeSsh(n, 'systemctl show -p InvocationID --value etcd')).stdout.trim()));
		const run = await startApply(applyArgs(env, profilePath, stateDir));
		expect(run.exitCode, run.all).toBe(0);
		const changed = parseEvents(run.stdout).filter((e): e is Extract<RunEvent, {type: 'step-done'}> => e.type === 'step-done').flatMap((e) => e.changed);
		expect(changed).toEqual([]);
		expect(await unitRuns()).toEqual(before);
		expect(await Promise.all(NODES.map(async (n) => (await nodeSsh(n, 'systemctl show -p InvocationID --value etcd')).stdout.trim()))).toEqual(etcdBefore);
	});

	/** `apply` of the profile with `etcd` changed (kept as `file`), under a write probe through every apiserver. */
	async function applyEtcdChange(file: string, etcd: Record<string, unknown>) {
		const admin = adminCreds(join(stateDir, 'admin.kubeconfig'));
		const profile = YAML.parse(readFileSync(profilePath, 'utf8'));
		const changed = join(work, file);
		writeFileSync(changed, YAML.stringify({...profile, etcd: {...profile.etcd, ...etcd}}));
		const probe = probeConfigMap(NODES.map(ipOf), admin, 'e2e-stacked-probe');
		await new Promise((r) => setTimeout(r, 1000));
		const t0 = Date.now();
		const run = await startApply(applyArgs(env, changed, stateDir));
		const wallS = (Date.now() - t0) / 1000;
		await new Promise((r) => setTimeout(r, 1000));
		await probe.stop();
		const events = parseEvents(run.stdout);
		const lines = events.filter((e): e is Extract<RunEvent, {type: 'log'}> => e.type === 'log' && e.step === 'etcd').map((e) => `${e.node}: ${e.line}`);
		// A failure is printed beside the member steps' times (UTC), to tell which member move it met.
		const hhmmss = (at: number) => new Date(at).toISOString().slice(11, 23);
		const timeline = events.filter((e): e is Extract<RunEvent, {type: 'log'}> => e.type === 'log' && e.step === 'etcd').map((e) => `${hhmmss(e.at)} ${e.node}: ${e.line}`);
		const probed = `probe ${probe.requests} requests, ${probe.failures.length} failed, longest gap ${probe.longestGapMs} ms` +
			(probe.failures.length > 0 ? `\n${probe.failures.join('\n')}\n${timeline.join('\n')}` : '');
		return {changed, run, wallS, failures: probe.failures, events, lines, probed};
	}

	it('a member flag change rolls one member at a time under a write probe through every apiserver: no failed request, leadership moved off the leader before its restart', async () => {
		const {changed, run, wallS, failures, events, lines, probed} = await applyEtcdChange('profile-quota.yaml', {quotaBackendBytes: 4294967296});
		expect(run.exitCode, run.all).toBe(0);
		console.log(`member flag change (quota 8 -> 4 GiB) on 3 members: ${wallS.toFixed(1)} s; ${probed}\n${lines.join('\n')}`);
		expect(failures).toEqual([]);
		// One member at a time: each etcd step ended before the next began.
		const spans = NODES.map((n) => ({
			start: events.find((e) => e.type === 'step-started' && e.node === n && e.step === 'etcd')?.at ?? NaN,
			end: events.find((e) => e.type === 'step-done' && e.node === n && e.step === 'etcd')?.at ?? NaN,
		})).sort((a, b) => a.start - b.start);
		for (let i = 1; i < spans.length; i++) expect(spans[i]!.start).toBeGreaterThanOrEqual(spans[i - 1]!.end);
		expect(lines.filter((l) => /: starting etcd: inputs changed: etcd\.service$/.test(l))).toHaveLength(3);
		// The leader last, its leadership moved once, to a member already changed.
		const moved = lines.filter((l) => /moved etcd leadership from lab-m\d to lab-m\d before its restart/.test(l));
		expect(moved).toHaveLength(1);
		const lastNode = events.filter((e) => e.type === 'step-started' && e.step === 'etcd').map((e) => (e as {node: string}).node).at(-1);
		expect(moved[0]).toMatch(new RegExp(`^${lastNode}: moved etcd leadership from ${lastNode} to `));
		// Only the members restarted: no control-plane service.
		const restartedServices = events.filter((e): e is Extract<RunEvent, {type: 'step-done'}> => e.type === 'step-done' && e.step !== 'etcd').flatMap((e) => e.changed.filter((c) => c.startsWith('restarted')));
		expect(restartedServices).toEqual([]);
		for (const n of NODES) expect((await nodeSsh(n, 'systemctl cat etcd')).stdout, n).toContain('--quota-backend-bytes=4294967296');
		writeFileSync(profilePath, readFileSync(changed));
	});

	it('a member that fails with its new flags stops the change at its node and is put back; the other members keep theirs, no write fails', async () => {
		const admin = adminCreds(join(stateDir, 'admin.kubeconfig'));
		const profile = YAML.parse(readFileSync(profilePath, 'utf8'));
		const bad = join(work, 'profile-quota-2g.yaml');
		writeFileSync(bad, YAML.stringify({...profile, etcd: {...profile.etcd, quotaBackendBytes: 2147483648}}));
		// Every member refuses to start with the 2 GiB unit (as a bad flag would): the first one changed fails.
		const dropIn = "mkdir -p /etc/systemd/system/etcd.service.d && printf '[Service]\\nExecStartPre=/bin/sh -c \"! grep -q quota-backend-bytes=2147483648 /etc/systemd/system/etcd.service\"\\n' > /etc/systemd/system/etcd.service.d/e2e-refuse.conf && systemctl daemon-reload";
		await Promise.all(NODES.map((n) => nodeSsh(n, dropIn)));
		const probe = probeConfigMap(NODES.map(ipOf), admin, 'e2e-stacked-probe');
		try {
			await new Promise((r) => setTimeout(r, 1000));
			const run = await startApply(applyArgs(env, bad, stateDir));
			await new Promise((r) => setTimeout(r, 1000));
			await probe.stop();
			expect(run.exitCode, run.all).toBe(1);
			const events = parseEvents(run.stdout);
			const failed = events.filter((e): e is Extract<RunEvent, {type: 'step-failed'}> => e.type === 'step-failed');
			expect(failed.map((e) => e.step)).toEqual(['etcd']);
			const at = failed[0]!.node;
			expect(events).toContainEqual(expect.objectContaining({type: 'node-rolled-back', node: at, ok: true}));
			console.log(`failing member flag: stopped at ${at} (${failed[0]!.cause.slice(0, 120)}); probe ${probe.requests} requests, ${probe.failures.length} failed, longest gap ${probe.longestGapMs} ms`);
			expect(probe.failures).toEqual([]);
			for (const n of NODES) expect((await nodeSsh(n, 'systemctl cat etcd')).stdout, n).toContain('--quota-backend-bytes=4294967296');
			const creds = credentials();
			const agent = etcdAgent(creds);
			const statuses = (await Promise.all(NODES.map((n) => etcdPostJson(`https://${ipOf(n)}:2379`, '/v3/maintenance/status', {agent, credentials: creds, idleTimeoutMs: 5000})))) as Array<{leader: string}>;
			agent.destroy();
			expect(new Set(statuses.map((s) => s.leader)).size).toBe(1);
		} finally {
			await probe.stop();
			await Promise.all(NODES.map((n) => nodeSsh(n, 'rm -rf /etc/systemd/system/etcd.service.d && systemctl daemon-reload', {reject: false})));
		}
	});

	it('an etcd patch upgrade (3.6.15 to the lab release) rolls one member at a time, the leader last: every member on the new release, no failed write, no service restarted', async () => {
		const {changed: upgraded, run, wallS, failures, events, lines, probed} = await applyEtcdChange('profile-etcd-upgrade.yaml', {binaries: env.LAB_ETCD_BINARIES});
		expect(run.exitCode, run.all).toBe(0);
		console.log(`etcd patch upgrade ${OLDER_ETCD_VERSION} -> ${env.LAB_ETCD_VERSION} on 3 members: ${wallS.toFixed(1)} s; ${probed}`);
		expect(failures).toEqual([]);
		expect(lines.filter((l) => /: starting etcd: inputs changed: .*\betcd\b/.test(l))).toHaveLength(3);
		const moved = lines.filter((l) => /moved etcd leadership from lab-m\d to lab-m\d before its restart/.test(l));
		expect(moved).toHaveLength(1);
		const lastNode = events.filter((e) => e.type === 'step-started' && e.step === 'etcd').map((e) => (e as {node: string}).node).at(-1);
		expect(moved[0]).toMatch(new RegExp(`^${lastNode}: `));
		const restartedServices = events.filter((e): e is Extract<RunEvent, {type: 'step-done'}> => e.type === 'step-done' && e.step !== 'etcd').flatMap((e) => e.changed.filter((c) => c.startsWith('restarted')));
		expect(restartedServices).toEqual([]);
		// What the members say they run, through etcd's API.
		const creds = credentials();
		const agent = etcdAgent(creds);
		const statuses = (await Promise.all(NODES.map((n) => etcdPostJson(`https://${ipOf(n)}:2379`, '/v3/maintenance/status', {agent, credentials: creds, idleTimeoutMs: 5000})))) as Array<{leader: string; version: string}>;
		agent.destroy();
		expect(statuses.map((s) => s.version)).toEqual(NODES.map(() => env.LAB_ETCD_VERSION));
		expect(new Set(statuses.map((s) => s.leader)).size).toBe(1);
		writeFileSync(profilePath, readFileSync(upgraded));
	});

	it('an etcd minor upgrade (the lab release to 3.7) takes a snapshot first, then rolls one member at a time, the leader last: no failed write, the cluster on 3.7, and back to 3.6 refused', async () => {
		const {changed: upgraded, run, wallS, failures, events, lines, probed} = await applyEtcdChange('profile-etcd-minor.yaml', {binaries: newerEtcd()});
		expect(run.exitCode, run.all).toBe(0);
		console.log(`etcd minor upgrade ${env.LAB_ETCD_VERSION} -> ${NEWER_ETCD_VERSION} on 3 members: ${wallS.toFixed(1)} s; ${probed}`);
		expect(failures).toEqual([]);
		// The snapshot came before any member changed, and is a whole file.
		const snapshotLine = events.find((e): e is Extract<RunEvent, {type: 'log'}> => e.type === 'log' && /^before the minor upgrade: etcd snapshot /.test(e.line));
		const snapshotPath = /etcd snapshot (\S+)/.exec(snapshotLine?.line ?? '')?.[1] as string;
		expect(snapshotPath, run.all).toBeTruthy();
		expect(readFileSync(snapshotPath).length).toBeGreaterThan(100_000);
		const firstEtcdStep = events.find((e) => e.type === 'step-started' && e.step === 'etcd')?.at ?? -Infinity;
		expect(snapshotLine!.at).toBeLessThanOrEqual(firstEtcdStep);
		expect(lines.filter((l) => /: starting etcd: inputs changed: .*\betcd\b/.test(l))).toHaveLength(3);
		const moved = lines.filter((l) => /moved etcd leadership from lab-m\d to lab-m\d before its restart/.test(l));
		expect(moved).toHaveLength(1);
		const creds = credentials();
		const agent = etcdAgent(creds);
		const statuses = (await Promise.all(NODES.map((n) => etcdPostJson(`https://${ipOf(n)}:2379`, '/v3/maintenance/status', {agent, credentials: creds, idleTimeoutMs: 5000})))) as Array<{leader: string; version: string}>;
		agent.destroy();
		expect(statuses.map((s) => s.version)).toEqual(NODES.map(() => NEWER_ETCD_VERSION));
		expect(new Set(statuses.map((s) => s.leader)).size).toBe(1);
		writeFileSync(profilePath, readFileSync(upgraded));
		// Back to the 3.6 binaries: a minor downgrade, refused before anything is written.
		const back = join(work, 'profile-etcd-back.yaml');
		const profile = YAML.parse(readFileSync(profilePath, 'utf8'));
		writeFileSync(back, YAML.stringify({...profile, etcd: {...profile.etcd, binaries: env.LAB_ETCD_BINARIES}}));
		const refused = await startApply(applyArgs(env, back, stateDir));
		expect(refused.exitCode, refused.all).toBe(2);
		expect(refused.stderr).toContain(`etcd.binaries: ${NEWER_ETCD_VERSION} → ${env.LAB_ETCD_VERSION} is a minor downgrade (lab-m1, lab-m2, lab-m3)`);
	});

	it("status shows the members, the leader and the db size; a member stopped is a degraded cluster naming it", async () => {
		const status = () => execa('node', [cli, 'status', '--profile-file', profilePath, '--state-dir', stateDir, '--known-hosts', env.LAB_KNOWN_HOSTS as string, '--json'], {reject: false});
		type Report = {health: {exitCode: number}; etcd: {members: Array<{name: string; healthy: boolean; leader: boolean; dbSizeBytes: number | null}>; leader: string | null; problem: string | null} | null};
		const healthy = await status();
		expect(healthy.exitCode, healthy.stdout + healthy.stderr).toBe(0);
		const report = JSON.parse(healthy.stdout) as Report;
		expect(report.etcd?.members.map((m) => m.name)).toEqual(NODES);
		expect(report.etcd?.members.every((m) => m.healthy && (m.dbSizeBytes ?? 0) > 0)).toBe(true);
		expect(NODES).toContain(report.etcd?.leader);
		expect(report.etcd?.members.filter((m) => m.leader)).toHaveLength(1);
		expect(report.etcd?.problem).toBeNull();

		await nodeSsh('lab-m3', 'systemctl stop etcd');
		try {
			const degraded = await status();
			expect(degraded.exitCode, degraded.stdout).toBe(3);
			const r = JSON.parse(degraded.stdout) as Report;
			expect(r.etcd?.members.find((m) => m.name === 'lab-m3')?.healthy).toBe(false);
			expect(r.etcd?.problem).toContain('lab-m3');
		} finally {
			await nodeSsh('lab-m3', 'systemctl start etcd');
		}
	});

	it('etcd restore from a snapshot: what was deleted after it is back, what was made after it is gone, a new cluster with every member healthy; a damaged file and a dry run change nothing; killed midway, apply refuses and the restore run again finishes', async () => {
		const admin = adminCreds(join(stateDir, 'admin.kubeconfig'));
		const api = (n: string) => `https://${ipOf(n)}:6443`;
		const post = async (path: string, body: object) => {
			const r = await get(`${api('lab-m1')}${path}`, admin, {method: 'POST', body: JSON.stringify(body)});
			expect([201, 409], r.body).toContain(r.status);
		};
		await post('/api/v1/namespaces', {apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'e2e-restore-kept'}});
		await post('/api/v1/namespaces/e2e-restore-kept/configmaps', {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'kept'}, data: {v: 'before the snapshot'}});
		const taken = await execa('node', [cli, 'snapshot', '--profile-file', profilePath, '--state-dir', stateDir], {reject: false, all: true});
		expect(taken.exitCode, taken.all).toBe(0);
		const file = /^etcd snapshot: (\S+)$/m.exec(taken.stdout)?.[1] as string;
		expect(file).toBeTruthy();
		// After the snapshot: the namespace deleted (gone once the namespace controller emptied it), another made.
		const del = await get(`${api('lab-m2')}/api/v1/namespaces/e2e-restore-kept`, admin, {method: 'DELETE'});
		expect(del.status, del.body).toBe(200);
		await waitFor('the namespace deleted', async () => ((await get(`${api('lab-m2')}/api/v1/namespaces/e2e-restore-kept`, admin)).status === 404 ? true : undefined), 60_000);
		await post('/api/v1/namespaces', {apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'e2e-restore-after'}});

		const creds = credentials();
		const agent = etcdAgent(creds);
		const etcdStatus = async (n: string) => (await etcdPostJson(`https://${ipOf(n)}:2379`, '/v3/maintenance/status', {agent, credentials: creds, idleTimeoutMs: 5000})) as {header: {cluster_id: string; revision: string}; leader: string};
		const before = await etcdStatus('lab-m1');
		const invocations = async () => Promise.all(NODES.map(async (n) => (await nodeSsh(n, 'systemctl show -p InvocationID --value etcd kube-apiserver')).stdout.trim()));
		const untouched = await invocations();
		const restore = (snapshot: string, ...flags: string[]) =>
			execa('node', [cli, 'etcd', 'restore', '--snapshot', snapshot, '--profile-file', profilePath, '--state-dir', stateDir, '--known-hosts', env.LAB_KNOWN_HOSTS as string, ...flags], {reject: false, all: true});

		// A damaged copy: refused on this machine, before any node is reached.
		const damaged = join(work, 'damaged.db');
		const bytes = readFileSync(file);
		bytes[Math.floor(bytes.length / 2)] ^= 0xff;
		writeFileSync(damaged, bytes);
		const refused = await restore(damaged, '--yes');
		expect(refused.exitCode, refused.all).toBe(2);
		expect(refused.stderr).toContain('the sha256 at its end does not match the database before it');
		// The dry run: the plan with what is lost, nothing changed.
		const dry = await restore(file, '--dry-run');
		expect(dry.exitCode, dry.all).toBe(0);
		expect(dry.stderr).toMatch(/lost: every change made since the snapshot: \d+ revision\(s\) of writes/);
		expect(dry.stdout).toContain('nothing was changed');
		// Without a terminal and without --yes: refused.
		const unasked = await restore(file);
		expect(unasked.exitCode, unasked.all).toBe(2);
		expect(await invocations()).toEqual(untouched);
		expect((await nodeSsh('lab-m1', 'ls -d /var/lib/etcd.* 2>/dev/null || true')).stdout.trim()).toBe('');

		// Killed (SIGKILL) while the data dirs are being swapped: the masters are left on either
		// data with their members stopped; apply refuses to start them, the restore run again finishes.
		const killed = restore(file, '--yes');
		killed.stdout?.on('data', (chunk: Buffer) => {
			if (chunk.toString().includes('moving each member\'s data dir aside')) killed.kill('SIGKILL');
		});
		const dead = await killed;
		expect(dead.signal, dead.all).toBe('SIGKILL');
		const refusedApply = await startApply(applyArgs(env, profilePath, stateDir));
		expect(refusedApply.exitCode, refusedApply.all).toBe(2);
		expect(refusedApply.stderr).toContain('did not finish: the masters may hold the old data or the restored data');
		expect(refusedApply.stderr).toContain(`k8s-master-setup etcd restore --snapshot ${file}`);

		const t0 = Date.now();
		const run = await restore(file, '--yes');
		const wallS = (Date.now() - t0) / 1000;
		expect(run.exitCode, run.all).toBe(0);
		expect(run.stdout).toMatch(/etcd restored from .* on lab-m1, lab-m2, lab-m3 in [\d.]+ s: etcd: 3 members healthy, lab-m\d leads/);
		expect(run.stderr).toContain('an earlier etcd restore (begun ');
		console.log(`etcd restore on 3 members: ${wallS.toFixed(1)} s\n${run.stdout}`);

		// The deleted namespace and its ConfigMap are back through every apiserver; the later one is gone.
		for (const n of NODES) {
			const cm = await waitFor(`the ConfigMap through ${n}`, async () => {
				const r = await get(`${api(n)}/api/v1/namespaces/e2e-restore-kept/configmaps/kept`, admin);
				return r.status === 200 ? r : undefined;
			}, 60_000);
			expect((JSON.parse(cm.body) as {data: {v: string}}).data.v).toBe('before the snapshot');
			expect((await get(`${api(n)}/api/v1/namespaces/e2e-restore-after`, admin)).status, n).toBe(404);
		}
		// A new cluster (another id), every member on it with one leader, the profile's members, the revision bumped.
		const after = await Promise.all(NODES.map(etcdStatus));
		expect(new Set(after.map((s) => s.header.cluster_id)).size).toBe(1);
		expect(after[0]!.header.cluster_id).not.toBe(before.header.cluster_id);
		expect(new Set(after.map((s) => s.leader)).size).toBe(1);
		expect(Number(after[0]!.header.revision)).toBeGreaterThan(Number(before.header.revision) + 1_000_000);
		const list = (await etcdPostJson(`https://${ipOf('lab-m3')}:2379`, '/v3/cluster/member/list', {agent, credentials: creds, idleTimeoutMs: 5000})) as {members: Array<{name: string}>};
		expect(list.members.map((m) => m.name).sort()).toEqual(NODES);
		agent.destroy();
		// A write works; every service runs; the old data is kept on each master, the snapshot gone from it.
		await post('/api/v1/namespaces/default/configmaps', {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'e2e-after-restore'}, data: {v: 'written'}});
		for (const n of NODES) {
			expect((await nodeSsh(n, 'systemctl is-active etcd kube-apiserver kube-controller-manager kube-scheduler')).stdout.trim().split('\n'), n).toEqual(['active', 'active', 'active', 'active']);
			// The killed run's and this one's (the first keeps what the cluster held before either).
			const kept = (await nodeSsh(n, 'ls -d /var/lib/etcd.before-restore-*/member')).stdout.trim().split('\n');
			expect(kept.length, n).toBeGreaterThanOrEqual(1);
			for (const k of kept) expect(k, n).toMatch(/^\/var\/lib\/etcd\.before-restore-\d{8}T\d{6}Z\/member$/);
			expect((await nodeSsh(n, 'ls /var/lib/k8s-master-setup/restore/', {reject: false})).stdout.trim(), n).toBe('');
			await nodeSsh(n, 'rm -rf /var/lib/etcd.before-restore-*');
		}
		// The tool's converge takes the restored cluster as its own: a re-run changes nothing.
		const again = await startApply(applyArgs(env, profilePath, stateDir));
		expect(again.exitCode, again.all).toBe(0);
		expect(parseEvents(again.stdout).filter((e): e is Extract<RunEvent, {type: 'step-done'}> => e.type === 'step-done').flatMap((e) => e.changed)).toEqual([]);
	});

	it('refuses two masters added at once (etcd admits one learner at a time) and a switch of etcd mode, before anything is written', async () => {
		const profile = YAML.parse(readFileSync(profilePath, 'utf8'));
		const five = join(work, 'profile-5.yaml');
		writeFileSync(five, YAML.stringify({...profile, nodes: [...profile.nodes, {name: 'lab-m4', ip: '198.18.0.14'}, {name: 'lab-m5', ip: '198.18.0.15'}]}));
		const run = await startApply(applyArgs(env, five, stateDir));
		expect(run.exitCode, run.all).toBe(2);
		expect(run.stderr).toContain('the profile adds lab-m4, lab-m5 at once: with etcd.mode: stacked each joins as an etcd learner, and etcd admits one learner at a time');
		// Nor does the installed cluster switch to an external etcd (the lab's endpoints).
		const external = join(work, 'profile-external.yaml');
		writeFileSync(external, YAML.stringify({...profile, etcd: {endpoints: NODES.map((n) => `https://${ipOf(n)}:2379`)}}));
		const switched = await startApply(applyArgs(env, external, stateDir));
		expect(switched.exitCode, switched.all).toBe(2);
		expect(switched.stderr).toContain('etcd.mode is external, but this state directory deployed a stacked etcd on the masters');
	});

	it('reset of the whole stacked cluster takes every member off: unit, certificates and data', async () => {
		const run = await execa('node', [cli, 'reset', '--yes', '--profile-file', profilePath, '--state-dir', stateDir, '--known-hosts', env.LAB_KNOWN_HOSTS as string], {reject: false, all: true});
		expect(run.exitCode, run.all).toBe(0);
		for (const n of NODES) {
			const left = await nodeSsh(n, 'ls -d /etc/systemd/system/etcd.service /etc/kubernetes/cert/etcd /var/lib/etcd 2>/dev/null; systemctl is-active etcd', {reject: false});
			expect(left.stdout.trim(), n).not.toMatch(/etcd\.service|cert\/etcd|\/var\/lib\/etcd|^active$/m);
		}
	});
});
