import type {RunEvent} from '../../source/run/events.js';
import {type StepName} from '../../source/profile/schema.js';
import {EXTERNAL_ETCD_STEPS} from '../../source/run/operation.js';

/** Wait for content instead of sleeping (after Shopify/cli's testing/ui.ts). */
export async function waitFor(check: () => boolean, what = 'condition', timeoutMs = 3000): Promise<void> {
	const start = Date.now();
	while (!check()) {
		if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 5));
	}
}

export async function waitForFrame(lastFrame: () => string | undefined, text: string | RegExp, timeoutMs = 3000): Promise<string> {
	let frame = '';
	await waitFor(
		() => {
			frame = lastFrame() ?? '';
			return typeof text === 'string' ? frame.includes(text) : text.test(frame);
		},
		`a frame with ${String(text)}; last frame:\n${lastFrame() ?? ''}`,
		timeoutMs,
	).catch((error: unknown) => {
		throw new Error(`${(error as Error).message.split(';')[0]}; last frame:\n${lastFrame() ?? ''}`);
	});
	return frame;
}

export const KEY = {
	enter: '\r',
	escape: '\u001B',
	tab: '\t',
	shiftTab: '\u001B[Z',
	up: '\u001B[A',
	down: '\u001B[B',
	left: '\u001B[D',
	right: '\u001B[C',
	backspace: '\u007F',
	ctrlC: '\u0003',
	ctrlD: '\u0004',
	ctrlN: '\u000E',
	ctrlU: '\u0015',
} as const;

/** Write keys one at a time, letting ink's input handling run between them. */
export async function press(stdin: {write: (s: string) => void}, ...keys: string[]): Promise<void> {
	for (const k of keys) {
		stdin.write(k);
		await new Promise((r) => setImmediate(r));
		await new Promise((r) => setTimeout(r, 2));
	}
}

/** Type text as one paste-like chunk. */
export async function type(stdin: {write: (s: string) => void}, text: string): Promise<void> {
	await press(stdin, text);
}

/** A recorded run: every node goes through every step; `failAt` makes one node fail one step. */
export function recordedRun(options: {nodes?: string[]; failAt?: {node: string; step: StepName}; unchanged?: boolean; start?: number} = {}): RunEvent[] {
	const nodes = options.nodes ?? ['master1', 'master2', 'master3'];
	let at = options.start ?? 1_000_000;
	const events: RunEvent[] = [{type: 'run-started', at, nodes, steps: [...EXTERNAL_ETCD_STEPS], dryRun: false}];
	const failed: string[] = [];
	for (const node of nodes) {
		for (const step of EXTERNAL_ETCD_STEPS) {
			at += 100;
			events.push({type: 'step-started', at, node, step});
			if (step === 'binaries' && !options.unchanged) {
				events.push({type: 'step-progress', at: at + 10, node, step, message: 'uploading kube-apiserver', bytes: 50, totalBytes: 100});
			}
			events.push({type: 'log', at: at + 20, node, step, line: `${step} on ${node}`});
			at += 1200;
			if (options.failAt && options.failAt.node === node && options.failAt.step === step) {
				events.push({
					type: 'step-failed',
					at,
					node,
					step,
					durationMs: 1200,
					cause: 'kube-apiserver did not become ready within 60s',
					hint: 'check the etcd endpoints and the apiserver flags',
					detail: 'journal line 1\nE0101 failed to connect to etcd https://10.0.0.1:2379',
				});
				failed.push(node);
				break;
			}
			events.push(
				options.unchanged
					? {type: 'step-unchanged', at, node, step, durationMs: 40}
					: {type: 'step-done', at, node, step, durationMs: 1200, changed: [`/etc/kubernetes/${step}`]},
			);
		}
	}
	events.push({type: 'run-finished', at: at + 1, ok: failed.length === 0, durationMs: at + 1 - (options.start ?? 1_000_000), failedNodes: failed});
	return events;
}
