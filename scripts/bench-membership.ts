/**
 * bench:lab's membership rows (issue 24): on the lab, a fourth master added to a running
 * three-master cluster, then the first master removed, each under the ConfigMap probe
 * (scripts/configmap-probe.ts) through the masters the change leaves alone. Printed per
 * change: the wall time of `apply`, the probe's requests, failures and longest gap.
 * Targets: no failed request, add <= 20 s, remove <= 30 s. The lab is put back to three
 * masters afterwards (lab-m4 reset, lab-m1 added back, `lab.sh up 3`).
 * `npm run bench:lab -- --membership-only` runs these rows alone; `--no-membership` leaves them out.
 */
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {execa} from 'execa';
import YAML from 'yaml';
import {benchCli, clearLabNodes, labEnv, labScript, resetLabNodes} from './bench-lab-nodes.js';
import {adminTlsOf, probeConfigMap} from './configmap-probe.js';

interface Row {
	what: string;
	seconds: number;
	targetS: number;
	requests: number;
	failures: string[];
	longestGapMs: number;
}

export async function membershipRows(): Promise<void> {
	await execa('bash', [labScript, 'up', '3'], {stdio: 'inherit'});
	let env = await labEnv();
	const work = mkdtempSync(join(tmpdir(), 'bench-membership-'));
	const state = join(work, 'state');
	// The lab's profile file follows `lab.sh up N`: the three-node one is kept here.
	const three = join(work, 'profile-3.yaml');
	const profile = YAML.parse(readFileSync(env.LAB_PROFILE as string, 'utf8'));
	writeFileSync(three, YAML.stringify(profile));
	const apply = (profile: string, ...extra: string[]) =>
		execa(benchCli, ['apply', '--profile-file', profile, '--state-dir', state, '--known-hosts', env.LAB_KNOWN_HOSTS as string, '--yes', ...extra], {reject: false, all: true});
	const must = async (what: string, run: ReturnType<typeof apply>) => {
		const r = await run;
		if (r.exitCode !== 0) throw new Error(`${what} failed (exit ${r.exitCode}):\n${r.all?.slice(-3000)}`);
	};
	await resetLabNodes(['lab-m1', 'lab-m2', 'lab-m3']);
	await must('first install', apply(three));

	await execa('bash', [labScript, 'up', '4'], {stdio: 'inherit'});
	env = await labEnv();
	const ipOf = (name: string) => new RegExp(`${name}=(\\S+)`).exec(env.LAB_NODES ?? '')?.[1] as string;
	// A fresh fourth node (resetLabNodes would also empty etcd, which now holds the cluster).
	await clearLabNodes(['lab-m4']);
	const four = join(work, 'profile-4.yaml');
	writeFileSync(four, YAML.stringify({...profile, nodes: [...profile.nodes, {name: 'lab-m4', ip: ipOf('lab-m4')}]}));
	const withoutM1 = join(work, 'profile-without-m1.yaml');
	writeFileSync(withoutM1, YAML.stringify({...profile, nodes: [...profile.nodes.filter((n: {name: string}) => n.name !== 'lab-m1'), {name: 'lab-m4', ip: ipOf('lab-m4')}]}));
	const tls = adminTlsOf(join(state, 'admin.kubeconfig'));

	const underProbe = async (what: string, targetS: number, via: string[], run: () => ReturnType<typeof apply>): Promise<Row> => {
		const probe = probeConfigMap(via.map(ipOf), tls, 'bench-membership-probe');
		await new Promise((r) => setTimeout(r, 1000));
		const started = performance.now();
		await must(what, run());
		const seconds = (performance.now() - started) / 1000;
		await new Promise((r) => setTimeout(r, 1000));
		await probe.stop();
		return {what, seconds, targetS, requests: probe.requests, failures: probe.failures, longestGapMs: probe.longestGapMs};
	};
	const rows = [
		await underProbe('add a master (lab-m4)', 20, ['lab-m1', 'lab-m2', 'lab-m3'], () => apply(four)),
		await underProbe('remove a master (lab-m1, the first)', 30, ['lab-m2', 'lab-m3', 'lab-m4'], () => apply(withoutM1, '--remove-nodes')),
	];

	// Back to the three-master lab the other rows and suites expect.
	await execa(benchCli, ['reset', '--node', 'lab-m4', '--yes', '--profile-file', withoutM1, '--state-dir', state, '--known-hosts', env.LAB_KNOWN_HOSTS as string], {reject: false});
	await clearLabNodes(['lab-m4']);
	await apply(three);
	await execa('bash', [labScript, 'up', '3'], {stdio: 'inherit'});
	rmSync(work, {recursive: true, force: true});

	console.log('\nmembership (4-node lab, etcd on 3), probe: a ConfigMap written and read back every 200 ms through the masters left alone');
	for (const r of rows) {
		const pass = r.failures.length === 0 && r.seconds <= r.targetS;
		console.log(
			`${r.what.padEnd(38)} ${r.seconds.toFixed(2).padStart(8)} s  target <= ${r.targetS} s, no failed request ${pass ? 'PASS' : 'MISS'}; probe ${r.requests} requests, ${r.failures.length} failed, longest gap ${r.longestGapMs} ms`,
		);
		for (const f of r.failures.slice(0, 5)) console.log(`  failed: ${f}`);
	}
}
