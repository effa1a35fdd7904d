import {describeRollback, describeRolloutStop, type EventSink, type RunEvent} from '../run/events.js';
import {terminalSafe} from '../terminal-text.js';
import {STEP_NAMES} from '../profile/schema.js';
import {clock, percent} from './format.js';
import {releasePlanLines} from './release-plan-lines.js';

/**
 * Non-TTY reporter: one plain, aligned line per event, e.g.
 *   master2  binaries            done       3.1s
 *   master3  binaries            failed     0.4s  upload failed: no space left on device
 *                                hint: free space under /opt/k8s/bin
 * Upload progress is reported at 25% steps, not per chunk, so CI logs stay readable.
 * `symbols`: ✓/✗ in the release plan's checks (a colour terminal), else ok/FAIL.
 */
export function createPlainReporter(write: (s: string) => void, options: {symbols?: boolean} = {}): EventSink {
	let nodeWidth = 8;
	const stepWidth = Math.max(...STEP_NAMES.map((s) => s.length));
	const lastQuarter = new Map<string, number>();
	const lastMessage = new Map<string, string>();
	const line = (node: string, step: string, what: string, rest = '') =>
		write(`${node.padEnd(nodeWidth)}  ${step.padEnd(stepWidth)}  ${rest ? `${what.padEnd(9)}  ${rest}` : what}`.trimEnd() + '\n');
	const indent = () => ' '.repeat(nodeWidth + 2 + stepWidth + 2);
	const failure = (f: {node: string; step: string; durationMs: number; cause: string; hint?: string; detail?: string}) => {
		line(f.node, f.step, 'failed', `${seconds(f.durationMs)}  ${f.cause}`);
		if (f.hint) write(`${indent()}hint: ${f.hint}\n`);
		for (const l of (f.detail ?? '').split('\n').filter((x) => x.length > 0)) write(`${indent()}| ${l}\n`);
	};

	return (remoteEvent: RunEvent) => {
		// Causes, details and messages carry what nodes printed: nothing in them may act on the terminal.
		const event = terminalSafe(remoteEvent);
		switch (event.type) {
			case 'run-started':
				nodeWidth = Math.max(nodeWidth, ...event.nodes.map((n) => n.length));
				write(`${event.dryRun ? 'dry run' : 'run'}: ${event.nodes.length} node${event.nodes.length === 1 ? '' : 's'} (${event.nodes.join(', ')}), steps ${event.steps.join(' ')}\n`);
				return;
			case 'step-started':
				lastQuarter.delete(`${event.node}/${event.step}`);
				lastMessage.delete(`${event.node}/${event.step}`);
				line(event.node, event.step, 'started');
				return;
			case 'step-progress': {
				const key = `${event.node}/${event.step}`;
				const pct = percent(event.bytes, event.totalBytes);
				if (pct !== undefined) {
					const quarter = Math.floor(pct / 25);
					if (quarter > (lastQuarter.get(key) ?? 0)) {
						lastQuarter.set(key, quarter);
						line(event.node, event.step, 'progress', `${pct}%${event.message ? `  ${event.message}` : ''}`);
					}
				} else if (event.message !== undefined && sameWithoutClock(event.message) !== lastMessage.get(key)) {
					// "waiting for /readyz (12s): ..." changes every second; print it when the reason changes.
					lastMessage.set(key, sameWithoutClock(event.message));
					line(event.node, event.step, 'progress', event.message);
				}
				return;
			}
			case 'log':
				line(event.node, event.step ?? '', '|', event.line);
				return;
			case 'step-unchanged':
				line(event.node, event.step, 'unchanged', seconds(event.durationMs));
				return;
			case 'step-done':
				line(event.node, event.step, 'done', seconds(event.durationMs) + (event.changed.length > 0 ? `  changed ${event.changed.join(', ')}` : ''));
				return;
			case 'step-skipped':
				line(event.node, event.step, 'skipped', event.reason);
				return;
			case 'step-failed':
				failure(event);
				return;
			case 'plan-change': {
				const c = event.change;
				line(event.node, event.step, 'would', c.kind === 'restart' ? `restart ${c.service} (${c.reason})` : `${c.kind} ${c.path} (${c.mode})`);
				if (c.kind === 'restart') return;
				if (c.diff !== undefined) {
					// The unified diff without its two header lines (the path is on the line above).
					for (const l of c.diff.split('\n').filter((x) => x.length > 0 && !/^(===|--- |\+\+\+ |Index: )/.test(x))) write(`${indent()}${l}\n`);
				} else {
					write(`${indent()}sha256 ${c.sha256Before ? `${c.sha256Before.slice(0, 12)}… → ` : ''}${c.sha256After.slice(0, 12)}… (content not shown)\n`);
				}
				return;
			}
			case 'plan-release':
				for (const l of releasePlanLines(event, options)) write(`${l}\n`);
				return;
			case 'rollout-stopped':
				write(`${describeRolloutStop(event)}\n`);
				return;
			case 'node-rolled-back':
				write(`${describeRollback(event)}\n`);
				if (event.detail) for (const l of event.detail.split('\n').filter((x) => x.length > 0)) write(`  | ${l}\n`);
				if (event.recovery) write(`  put it back by hand: ${event.recovery}\n`);
				return;
			case 'removal-step':
				// A removal's lines are on stderr as `NODE: line` (cli/commands/apply-removal.ts),
				// as they were before it had events: here only its steps, as the install's.
				if (event.status === 'started') line(event.node, event.step, 'started');
				else if (event.status === 'done') line(event.node, event.step, 'done', seconds(event.durationMs));
				else if (event.status === 'skipped') line(event.node, event.step, 'skipped', event.reason);
				else if (event.status === 'failed') failure(event);
				return;
			case 'run-finished':
				write(
					event.ok
						? `finished in ${clock(event.durationMs)}: all nodes ok\n`
						: `finished in ${clock(event.durationMs)}: failed on ${event.failedNodes.join(', ')}\n`,
				);
				return;
			default:
				return;
		}
	};
}

function seconds(ms: number): string {
	return `${(ms / 1000).toFixed(1)}s`.padStart(6);
}

function sameWithoutClock(message: string): string {
	return message.replace(/\(\d+s\)/g, '');
}
