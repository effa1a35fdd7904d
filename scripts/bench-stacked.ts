/**
 * bench:lab's stacked-etcd row (issue 26): from bare machines (the lab's own etcd taken off,
 * `lab.sh etcd-off`), the guide's two chapters done as scripts one after the other (its etcd
 * chapter, scripts/guide-etcd-procedure.sh, then "deploy the master nodes",
 * scripts/guide-procedure.sh, against that etcd) beside one `apply` of the same nodes with
 * etcd.mode: stacked. Target: apply <= 0.25x the two chapters together. Then the write
 * probe's p99 idle and during a member rollout (a flag change on every member, the leader
 * last): target at most 2x the idle p99, no failed request. The lab's etcd is
 * put back (empty) afterwards. `npm run bench:lab -- --stacked-only` runs it alone;
 * `--no-stacked` leaves it out.
 */
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {execa} from 'execa';
import YAML from 'yaml';
import {benchCli, clearLabNodes, labEnv, labScript} from './bench-lab-nodes.js';
import {adminTlsOf, probeConfigMap, quantile} from './configmap-probe.js';

const repo = new URL('../../', import.meta.url).pathname;
const bare = (nodes: readonly string[]) => clearLabNodes(nodes, {etcd: true});

async function seconds(what: string, command: string, args: string[], env: Record<string, string> = {}): Promise<{s: number; output: string}> {
	const started = performance.now();
	const r = await execa(command, args, {env: {...process.env, ...env}, reject: false, all: true});
	if (r.exitCode !== 0) throw new Error(`${what} failed (exit ${r.exitCode}):\n${r.all?.slice(-3000)}`);
	return {s: (performance.now() - started) / 1000, output: r.all ?? ''};
}

export async function stackedRows(): Promise<void> {
	await execa('bash', [labScript, 'up', '3'], {stdio: 'inherit'});
	const env = await labEnv();
	const nodes = (env.LAB_NODES ?? '').trim().split(/\s+/).map((p) => p.split('=') as [string, string]);
	const names = nodes.map(([n]) => n);
	const ips = nodes.map(([, ip]) => ip);
	const work = mkdtempSync(join(tmpdir(), 'bench-stacked-'));
	await execa('bash', [labScript, 'etcd-off'], {stdio: 'inherit'});
	try {
		await bare(names);
		const guideEnv = {
			NODE_NAMES: names.join(' '),
			NODE_IPS: ips.join(' '),
			CA_DIR: env.LAB_PKI as string,
			ETCD_BIN_DIR: env.LAB_ETCD_BINARIES as string,
			ETCD_ENDPOINTS: ips.map((ip) => `https://${ip}:2379`).join(','),
			BIN_DIR: env.LAB_K8S_BINARIES as string,
			SSH_KEY: env.LAB_KEY as string,
			KNOWN_HOSTS: env.LAB_KNOWN_HOSTS as string,
			WORK_DIR: join(work, 'guide'),
			PATH: `${env.LAB_K8S_BINARIES}:${process.env.PATH}`,
		};
		const guideEtcd = await seconds('guide etcd chapter', 'bash', [join(repo, 'scripts', 'guide-etcd-procedure.sh')], guideEnv);
		const guideMasters = await seconds('guide master chapter', 'bash', [join(repo, 'scripts', 'guide-procedure.sh')], guideEnv);
		await bare(names);
		const profile = YAML.parse(readFileSync(env.LAB_PROFILE as string, 'utf8'));
		profile.etcd = {mode: 'stacked', binaries: env.LAB_ETCD_BINARIES};
		const profilePath = join(work, 'profile-stacked.yaml');
		writeFileSync(profilePath, YAML.stringify(profile));
		const args = ['apply', '--profile-file', profilePath, '--state-dir', join(work, 'state'), '--known-hosts', env.LAB_KNOWN_HOSTS as string, '--yes'];
		const apply = await seconds('apply (stacked)', benchCli, args);
		const again = await seconds('apply (stacked, re-run)', benchCli, args);
		const guide = guideEtcd.s + guideMasters.s;
		const ratio = apply.s / guide;
		const checks = (o: string, key: string) => Number(new RegExp(`^${key} ([\\d.]+)$`, 'm').exec(o)?.[1] ?? NaN);
		console.log('\nstacked etcd (3 bare masters: etcd + control plane)');
		console.log(`${'guide: etcd chapter'.padEnd(38)} ${guideEtcd.s.toFixed(2).padStart(8)} s  (of which ${checks(guideEtcd.output, 'guide-etcd-check-seconds').toFixed(2)} s in its endpoint health check)`);
		console.log(`${'guide: master chapter'.padEnd(38)} ${guideMasters.s.toFixed(2).padStart(8)} s  (of which ${checks(guideMasters.output, 'guide-check-seconds').toFixed(2)} s in its checks)`);
		console.log(`${'apply, etcd.mode: stacked'.padEnd(38)} ${apply.s.toFixed(2).padStart(8)} s  ${ratio.toFixed(2)}x the two chapters (target <= 0.25x) ${ratio <= 0.25 ? 'PASS' : 'MISS'}`);
		console.log(`${'apply, re-run (nothing to change)'.padEnd(38)} ${again.s.toFixed(2).padStart(8)} s`);
		// The write probe's p99 idle, then during a member rollout (a flag change on every member).
		const admin = adminTlsOf(join(work, 'state', 'admin.kubeconfig'));
		// 5 s first, not counted: the first writes after an install wait on the apiservers' caches.
		const warm = probeConfigMap(ips, admin, 'bench-stacked-probe');
		await new Promise((r) => setTimeout(r, 5_000));
		await warm.stop();
		const idle = probeConfigMap(ips, admin, 'bench-stacked-probe');
		await new Promise((r) => setTimeout(r, 20_000));
		await idle.stop();
		profile.etcd = {...profile.etcd, quotaBackendBytes: 4294967296};
		writeFileSync(profilePath, YAML.stringify(profile));
		const rolling = probeConfigMap(ips, admin, 'bench-stacked-probe');
		const rollout = await seconds('apply (stacked, member rollout)', benchCli, args);
		await rolling.stop();
		const idleP99 = quantile(idle.writeMs, 0.99);
		const rollP99 = quantile(rolling.writeMs, 0.99);
		const p99Ratio = rollP99 / idleP99;
		const p50 = (xs: number[]) => quantile(xs, 0.5).toFixed(0);
		console.log(`${'probe write p99, idle'.padEnd(38)} ${idleP99.toFixed(0).padStart(8)} ms (p50 ${p50(idle.writeMs)} ms; ${idle.writeMs.length} writes, ${idle.failures.length} failed)`);
		console.log(
			`${'probe write p99, member rollout'.padEnd(38)} ${rollP99.toFixed(0).padStart(8)} ms (p50 ${p50(rolling.writeMs)} ms; ${rolling.writeMs.length} writes in ${rollout.s.toFixed(1)} s, ${rolling.failures.length} failed) ${p99Ratio.toFixed(2)}x idle (target <= 2x) ${p99Ratio <= 2 && rolling.failures.length === 0 ? 'PASS' : 'MISS'}`,
		);
	} finally {
		await bare(names);
		await execa('bash', [labScript, 'etcd', '--reset'], {stdio: 'inherit'});
		rmSync(work, {recursive: true, force: true});
	}
}
