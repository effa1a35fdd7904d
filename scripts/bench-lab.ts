/**
 * `npm run bench:lab`: on the same lab nodes and the same binaries, side by side, the
 * guide's procedure as a shell script (scripts/guide-procedure.sh: cfssl, kubectl config,
 * one scp/ssh after another, the guide's checks) and `apply` for 3 nodes; then a re-run of each. Prints wall
 * times, the ratios against the targets, and the tool's peak RSS (GNU time's %M).
 * `npm run bench:lab -- --rounds 3`: three interleaved rounds, medians.
 * Each round also times a first install from a profile with the guide's two settings that
 * apply's defaults leave: --runtime-config=api/all=true (apply leaves alpha APIs off, see
 * source/render/flags.ts) and every etcd endpoint for every apiserver (apply gives a node's
 * apiserver its own member, see source/render/etcd-endpoints.ts), so the ratio can be read
 * both ways: the tool's cluster, and one configured like the guide's.
 * Then the upgrade rows (bench-upgrade.ts): a rolling upgrade 1.36.3 -> the lab's release
 * beside the guide's procedure re-run with the new binaries (`--no-upgrade` leaves them out).
 * Then the membership rows (bench-membership.ts): a master added and one removed under a
 * write/read probe (`--no-membership` leaves them out, `--membership-only` runs them alone),
 * and the stacked-etcd row (bench-stacked.ts: the guide's etcd and master chapters against one
 * apply with etcd.mode: stacked; `--no-stacked`, `--stacked-only`).
 * Needs root and the lab (scripts/lab.sh); leaves the lab running with apply's result.
 */
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {availableParallelism, tmpdir} from 'node:os';
import {join} from 'node:path';
import {execa} from 'execa';
import {parseDocument} from 'yaml';
import {membershipRows} from './bench-membership.js';
import {stackedRows} from './bench-stacked.js';
import {upgradeRows} from './bench-upgrade.js';
import {benchCli, labEnv, labScript, resetLabNodes} from './bench-lab-nodes.js';

const repo = new URL('../../', import.meta.url).pathname;
const lab = labScript;
const cli = benchCli;
const reset = resetLabNodes;

async function timed(what: string, command: string, args: string[], env: Record<string, string> = {}): Promise<Timed> {
	const rssFile = join(tmpdir(), `bench-lab-rss-${process.pid}`);
	const cpuBefore = hostCpu();
	const started = performance.now();
	const run = await execa('/usr/bin/time', ['-f', '%M', '-o', rssFile, command, ...args], {env: {...process.env, ...env}, reject: false, all: true});
	const seconds = (performance.now() - started) / 1000;
	const cpu = hostCpu();
	if (run.exitCode !== 0) throw new Error(`${what} failed (exit ${run.exitCode}):\n${run.all?.slice(-3000)}`);
	const rssKb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
	rmSync(rssFile, {force: true});
	return {seconds, rssMb: Number.isFinite(rssKb) ? rssKb / 1024 : undefined, output: run.all ?? '', busyCpuSeconds: cpu.busy - cpuBefore.busy, stealCpuSeconds: cpu.steal - cpuBefore.steal};
}

/**
 * The whole machine's CPU time so far (/proc/stat, all cores): busy (user, nice, system,
 * irq, softirq) and steal. The lab's nodes, their etcd and the services run on this
 * machine, so a run's busy CPU-seconds are the work it caused; steal is time the
 * hypervisor gave to others, which slows a CPU-bound install more than the guide's
 * one-after-another waits, so it is printed beside each round.
 */
function hostCpu(): {busy: number; steal: number} {
	const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
	const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields.map(Number);
	const hz = 100; // USER_HZ: /proc/stat counts in 1/100 s on Linux
	return {busy: (user + nice + system + irq + softirq) / hz, steal: steal / hz};
}

/** Steal as a share of the cores' time during a run. */
function stealShare(t: Timed): string {
	return `${((100 * t.stealCpuSeconds) / (t.seconds * availableParallelism())).toFixed(0)}%`;
}

