import type {StepName} from '../profile/schema.js';
import type {ReleasePlan} from './release-plan.js';
import type {RemovalStepName} from './remove-master/removal-plan.js';

/**
 * The one stream the runner emits and every reporter (ink grid, plain lines, NDJSON)
 * renders. The runner knows nothing about ink; reporters know nothing about SSH.
 * Events are plain JSON values so `--json` can print them as they are.
 */
export type RunEvent =
	| {type: 'run-started'; at: number; nodes: string[]; steps: StepName[]; dryRun: boolean}
	| {type: 'step-started'; at: number; node: string; step: StepName}
	| {
			type: 'step-progress';
			at: number;
			node: string;
			step: StepName;
			message?: string;
			/** Bytes sent so far and in all, for uploads. */
			bytes?: number;
			totalBytes?: number;
	  }
	| {type: 'log'; at: number; node: string; step?: StepName; line: string}
	/** Nothing to do: everything this step manages was already as planned. */
	| {type: 'step-unchanged'; at: number; node: string; step: StepName; durationMs: number}
	/** Work done; `changed` lists remote paths written or services restarted. */
	| {type: 'step-done'; at: number; node: string; step: StepName; durationMs: number; changed: string[]}
	| {type: 'step-skipped'; at: number; node: string; step: StepName; reason: string}
	| {
			type: 'step-failed';
			at: number;
			node: string;
			step: StepName;
			durationMs: number;
			cause: string;
			hint?: string;
			/** stderr tail, or the last lines of a service's journal. */
			detail?: string;
	  }
	/** Dry run: what a step would change on a node, without changing it. */
	| {type: 'plan-change'; at: number; node: string; step: StepName; change: PlannedChange}
	/**
	 * Dry run, and a change the version skew policy refused: per node and component the
	 * release now and after, each skew check with its verdict, the restart order.
	 */
	| ({type: 'plan-release'; at: number} & ReleasePlan)
	/**
	 * A rolling change ended at `node`, whose `step` failed: the nodes in `untouched` got
	 * no new file and no restart, and still serve the old configuration.
	 */
	| {type: 'rollout-stopped'; at: number; node: string; step: StepName; untouched: string[]; rolledBack?: boolean}
	/**
	 * A node that failed in a rolling change was put back to its previous generation
	 * (ok), or could not be (then `recovery` is what a person runs on the node).
	 */
	| {type: 'node-rolled-back'; at: number; node: string; generation: string; ok: boolean; cause?: string; detail?: string; recovery?: string}
	/**
	 * A step of removing a master that left the profile (run/remove-master/), once the
	 * profile's masters converged and before the run's run-finished, which then counts the
	 * removal. A kind of its own: its steps are the removal's (REMOVAL_STEPS), not StepNames,
	 * and the node is in no run-started.
	 */
	| ({type: 'removal-step'; at: number; node: string; step: RemovalStepName} & RemovalStepStatus)
	| {type: 'run-finished'; at: number; ok: boolean; durationMs: number; failedNodes: string[]};

/** A removal step's news, as the install's step-* events say it; `progress` is a line of what it did. */
export type RemovalStepStatus =
	| {status: 'started'}
	| {status: 'progress'; message: string}
	| {status: 'done'; durationMs: number}
	| {status: 'skipped'; reason: string}
	| {status: 'failed'; durationMs: number; cause: string; hint?: string; detail?: string};

export type PlannedChange =
	| {kind: 'create' | 'update'; path: string; mode: string; diff?: string; sha256Before?: string; sha256After: string}
	| {kind: 'restart'; service: string; reason: string};

export type EventSink = (event: RunEvent) => void;

/** One line for a stopped rollout, the same in the grid's footer and the plain output. */
export function describeRolloutStop({node, step, untouched, rolledBack}: {node: string; step: StepName; untouched: readonly string[]; rolledBack?: boolean}): string {
	const rest = untouched.length > 0 ? `: ${untouched.join(', ')} not started, still serving the old configuration` : '';
	return `rollout stopped at ${node} (${step} failed${rolledBack ? `; ${node} rolled back to its previous files` : ''})${rest}`;
}

/** One line for a rollback, the same in the grid's footer and the plain output. */
export function describeRollback({node, generation, ok, cause}: {node: string; generation: string; ok: boolean; cause?: string}): string {
	return ok
		? `${node} rolled back to generation ${generation}: its previous files are back and its restarted services are healthy again`
		: `rollback of ${node} to generation ${generation} failed${cause ? `: ${cause}` : ''}`;
}
