/**
 * UI benchmark (not a timed test): prints numbers, `npm run bench` runs it.
 *  1. live grid: 7 nodes × 9 steps, 200 events/s for ~5 s, rendered by ink into a fake
 *     80-column terminal: frames written per second (target ≤ ~20) and CPU of this
 *     process as a share of one core (target < 25%);
 *  2. startup to the first wizard frame (target < 400 ms), two ways, median of --runs:
 *     a. the shipped CLI itself, `node dist/k8s-master-setup.mjs init`, on a real pty
 *        (util-linux `script`), with HOME and the config dir in a temporary directory:
 *        spawn until the wizard's title arrives — what a user waits for;
 *     b. `node dist/bench/wizard-first-frame.mjs --fake-tty` (the same runWizard(), bundled
 *        like the CLI, on a stand-in TTY): also reports the child's own time since its
 *        start and its CPU time at the first frame (wall time stretches on a loaded machine).
 * Usage: node dist/scripts/bench-ui.js [--seconds 5] [--rate 200] [--runs 11]
 */
import {execFileSync, spawn} from 'node:child_process';
import {EventEmitter} from 'node:events';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import {loadavg, cpus, tmpdir} from 'node:os';
import {fileURLToPath} from 'node:url';
import path from 'node:path';
import {reportMetrics} from './bench-metrics.js';
import type {RunEvent} from '../source/run/events.js';
import {STEP_NAMES} from '../source/profile/schema.js';
import {WIZARD_TITLE} from '../source/ui/wizard/steps.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
	const i = args.indexOf(`--${name}`);
	return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
};
const SECONDS = arg('seconds', 5);
const RATE = arg('rate', 200);
const RUNS = arg('runs', 11);
const NODES = Array.from({length: 7}, (_, i) => `master${i + 1}`);

/** A plausible run, round-robin over nodes, sized to about RATE × SECONDS events. */
function syntheticRun(total: number): RunEvent[] {
	const perStep = Math.max(3, Math.round(total / (NODES.length * STEP_NAMES.length)));
	const queues = NODES.map((node) =>
		STEP_NAMES.flatMap((step): Array<RunEvent> => {
			const middle = Array.from({length: perStep - 2}, (_, k): RunEvent =>
				step === 'binaries'
					? {type: 'step-progress', at: 0, node, step, message: 'uploading kube-apiserver', bytes: (k + 1) * 1_000_000, totalBytes: (perStep - 2) * 1_000_000}
					: {type: 'log', at: 0, node, step, line: `${step}: line ${k} of the step's output on ${node}`},
			);
			return [{type: 'step-started', at: 0, node, step}, ...middle, {type: 'step-done', at: 0, node, step, durationMs: 1234, changed: ['/etc/kubernetes/x']}];
		}),
	);
	const out: Array<RunEvent> = [{type: 'run-started', at: 0, nodes: NODES, steps: [...STEP_NAMES], dryRun: false}];
	while (queues.some((q) => q.length > 0)) for (const q of queues) if (q.length > 0) out.push(q.shift()!);
	return out;
}

function fakeTerminal() {
	const writes: Array<{at: number; bytes: number}> = [];
	const stdout = Object.assign(new EventEmitter(), {
		columns: 80,
		rows: 40,
		isTTY: true,
		write(s: string) {
			// ink wraps each frame in synchronized-output markers and toggles the cursor
			// in separate writes: count only writes that carry text.
			// eslint-disable-next-line no-control-regex
			if (s.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '').trim().length > 0) writes.push({at: performance.now(), bytes: s.length});
			return true;
		},
	});
	const stdin = Object.assign(new EventEmitter(), {isTTY: true, setRawMode() {}, setEncoding() {}, resume() {}, pause() {}, ref() {}, unref() {}, read: () => null});
	return {writes, stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream};
}

async function benchGrid(): Promise<{fps: number; cpu: number; events: number; seconds: number; frames: number}> {
	// ink renders only the last frame in CI (is-in-ci reads the env when imported).
	delete process.env['CI'];
	// React picks its production build from NODE_ENV when first imported, as the CLI does.
	process.env['NODE_ENV'] ??= 'production';
	delete process.env['CONTINUOUS_INTEGRATION'];
	const {runApplyUi} = await import('../source/ui/app-apply.js');
	const events = syntheticRun(RATE * SECONDS);
	const t = fakeTerminal();
	let emit: ((e: RunEvent) => void) | undefined;
	const ui = runApplyUi({
		events: (sink) => {
			emit = sink;
		},
		onRetry: () => undefined,
		onQuit: () => undefined,
		profileName: 'bench',
		stdout: t.stdout,
		stdin: t.stdin,
		stderr: t.stdout,
		patchConsole: false,
	});
	while (!emit) await new Promise((r) => setImmediate(r));
	const wallStart = performance.now();
	const cpuStart = process.cpuUsage();
	let sent = 0;
	await new Promise<void>((resolve) => {
		const timer = setInterval(() => {
			const due = Math.min(events.length, Math.floor(((performance.now() - wallStart) / 1000) * RATE));
			for (; sent < due; sent++) emit!({...events[sent]!, at: Date.now()});
			if (sent >= events.length) {
				clearInterval(timer);
				resolve();
			}
		}, 5);
	});
	const wall = (performance.now() - wallStart) / 1000;
	const cpu = process.cpuUsage(cpuStart);
	const frames = t.writes.filter((w) => w.at >= wallStart).length;
	emit({type: 'run-finished', at: Date.now(), ok: true, durationMs: wall * 1000, failedNodes: []});
	await ui;
	return {fps: frames / wall, cpu: (cpu.user + cpu.system) / 1000 / (wall * 1000), events: sent, seconds: wall, frames};
}

