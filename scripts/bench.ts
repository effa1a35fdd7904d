/**
 * `npm run bench`: every benchmark, one after another, each in its own child process (so
 * one's memory or warmed-up JIT does not skew another's), then one summary: each number
 * with its target and PASS or MISS. Always exits 0: benchmarks inform, tests gate.
 *
 *   node dist/scripts/bench.js [--only render,upload,ui,status] [--state-dir DIR]
 *        [--profile-file F] [--known-hosts F]
 *
 * The status benchmark talks to real nodes (the lab: scripts/lab.sh up, then apply its
 * profile), so it runs only when --state-dir names the state directory that apply used
 * (with --profile-file, default the lab's /var/lib/k8s-master-setup-lab/profile.yaml);
 * without it, it is skipped and says so.
 */
import {spawn} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {cpus, loadavg, tmpdir} from 'node:os';
import {dirname, join, relative} from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {METRICS_ENV, type Metric} from './bench-metrics.js';

const here = dirname(fileURLToPath(import.meta.url));
const ALL = ['render', 'upload', 'ui', 'status'] as const;
type BenchName = (typeof ALL)[number];

const {values} = parseArgs({
	options: {
		only: {type: 'string'},
		'state-dir': {type: 'string'},
		'profile-file': {type: 'string'},
		'known-hosts': {type: 'string'},
	},
});

type Line = Metric | {skipped: string; reason: string};
interface Outcome {
	bench: BenchName;
	lines: Line[];
	exitCode: number | null;
	seconds: number;
	skippedBecause?: string;
}

function argsFor(bench: BenchName): string[] | {skip: string} {
	if (bench !== 'status') return [];
	if (!values['state-dir']) {
		return {skip: 'needs the lab and an applied control plane: pass --state-dir DIR (the state directory apply used), and --profile-file F unless it is the lab profile'};
	}
	if (!existsSync(values['state-dir'])) return {skip: `--state-dir ${values['state-dir']} does not exist (apply the profile first)`};
	return [
		'--state-dir', values['state-dir'],
		...(values['profile-file'] ? ['--profile-file', values['profile-file']] : []),
		...(values['known-hosts'] ? ['--known-hosts', values['known-hosts']] : []),
	];
}

async function runOne(bench: BenchName, work: string): Promise<Outcome> {
	const args = argsFor(bench);
	if (!Array.isArray(args)) {
		console.log(`\n=== ${bench}: skipped: ${args.skip}`);
		return {bench, lines: [], exitCode: 0, seconds: 0, skippedBecause: args.skip};
	}
	const script = join(here, `bench-${bench}.js`);
	const metricsFile = join(work, `${bench}.jsonl`);
	console.log(`\n=== ${bench}: node ${relative(process.cwd(), script)}${args.length ? ` ${args.join(' ')}` : ''}`);
	const started = performance.now();
	const exitCode = await new Promise<number | null>((resolve) => {
		const child = spawn(process.execPath, [script, ...args], {stdio: 'inherit', env: {...process.env, [METRICS_ENV]: metricsFile}});
		child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null)));
		child.once('error', (error) => {
			console.log(`${bench}: could not start: ${error.message}`);
			resolve(null);
		});
	});
	const lines = existsSync(metricsFile)
		? readFileSync(metricsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line)
		: [];
	return {bench, lines, exitCode, seconds: (performance.now() - started) / 1000};
}

function formatValue(m: Metric): string {
	const digits = m.unit === 's' ? 3 : Math.abs(m.value) < 10 ? 2 : 0;
	return `${m.value.toFixed(digits)} ${m.unit}`;
}

async function main(): Promise<void> {
	const wanted = values.only ? values.only.split(',').map((s) => s.trim()) : [...ALL];
	const unknown = wanted.filter((w) => !(ALL as readonly string[]).includes(w));
	if (unknown.length > 0) {
		console.log(`unknown benchmark(s): ${unknown.join(', ')} (known: ${ALL.join(', ')})`);
		return;
	}
	const work = mkdtempSync(join(tmpdir(), 'k8s-master-setup-bench-metrics-'));
	const outcomes: Outcome[] = [];
	const load = (loadavg()[0] ?? 0).toFixed(2);
	try {
		for (const bench of ALL.filter((b) => wanted.includes(b))) outcomes.push(await runOne(bench, work));
	} finally {
		rmSync(work, {recursive: true, force: true});
	}

	console.log(`\n=== summary (load average ${load} at the start, ${(loadavg()[0] ?? 0).toFixed(2)} at the end, ${cpus().length} cores; wall times stretch under load)`);
	const metrics = outcomes.flatMap((o) => o.lines.filter((l): l is Metric => 'name' in l).map((m) => ({bench: o.bench, m})));
	const width = Math.max(0, ...metrics.map(({m}) => m.name.length));
	for (const o of outcomes) {
		const own = metrics.filter((x) => x.bench === o.bench);
		for (const {m} of own) {
			console.log(`${m.pass ? 'PASS' : 'MISS'}  ${m.name.padEnd(width)}  ${formatValue(m).padStart(12)}   target ${m.target}${m.note ? `   (${m.note})` : ''}`);
		}
		const skips = [...o.lines.filter((l): l is {skipped: string; reason: string} => 'skipped' in l).map((l) => l.reason), ...(o.skippedBecause ? [o.skippedBecause] : [])];
		for (const reason of skips) console.log(`SKIP  ${o.bench}: ${reason}`);
		if (o.exitCode !== 0) console.log(`FAIL  ${o.bench}: the benchmark exited with ${o.exitCode ?? 'no code'} (its output is above)`);
		else if (own.length === 0 && skips.length === 0) console.log(`----  ${o.bench}: reported no numbers (its output is above)`);
	}
	const passed = metrics.filter(({m}) => m.pass).length;
	console.log(`${passed} of ${metrics.length} numbers within target; benchmarks inform, tests gate: exit 0`);
}

main()
	.catch((error: unknown) => console.log(`bench: ${error instanceof Error ? error.stack : String(error)}`))
	.finally(() => {
		process.exitCode = 0;
	});
