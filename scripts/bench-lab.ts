/**
 * `npm run bench:lab`: on the same lab nodes and the same binaries, side by side, the
 * guide's procedure as a shell script (scripts/guide-procedure.sh: cfssl, kubectl config,
 * one scp/ssh after another) and `apply` for 3 nodes; then a re-run of each. Prints wall
 * times, the ratios against the targets, and the tool's peak RSS (GNU time's %M).
 * Needs root and the lab (scripts/lab.sh); leaves the lab running with apply's result.
 */
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {execa} from 'execa';

const repo = new URL('../../', import.meta.url).pathname;
const lab = join(repo, 'scripts', 'lab.sh');
const cli = join(repo, 'dist', 'source', 'cli', 'main.js');
const UNITS = 'kube-apiserver kube-controller-manager kube-scheduler';

async function labEnv(): Promise<Record<string, string>> {
	const {stdout} = await execa('bash', [lab, 'env']);
	return Object.fromEntries([...stdout.matchAll(/^([A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1] as string, (m[2] as string).replace(/^"|"$/g, '')]));
}

async function reset(nodes: string[]): Promise<void> {
	await Promise.all(
		nodes.map((n) =>
			execa('bash', [lab, 'ssh', n, `systemctl disable --now ${UNITS} 2>/dev/null; rm -rf /opt/k8s /etc/kubernetes /data/k8s /var/lib/k8s-master-setup /etc/systemd/system/kube-*.service; systemctl daemon-reload`], {reject: false}),
		),
	);
	await execa('bash', [lab, 'etcdctl', 'del', '--prefix', '/registry']);
}

async function timed(what: string, command: string, args: string[], env: Record<string, string> = {}): Promise<{seconds: number; rssMb?: number}> {
	const rssFile = join(tmpdir(), `bench-lab-rss-${process.pid}`);
	const started = performance.now();
	const run = await execa('/usr/bin/time', ['-f', '%M', '-o', rssFile, command, ...args], {env: {...process.env, ...env}, reject: false, all: true});
	const seconds = (performance.now() - started) / 1000;
	if (run.exitCode !== 0) throw new Error(`${what} failed (exit ${run.exitCode}):\n${run.all?.slice(-3000)}`);
	const rssKb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
	rmSync(rssFile, {force: true});
	return {seconds, rssMb: Number.isFinite(rssKb) ? rssKb / 1024 : undefined};
}

async function main(): Promise<void> {
	if (process.getuid?.() !== 0) {
		console.log('bench:lab skipped: the lab needs root');
		return;
	}
	await execa('bash', [lab, 'up', '3'], {stdio: 'inherit'});
	const env = await labEnv();
	const nodes = (env.LAB_NODES ?? '').trim().split(/\s+/).map((p) => p.split('=') as [string, string]);
	const profile = env.LAB_PROFILE as string;
	const work = mkdtempSync(join(tmpdir(), 'bench-lab-'));
	const guideEnv = {
		NODE_NAMES: nodes.map(([n]) => n).join(' '),
		NODE_IPS: nodes.map(([, ip]) => ip).join(' '),
		ETCD_ENDPOINTS: nodes.map(([, ip]) => `https://${ip}:2379`).join(','),
		CA_DIR: env.LAB_PKI as string,
		BIN_DIR: env.LAB_K8S_BINARIES as string,
		SSH_KEY: env.LAB_KEY as string,
		KNOWN_HOSTS: env.LAB_KNOWN_HOSTS as string,
		WORK_DIR: join(work, 'guide'),
		PATH: `${env.LAB_K8S_BINARIES}:${process.env.PATH}`,
	};
	const applyArgs = [cli, 'apply', '--profile-file', profile, '--state-dir', join(work, 'state'), '--known-hosts', env.LAB_KNOWN_HOSTS as string, '--yes'];
	const names = nodes.map(([n]) => n);

	await reset(names);
	const guideFirst = await timed('guide (first)', 'bash', [join(repo, 'scripts', 'guide-procedure.sh')], guideEnv);
	// As written, the guide's re-run fails copying over running binaries; it has to stop them first.
	const guideAgain = await timed('guide (re-run)', 'bash', [join(repo, 'scripts', 'guide-procedure.sh')], {...guideEnv, STOP_SERVICES_FIRST: '1'});
	await reset(names);
	const applyFirst = await timed('apply (first)', 'node', applyArgs);
	const applyAgain = await timed('apply (re-run)', 'node', applyArgs);
	rmSync(work, {recursive: true, force: true});

	const row = (name: string, s: number, extra = '') => console.log(`${name.padEnd(34)} ${s.toFixed(2).padStart(8)} s  ${extra}`);
	console.log(`\nlab: ${nodes.length} nodes, Kubernetes binaries ${env.LAB_K8S_BINARIES}`);
	row('guide procedure, first install', guideFirst.seconds);
	row('guide procedure, re-run', guideAgain.seconds, '(services stopped first: scp cannot replace running binaries)');
	const firstRatio = applyFirst.seconds / guideFirst.seconds;
	row('apply, first install', applyFirst.seconds, `${firstRatio.toFixed(2)}x the guide (target <= 0.30x) ${firstRatio <= 0.3 ? 'PASS' : 'MISS'}`);
	row('apply, re-run (nothing to change)', applyAgain.seconds, `target <= 3 s ${applyAgain.seconds <= 3 ? 'PASS' : 'MISS'}; ${(applyAgain.seconds / guideAgain.seconds).toFixed(2)}x the guide's re-run`);
	console.log(`peak RSS of apply: first ${applyFirst.rssMb?.toFixed(0)} MB, re-run ${applyAgain.rssMb?.toFixed(0)} MB`);
	console.log('(the guide does not wait for health or leader election; apply does, in its verify step)');
}

await main();
