/**
 * `npm run bench:rotation`: `encryption rotate` on the lab, aescbc → secretbox, for 500 and for
 * 5,000 Secrets (`-- --secrets 500,5000`, the default; `--rate N` as the rotation's), each from a fresh aescbc install.
 * Prints the rewrite's rate (Secrets per second, from the tool's own line), the whole
 * rotation's wall time, and the p99 latency of a probe's reads (scripts/secret-probe.ts:
 * random Secrets through every master, a write every 200 ms) during the rewrite, against the
 * same probe for 15 s before the rotation. The target: the rotation at most doubles the p99.
 * Needs root and the lab (scripts/lab.sh); leaves the lab with the last rotated cluster.
 */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {execa} from 'execa';
import YAML from 'yaml';
import {benchCli, labEnv, labScript, resetLabNodes} from './bench-lab-nodes.js';
import {adminTlsOf} from './configmap-probe.js';
import {p99, probeSecrets, seedSecrets} from './secret-probe.js';

const lab = labScript;
const cli = benchCli;

const adminTls = adminTlsOf;

interface Row {
	secrets: number;
	wallS: number;
	rewriteLine: string;
	rate: number;
	baselineP99: number;
	rewriteP99: number;
	failures: number;
	reads: number;
}

async function once(env: Record<string, string>, secrets: number): Promise<Row> {
	const nodes = [...(env.LAB_NODES ?? '').matchAll(/(\S+)=(\S+)/g)].map((m) => ({name: m[1]!, ip: m[2]!}));
	await resetLabNodes(nodes.map((n) => n.name));
	const work = mkdtempSync(join(tmpdir(), 'bench-rotation-'));
	const profilePath = join(work, 'profile.yaml');
	const stateDir = join(work, 'state');
	const profile = YAML.parse(readFileSync(env.LAB_PROFILE as string, 'utf8'));
	profile.encryption = {provider: 'aescbc'};
	writeFileSync(profilePath, YAML.stringify(profile));
	const access = ['--profile-file', profilePath, '--state-dir', stateDir, '--known-hosts', env.LAB_KNOWN_HOSTS as string, '--yes'];
	await execa('node', [cli, 'apply', ...access]);
	const tls = adminTls(join(stateDir, 'admin.kubeconfig'));
	const ips = nodes.map((n) => n.ip);
	process.stderr.write(`seeding ${secrets} Secrets…\n`);
	const seeded = await seedSecrets(ips, tls, secrets, 20, 'bench-rot');
	const baseline = probeSecrets('baseline', ips, tls, seeded);
	await new Promise((r) => setTimeout(r, 15_000));
	await baseline.stop();
	const probe = probeSecrets('rotation', ips, tls, seeded);
	let rewriteFrom = 0;
	let rewriteTo = 0;
	const started = performance.now();
	const run = execa('node', [cli, 'encryption', 'rotate', ...access, '--provider', 'secretbox', '--rate', String(RATE)], {all: true});
	run.all?.on('data', (chunk: Buffer) => {
		const text = chunk.toString();
		if (text.includes('phase 3/5 rewrite')) rewriteFrom = performance.now();
		if (text.includes('phase 4/5 verify')) rewriteTo = performance.now();
	});
	const done = await run;
	const wallS = (performance.now() - started) / 1000;
	await probe.stop();
	const rewriteLine = /rewrote \d+ Secrets in [\d.]+ s \((\d+)\/s\)/.exec(done.all ?? '');
	return {
		secrets,
		wallS,
		rewriteLine: rewriteLine?.[0] ?? '?',
		rate: Number(rewriteLine?.[1] ?? 0),
		baselineP99: p99(baseline.readMs),
		rewriteP99: p99(probe.readMs, rewriteFrom, rewriteTo),
		failures: probe.failures.length,
		reads: probe.reads,
	};
}

const rateArg = process.argv.indexOf('--rate');
const RATE = rateArg > 0 ? Number(process.argv[rateArg + 1]) : 50;
const arg = process.argv.indexOf('--secrets');
const counts = (arg > 0 ? process.argv[arg + 1]! : '500,5000').split(',').map(Number);
await execa('bash', [lab, 'up', '3'], {stdio: 'inherit'});
const env = await labEnv();
const rows: Row[] = [];
for (const n of counts) rows.push(await once(env, n));
console.log(`\nencryption rotate aescbc → secretbox on the lab (3 masters, --rate ${RATE}, 10 s stability window)`);
console.log('secrets  wall      rewrite                                 probe p99 before  during rewrite  ratio  probe failures');
for (const r of rows) {
	const ratio = r.rewriteP99 / Math.max(r.baselineP99, 1);
	console.log(
		`${String(r.secrets).padEnd(8)} ${`${r.wallS.toFixed(1)} s`.padEnd(9)} ${r.rewriteLine.padEnd(39)} ${`${r.baselineP99.toFixed(0)} ms`.padEnd(17)} ${`${r.rewriteP99.toFixed(0)} ms`.padEnd(15)} ${ratio.toFixed(2).padEnd(6)} ${r.failures} of ${r.reads} reads ${ratio <= 2 ? '(target met: ≤ 2×)' : '(target missed: > 2×)'}`,
	);
}
