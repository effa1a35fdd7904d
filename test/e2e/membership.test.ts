import {X509Certificate} from 'node:crypto';
import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import YAML from 'yaml';
import type {RunEvent} from '../../source/run/events.js';
import {cannotRun} from '../require-or-skip.js';
import {adminCreds, applyArgs, canRunLab, cli, e2eWork, get, labEnv, labScript, labWithCluster, managedFiles, NODES, nodeSsh, parseEvents, startApply, unitRuns, UNITS, type AdminCreds} from './apply-support.js';

/**
 * Masters that come and go, on the lab (issue 24): a fourth master added to the serving
 * three while a probe writes and reads a ConfigMap through them every 200 ms. The new
 * apiserver must join (EndpointSlice, a Secret and a token across nodes); the three are not
 * restarted and keep every file. The lab grows to 4 nodes here (etcd stays on 3) and is
 * back to 3 at the end, with lab-m4's services stopped first.
 */
const skip = cannotRun('e2e membership', canRunLab());

interface Probe {
	requests: number;
	failures: string[];
	longestGapMs: number;
	stop: () => Promise<void>;
}

/** Every 200 ms: write a ConfigMap through one of `via` (in turn) and read it back through the next. */
function probeConfigMap(ips: string[], admin: AdminCreds): Probe {
	const probe: Probe = {requests: 0, failures: [], longestGapMs: 0, stop: async () => undefined};
	let running = true;
	let lastOk = Date.now();
	const name = 'e2e-membership-probe';
	const base = (ip: string) => `https://${ip}:6443/api/v1/namespaces/default/configmaps`;
	const loop = (async () => {
		for (let i = 0; running; i++) {
			const started = Date.now();
			const value = String(i);
			const writeIp = ips[i % ips.length]!;
			const readIp = ips[(i + 1) % ips.length]!;
			try {
				const body = JSON.stringify({apiVersion: 'v1', kind: 'ConfigMap', metadata: {name}, data: {i: value}});
				let w = await get(`${base(writeIp)}/${name}`, admin, {method: 'PUT', body});
				if (w.status === 404) w = await get(base(writeIp), admin, {method: 'POST', body});
				probe.requests++;
				if (w.status !== 200 && w.status !== 201) probe.failures.push(`write via ${writeIp}: HTTP ${w.status} ${w.body.slice(0, 120)}`);
				const r = await get(`${base(readIp)}/${name}`, admin);
				probe.requests++;
				if (r.status !== 200) probe.failures.push(`read via ${readIp}: HTTP ${r.status}`);
				else if ((JSON.parse(r.body) as {data?: {i?: string}}).data?.i !== value) probe.failures.push(`read via ${readIp}: not the value just written`);
				else {
					probe.longestGapMs = Math.max(probe.longestGapMs, Date.now() - lastOk);
					lastOk = Date.now();
				}
			} catch (error) {
				probe.failures.push(`via ${writeIp}/${readIp}: ${(error as Error).message}`);
			}
			await new Promise((r) => setTimeout(r, Math.max(0, 200 - (Date.now() - started))));
		}
	})();
	probe.stop = async () => {
		running = false;
		await loop;
	};
	return probe;
}