async function main(): Promise<void> {
	if (process.getuid?.() !== 0) {
		console.log('bench:lab skipped: the lab needs root');
		return;
	}
	if (process.argv.includes('--membership-only')) {
		await membershipRows();
		return;
	}
	if (process.argv.includes('--stacked-only')) {
		await stackedRows();
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
	const names = nodes.map(([n]) => n);
	const asGuideProfile = join(work, 'profile-as-guide.yaml');
	const doc = parseDocument(readFileSync(profile, 'utf8'));
	doc.setIn(['apiserver', 'extraArgs', 'runtime-config'], 'api/all=true');
	doc.setIn(['etcd', 'apiserverEndpoints'], 'all');
	writeFileSync(asGuideProfile, doc.toString());

	// Rounds (--rounds N) are interleaved, guide then apply, so both see the same machine:
	// its speed drifts by half over an hour here. Each round starts from nothing (fresh work
	// and state directories, services and etcd data removed).
	const rounds: Round[] = [];
	// --upgrade-only: only the upgrade rows (issue 14), no install rounds.
	for (let r = 0; r < (process.argv.includes('--upgrade-only') ? 0 : ROUNDS); r++) {
		const guideRun = {...guideEnv, WORK_DIR: join(work, `guide-${r}`)};
		await reset(names);
		const guideFirst = await timed('guide (first)', 'bash', [join(repo, 'scripts', 'guide-procedure.sh')], guideRun);
		// As written, the guide's re-run fails copying over running binaries; it has to stop them first.
		const guideAgain = await timed('guide (re-run)', 'bash', [join(repo, 'scripts', 'guide-procedure.sh')], {...guideRun, STOP_SERVICES_FIRST: '1'});
		await reset(names);
		const applyArgs = (file: string, state: string) => ['apply', '--profile-file', file, '--state-dir', join(work, state), '--known-hosts', env.LAB_KNOWN_HOSTS as string, '--yes'];
		const applyAsGuide = await timed('apply (first, as the guide)', cli, applyArgs(asGuideProfile, `state-as-guide-${r}`));
		await reset(names);
		const applyFirst = await timed('apply (first)', cli, applyArgs(profile, `state-${r}`));
		const applyAgain = await timed('apply (re-run)', cli, applyArgs(profile, `state-${r}`));
		rounds.push({guideFirst, guideAgain, applyFirst, applyAgain, applyAsGuide});
		console.log(
			`round ${r + 1}: guide ${guideFirst.seconds.toFixed(2)} s, apply ${applyFirst.seconds.toFixed(2)} s = ${(applyFirst.seconds / guideFirst.seconds).toFixed(2)}x (as the guide ${applyAsGuide.seconds.toFixed(2)} s = ${(applyAsGuide.seconds / guideFirst.seconds).toFixed(2)}x); re-runs ${guideAgain.seconds.toFixed(2)} / ${applyAgain.seconds.toFixed(2)} s`,
		);
		console.log(
			`  machine: guide ${guideFirst.busyCpuSeconds.toFixed(1)} CPU-s busy, steal ${stealShare(guideFirst)}; apply ${applyFirst.busyCpuSeconds.toFixed(1)} CPU-s busy, steal ${stealShare(applyFirst)}`,
		);
	}
	if (!process.argv.includes('--no-upgrade')) {
		await upgradeRows({env, names, ips: nodes.map(([, ip]) => ip), guideEnv, work, cli, guideScript: join(repo, 'scripts', 'guide-procedure.sh'), reset, timed});
	}
	rmSync(work, {recursive: true, force: true});
	if (!process.argv.includes('--no-membership')) await membershipRows();
	if (!process.argv.includes('--no-stacked')) await stackedRows();
	if (rounds.length === 0) return;

	const row = (name: string, s: number, extra = '') => console.log(`${name.padEnd(38)} ${s.toFixed(2).padStart(8)} s  ${extra}`);
	const med = (pick: (r: Round) => number) => median(rounds.map(pick));
	console.log(`\nlab: ${nodes.length} nodes, Kubernetes binaries ${env.LAB_K8S_BINARIES}${ROUNDS > 1 ? `; medians of ${ROUNDS} rounds` : ''}`);
	// The guide's own checks (kubectl cluster-info, get all, componentstatuses, the leader of
	// each component), run until they pass as a reader would; the script says how long it waited.
	const guideFirst = med((r) => r.guideFirst.seconds);
	const guideChecks = med((r) => checks(r.guideFirst));
	const guideAgain = med((r) => r.guideAgain.seconds);
	const applyFirst = med((r) => r.applyFirst.seconds);
	const applyAgain = med((r) => r.applyAgain.seconds);
	const ratio = med((r) => r.applyFirst.seconds / r.guideFirst.seconds);
	row('guide procedure, first install', guideFirst, `(of which ${guideChecks.toFixed(2)} s in the guide's own checks)`);
	row('guide procedure, re-run', guideAgain, `(services stopped first: scp cannot replace running binaries; ${med((r) => checks(r.guideAgain)).toFixed(2)} s in checks)`);
	row('apply, first install', applyFirst, `${ratio.toFixed(2)}x the guide (target <= 0.30x) ${ratio <= 0.3 ? 'PASS' : 'MISS'}`);
	const asGuide = med((r) => r.applyAsGuide.seconds);
	row(
		'  the same, configured as the guide',
		asGuide,
		`${med((r) => r.applyAsGuide.seconds / r.guideFirst.seconds).toFixed(2)}x the guide (api/all=true and every etcd member per apiserver; apply's defaults: the release's APIs, the node's own member)`,
	);
	row('apply, re-run (nothing to change)', applyAgain, `target <= 3 s ${applyAgain <= 3 ? 'PASS' : 'MISS'}; ${(applyAgain / guideAgain).toFixed(2)}x the guide's re-run`);
	console.log(`peak RSS of apply: first ${med((r) => r.applyFirst.rssMb ?? NaN).toFixed(0)} MB, re-run ${med((r) => r.applyAgain.rssMb ?? NaN).toFixed(0)} MB`);
	console.log(`apply, first install, against the guide without its checks: ${med((r) => r.applyFirst.seconds / (r.guideFirst.seconds - checks(r.guideFirst))).toFixed(2)}x`);
	console.log('(apply waits for /readyz, both healthz and both Lease holders in its verify step; the guide for `systemctl restart` of Type=notify units and its checks)');
}

interface Timed {
	seconds: number;
	rssMb?: number;
	output: string;
	busyCpuSeconds: number;
	stealCpuSeconds: number;
}
interface Round {
	guideFirst: Timed;
	guideAgain: Timed;
	applyFirst: Timed;
	applyAgain: Timed;
	applyAsGuide: Timed;
}

/** The guide script's own line: how long it waited in the guide's checks. */
function checks(r: Timed): number {
	return Number(/^guide-check-seconds ([\d.]+)$/m.exec(r.output)?.[1] ?? NaN);
}

function median(xs: number[]): number {
	const sorted = [...xs].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Math.max(1, Number(process.argv[roundsArg + 1]) || 1) : 1;

await main();
