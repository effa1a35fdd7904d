/**
 * UI benchmark (not a timed test): prints numbers, `npm run bench` runs it.
 *  1. live grid: 7 nodes × 9 steps, 200 events/s for ~5 s, rendered by ink into a fake
 *     80-column terminal: frames written per second (target ≤ ~20) and CPU of this
 *     process as a share of one core (target < 25%);
 *  2. startup to the first wizard frame (target < 400 ms): spawns `node
 *     dist/scripts/wizard-first-frame.js --fake-tty` and waits for the wizard's title on
 *     its stdout (node startup + module loading + first render; no pty needed).
 * Usage: node dist/scripts/bench-ui.js [--seconds 5] [--rate 200] [--runs 5]
 */
import {spawn} from 'node:child_process';
import {EventEmitter} from 'node:events';
import {fileURLToPath} from 'node:url';
import path from 'node:path';
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
const RUNS = arg('runs', 5);
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
	const child = spawn(process.execPath, [entry, '--fake-tty'], {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, CI: ''}});
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

const here = path.dirname(fileURLToPath(import.meta.url));
const grid = await benchGrid();
console.log(`ui grid: ${NODES.length} nodes × ${STEP_NAMES.length} steps, ${grid.events} events in ${grid.seconds.toFixed(1)} s (${(grid.events / grid.seconds).toFixed(0)}/s)`);
console.log(`ui grid: ${grid.frames} frames, ${grid.fps.toFixed(1)} frames/s (target ≤ ~20)`);
console.log(`ui grid: CPU ${(grid.cpu * 100).toFixed(1)}% of one core (target < 25%)`);

const entry = path.join(here, 'wizard-first-frame.js');
const runs: FirstFrame[] = [];
for (let i = 0; i < RUNS; i++) runs.push(await firstWizardFrame(entry));
const median = (pick: (r: FirstFrame) => number) => {
	const xs = runs.map(pick).sort((a, b) => a - b);
	return xs[Math.floor(xs.length / 2)] ?? NaN;
};
console.log(
	`ui wizard: startup to first frame ${median((r) => r.wallMs).toFixed(0)} ms wall (spawn → title on stdout), ` +
		`${median((r) => r.sinceStartMs).toFixed(0)} ms since the child's start, ${median((r) => r.cpuMs).toFixed(0)} ms CPU; median of ${RUNS} (target < 400 ms)`,
);
const load = (await import('node:os')).loadavg()[0] ?? 0;
console.log(`ui bench: load average ${load.toFixed(2)} on ${(await import('node:os')).cpus().length} cores (wall times stretch under load; CPU times do not)`);