describe.skipIf(skip)('masters that come and go, on the lab', () => {
	let env: Record<string, string>;
	let admin: AdminCreds;
	const profilePath = join(e2eWork, 'profile.yaml');
	const fourPath = join(e2eWork, 'profile-4.yaml');
	const stateDir = join(e2eWork, 'state');
	const ipOf = (name: string) => new RegExp(`${name}=(\\S+)`).exec(env.LAB_NODES ?? '')?.[1] as string;

	beforeAll(async () => {
		await labWithCluster(profilePath, stateDir);
		await execa('bash', [labScript, 'up', '4'], {stdio: 'inherit'});
		env = await labEnv();
		admin = adminCreds(join(stateDir, 'admin.kubeconfig'));
		const profile = YAML.parse(readFileSync(profilePath, 'utf8'));
		profile.nodes = [...profile.nodes, {name: 'lab-m4', ip: ipOf('lab-m4')}];
		writeFileSync(fourPath, YAML.stringify(profile));
	});

	afterAll(async () => {
		// Back to the three the other suites expect (the reset test below stopped lab-m4's services; again here should it have failed).
		await nodeSsh('lab-m4', `systemctl disable --now ${UNITS.join(' ')} 2>/dev/null; true`, {reject: false});
		await execa('bash', [labScript, 'up', '3'], {stdio: 'inherit'});
	});

	it('adds lab-m4 under a ConfigMap probe: no failed request, it joins, the other masters are not restarted and keep every file', async () => {
		const before = Object.fromEntries(await Promise.all(NODES.map(async (n) => [n, await managedFiles(n)] as const)));
		const runsBefore = await unitRuns();
		const probe = probeConfigMap(NODES.map(ipOf), admin);
		await new Promise((r) => setTimeout(r, 1000));
		const t0 = Date.now();
		const run = await startApply(applyArgs(env, fourPath, stateDir));
		const wallS = (Date.now() - t0) / 1000;
		await new Promise((r) => setTimeout(r, 1000));
		await probe.stop();
		console.log(`add lab-m4: ${wallS.toFixed(1)} s; probe ${probe.requests} requests, ${probe.failures.length} failed, longest gap ${probe.longestGapMs} ms`);
		expect(run.exitCode, run.all).toBe(0);
		expect(probe.failures).toEqual([]);
		expect(probe.requests).toBeGreaterThan(10);

		const events = parseEvents(run.stdout);
		const logs = events.filter((e): e is Extract<RunEvent, {type: 'log'}> => e.type === 'log' && e.node === 'lab-m4').map((e) => e.line);
		expect(logs).toContainEqual(expect.stringMatching(/^lab-m4 joined: \S+ is in the kubernetes EndpointSlice, a Secret written through lab-m\d reads back through it, a token issued through lab-m\d is accepted by it$/));
		const changed = events.filter((e): e is Extract<RunEvent, {type: 'step-done'}> => e.type === 'step-done' && e.node !== 'lab-m4').flatMap((e) => e.changed);
		expect(changed).toEqual([]);

		// lab-m4 serves, and is in the kubernetes EndpointSlice (read through lab-m1).
		expect((await get(`https://${ipOf('lab-m4')}:6443/readyz`, admin)).status).toBe(200);
		const slice = JSON.parse((await get(`https://${ipOf('lab-m1')}:6443/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes`, admin)).body) as {endpoints: Array<{addresses: string[]}>};
		expect(slice.endpoints.flatMap((e) => e.addresses)).toContain(ipOf('lab-m4'));
		// Its serving certificate has its own address, and the others' are the files they had.
		const cert = new X509Certificate((await nodeSsh('lab-m4', 'cat /etc/kubernetes/cert/kubernetes.pem')).stdout);
		expect(cert.checkIP(ipOf('lab-m4'))).toBe(ipOf('lab-m4'));
		expect(cert.checkIP(ipOf('lab-m1'))).toBeUndefined();
		const after = Object.fromEntries(await Promise.all(NODES.map(async (n) => [n, await managedFiles(n)] as const)));
		const kept = (files: Record<string, string[]>) => Object.fromEntries(Object.entries(files).map(([n, lines]) => [n, lines.filter((l) => !l.startsWith('/var/lib/k8s-master-setup/'))]));
		expect(kept(after)).toEqual(kept(before));
		const runsAfter = await unitRuns();
		for (const key of Object.keys(runsBefore)) expect(runsAfter[key]?.invocation, key).toBe(runsBefore[key]?.invocation);
	});

	it('reset --node lab-m4 --purge takes its services and every file of the tool off it; the state forgets it', async () => {
		const run = await execa('node', [cli, 'reset', '--node', 'lab-m4', '--purge', '--yes', '--profile-file', fourPath, '--state-dir', stateDir, '--known-hosts', env.LAB_KNOWN_HOSTS as string], {reject: false, all: true});
		expect(run.exitCode, run.all).toBe(0);
		expect(run.stdout).toMatch(/^lab-m4: reset \(\d+ files and directories removed\)$/m);
		const left = await nodeSsh('lab-m4', 'find /etc/kubernetes /opt/k8s /data/k8s /var/lib/k8s-master-setup /etc/systemd/system -name "kube-*" -o -name "*.pem" -o -name "*.kubeconfig" -o -name "encryption-config.yaml" 2>/dev/null; true');
		expect(left.stdout.trim()).toBe('');
		for (const unit of UNITS) expect((await nodeSsh('lab-m4', `systemctl is-active ${unit}`, {reject: false})).stdout.trim(), unit).not.toBe('active');
		const installed = JSON.parse(readFileSync(join(stateDir, 'installed-nodes.json'), 'utf8')) as {nodes: Array<{name: string}>};
		expect(installed.nodes.map((n) => n.name)).not.toContain('lab-m4');
		// The other masters serve on.
		for (const n of NODES) expect((await get(`https://${ipOf(n)}:6443/readyz`, admin)).status, n).toBe(200);
	});
});
