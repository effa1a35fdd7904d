// removeMaster's reports and lines as the run's events (events.ts, `removal-step`), so the
// grid, the plain lines and NDJSON show a removal as they show the install: the times are
// stamped here, each line goes under the step that said it. And the run's run-finished once
// the removal ended, which counts it: the removal is the end of the run it follows.
import {describeFailure} from '../step-error.js';
import type {EventSink, RunEvent} from '../events.js';
import type {RemovalReport} from './remove-master.js';
import type {RemovalStepName} from './removal-plan.js';

export type RunFinished = Extract<RunEvent, {type: 'run-finished'}>;

export function removalEvents(node: string, emit: EventSink, now: () => number = Date.now): {report(report: RemovalReport): void; say(line: string): void} {
	let current: RemovalStepName = 'stop-services';
	const startedAt = new Map<RemovalStepName, number>();
	const base = (step: RemovalStepName) => ({type: 'removal-step' as const, at: now(), node, step});
	const took = (step: RemovalStepName) => now() - (startedAt.get(step) ?? now());
	return {
		report: (r) => {
			current = r.step;
			switch (r.status) {
				case 'started':
					startedAt.set(r.step, now());
					return emit({...base(r.step), status: 'started'});
				case 'done':
					return emit({...base(r.step), status: 'done', durationMs: took(r.step)});
				case 'skipped':
					return emit({...base(r.step), status: 'skipped', reason: r.reason});
				case 'failed': {
					const {cause, hint, detail} = describeFailure(r.error);
					return emit({...base(r.step), status: 'failed', durationMs: took(r.step), cause, ...(hint ? {hint} : {}), ...(detail ? {detail} : {})});
				}
			}
		},
		say: (line) => emit({...base(current), status: 'progress', message: line}),
	};
}

/** The runner's run-finished, held back while the removal ran, with the removal counted. */
export function finishedWithRemoval(finished: RunFinished, removal: {node: string; ok: boolean; durationMs: number}): RunFinished {
	return {
		...finished,
		at: finished.at + removal.durationMs,
		ok: finished.ok && removal.ok,
		durationMs: finished.durationMs + removal.durationMs,
		failedNodes: removal.ok ? finished.failedNodes : [...finished.failedNodes, removal.node],
	};
}