interface FirstFrame {
	/** Parent's view: spawn until the title arrived on the pipe. */
	wallMs: number;
	/** Child's view: since its process start, and its CPU time, at the first frame. */
	sinceStartMs: number;
	cpuMs: number;
}

async function firstWizardFrame(entry: string): Promise<FirstFrame> {
	const started = performance.now();
	// Started the way the shipped command starts Node (its launcher line clears the extra CAs).
	const child = spawn(process.execPath, [entry, '--fake-tty'], {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, CI: '', NODE_EXTRA_CA_CERTS: ''}});
	let out = '';
	let err = '';
	child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
	return new Promise<FirstFrame>((resolve, reject) => {
		const timeout = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`no wizard frame within 10 s; output: ${JSON.stringify(out.slice(0, 300))}`));
		}, 10_000);
		child.stdout.on('data', (chunk: Buffer) => {
			out += chunk.toString('utf8');
			if (out.includes(WIZARD_TITLE)) {
				const wallMs = performance.now() - started;
				clearTimeout(timeout);
				child.kill('SIGTERM');
				child.once('exit', () => {
					const own = JSON.parse(err.split('\n').find((l) => l.startsWith('{')) ?? '{}') as Partial<FirstFrame>;
					resolve({wallMs, sinceStartMs: own.sinceStartMs ?? NaN, cpuMs: own.cpuMs ?? NaN});
				});
			}
		});
		child.once('error', reject);
	});
}

/** The shipped CLI's `init` on a real pty (util-linux `script`), until the wizard's title shows. */
async function firstCliFrame(cli: string, how: 'command' | 'node'): Promise<number> {
	const home = mkdtempSync(path.join(tmpdir(), 'k8s-bench-wizard-'));
	// No CI variables: ink (is-in-ci) would then draw only the last frame, at exit.
	const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'CI' && k !== 'CONTINUOUS_INTEGRATION' && !k.startsWith('CI_')));
	Object.assign(env, {
		HOME: home,
		XDG_CONFIG_HOME: path.join(home, '.config'),
		XDG_STATE_HOME: path.join(home, '.local', 'state'),
		K8S_MASTER_SETUP_CONFIG_DIR: path.join(home, 'config'),
		TERM: 'xterm-256color',
	});
	// As a user runs it (npx, or the installed bin: the file itself, through its launcher
	// line, with `node` from PATH), or with Node named explicitly.
	const program = how === 'command' ? JSON.stringify(cli) : `${JSON.stringify(process.execPath)} ${JSON.stringify(cli)}`;
	if (how === 'command') env.PATH = `${path.dirname(process.execPath)}:${env.PATH ?? ''}`;
	const command = `stty cols 100 rows 40 2>/dev/null; exec ${program} init --known-hosts ${JSON.stringify(path.join(home, 'known_hosts'))}`;
	const started = performance.now();
	// Its own process group, so the whole of it (script, node) is stopped by its id.
	const child = spawn('script', ['-qfec', command, '/dev/null'], {stdio: ['ignore', 'pipe', 'pipe'], env, detached: true});
	let out = '';
	try {
		return await new Promise<number>((resolve, reject) => {
			const timeout = setTimeout(() => reject(new Error(`no wizard frame from the CLI within 10 s; output: ${JSON.stringify(out.slice(0, 300))}`)), 10_000);
			child.stdout.on('data', (chunk: Buffer) => {
				out += chunk.toString('utf8');
				if (out.includes(WIZARD_TITLE)) {
					clearTimeout(timeout);
					resolve(performance.now() - started);
				}
			});
			child.once('error', (error) => {
				clearTimeout(timeout);
				reject(error);
			});
		});
	} finally {
		const exited = new Promise((r) => child.once('exit', r));
		try {
			process.kill(-child.pid!, 'SIGKILL');
		} catch {
			// already gone
		}
		await exited;
		rmSync(home, {recursive: true, force: true});
	}
}

function hasScript(): boolean {
	try {
		execFileSync('sh', ['-c', 'command -v script'], {stdio: 'ignore'});
		return true;
	} catch {
		return false;
	}
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
const load = loadavg()[0] ?? 0;
const loadNote = `load average ${load.toFixed(2)} on ${cpus().length} cores`;

const here = path.dirname(fileURLToPath(import.meta.url));
const grid = await benchGrid();
const fpsOk = grid.fps <= 20.5;
const cpuOk = grid.cpu < 0.25;
console.log(`ui grid: ${NODES.length} nodes × ${STEP_NAMES.length} steps, ${grid.events} events in ${grid.seconds.toFixed(1)} s (${(grid.events / grid.seconds).toFixed(0)}/s)`);
console.log(`ui grid: ${grid.frames} frames, ${grid.fps.toFixed(1)} frames/s (target ≤ ~20) ${verdict(fpsOk)}`);
console.log(`ui grid: CPU ${(grid.cpu * 100).toFixed(1)}% of one core (target < 25%) ${verdict(cpuOk)}`);
reportMetrics(
	{name: 'grid frames per second (7 nodes × 9 steps, 200 events/s)', value: grid.fps, unit: 'frames/s', target: '<= ~20', pass: fpsOk},
	{name: 'grid UI process CPU (share of one core)', value: grid.cpu * 100, unit: '%', target: '< 25 %', pass: cpuOk},
);

const root = path.resolve(here, '..', '..');
const cli = path.join(root, 'dist', 'k8s-master-setup.mjs');
if (!existsSync(cli)) {
	console.log(`ui wizard (CLI on a pty): skipped: ${cli} is missing (npm run build)`);
} else if (!hasScript()) {
	console.log('ui wizard (CLI on a pty): skipped: util-linux `script` not found');
} else {
	// Interleaved, so both see the same machine state.
	const asCommand: number[] = [];
	const withNode: number[] = [];
	for (let i = 0; i < RUNS; i++) {
		asCommand.push(await firstCliFrame(cli, 'command'));
		withNode.push(await firstCliFrame(cli, 'node'));
	}
	const ms = median(asCommand);
	const msNode = median(withNode);
	const extraCas = process.env.NODE_EXTRA_CA_CERTS ? `NODE_EXTRA_CA_CERTS=${process.env.NODE_EXTRA_CA_CERTS}` : 'NODE_EXTRA_CA_CERTS unset';
	console.log(
		`ui wizard: \`k8s-master-setup init\` (dist/k8s-master-setup.mjs run as a command) on a pty, spawn → first frame ${ms.toFixed(0)} ms, median of ${RUNS} (target < 400 ms) ${verdict(ms < 400)}   runs: ${asCommand.map((r) => r.toFixed(0)).join(' ')}`,
	);
	console.log(
		`ui wizard: \`node dist/k8s-master-setup.mjs init\` (Node named, the launcher line skipped; ${extraCas}) ${msNode.toFixed(0)} ms   runs: ${withNode.map((r) => r.toFixed(0)).join(' ')}`,
	);
	reportMetrics(
		{name: 'wizard first frame: the CLI (bundle) run as a command on a pty, wall', value: ms, unit: 'ms', target: '< 400 ms', pass: ms < 400, note: `median of ${RUNS}; ${loadNote}`},
		{name: 'wizard first frame: node dist/k8s-master-setup.mjs on a pty, wall', value: msNode, unit: 'ms', target: '(for comparison)', pass: msNode < 400, note: extraCas},
	);
}

const bundled = path.join(root, 'dist', 'bench', 'wizard-first-frame.mjs');
const entry = existsSync(bundled) ? bundled : path.join(here, 'wizard-first-frame.js');
const runs: FirstFrame[] = [];
for (let i = 0; i < RUNS; i++) runs.push(await firstWizardFrame(entry));
const wall = median(runs.map((r) => r.wallMs));
const own = median(runs.map((r) => r.sinceStartMs));
const cpu = median(runs.map((r) => r.cpuMs));
console.log(
	`ui wizard: ${path.relative(root, entry)} --fake-tty, first frame ${wall.toFixed(0)} ms wall (spawn → title on stdout), ` +
		`${own.toFixed(0)} ms since the child's start, ${cpu.toFixed(0)} ms CPU; median of ${RUNS} (target < 400 ms) ${verdict(wall < 400)}`,
);
reportMetrics(
	{name: `wizard first frame: ${path.basename(entry)} --fake-tty, wall`, value: wall, unit: 'ms', target: '< 400 ms', pass: wall < 400, note: `median of ${RUNS}; ${loadNote}`},
	{name: `wizard first frame: ${path.basename(entry)} --fake-tty, CPU`, value: cpu, unit: 'ms', target: '< 400 ms', pass: cpu < 400, note: 'CPU time of the child at its first frame (does not stretch with load)'},
);
console.log(`ui bench: ${loadNote} (wall times stretch under load; CPU times do not)`);
