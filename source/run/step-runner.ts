import type {StepName} from '../profile/schema.js';
import {withTimeout} from './concurrency.js';
import type {NodeRun, Outcome} from './node-run.js';
import {INSTALL_STEPS, selectSteps} from './operation.js';
import type {RunnerOptions} from './run-options.js';
import {sleep} from './services.js';
import {describeFailure, isTransient, StepError, StepSkipped} from './step-error.js';

/**
 * The one way a step runs on a node, whatever schedules it: skipped when an earlier step
 * of the node failed, when --only/--skip leaves it out or after a stop; otherwise its
 * body within the step's time limit, retried on a lost connection (reconnecting once
 * for every step that shared it), and reported as started/done/unchanged/failed.
 */
export interface Steps {
	run(run: NodeRun, name: StepName, body: () => Promise<Outcome>): Promise<void>;
	fail(run: NodeRun, name: StepName, durationMs: number, error: unknown): void;
	skip(run: NodeRun, steps: readonly StepName[], reason: string): void;
}

export function stepsFor(options: RunnerOptions): Steps {
	const selected = selectSteps(options.only, options.skip);
	const {emit} = options;
	const fail = (run: NodeRun, name: StepName, durationMs: number, error: unknown) => {
		run.failedStep = name;
		emit({type: 'step-failed', at: Date.now(), node: run.plan.node.name, step: name, durationMs, ...describeFailure(error)});
	};
	const skip = (run: NodeRun, steps: readonly StepName[], reason: string) => {
		for (const step of steps) emit({type: 'step-skipped', at: Date.now(), node: run.plan.node.name, step, reason});
	};
	return {
		fail,
		skip,
		async run(run, name, body) {
			const node = run.plan.node.name;
			if (run.failedStep !== undefined) return skip(run, [name], `${run.failedStep} failed`);
			if (!selected.has(name)) return skip(run, [name], 'not selected (--only/--skip)');
			if (options.signal?.aborted) return skip(run, [name], 'stopped; run apply again to resume');
			emit({type: 'step-started', at: Date.now(), node, step: name});
			const started = Date.now();
			const retries = options.retries ?? 2;
			for (let attempt = 0; ; attempt++) {
				const failedOn = run.session;
				try {
					const outcome = await withTimeout(body(), options.stepTimeoutMs?.[name] ?? INSTALL_STEPS[name].timeoutMs, `${name} on ${node}`);
					const durationMs = Date.now() - started;
					if (outcome === 'unchanged' || outcome.changed.length === 0) {
						emit(INSTALL_STEPS[name].kind === 'gate' || INSTALL_STEPS[name].kind === 'verify'
							? {type: 'step-done', at: Date.now(), node, step: name, durationMs, changed: []}
							: {type: 'step-unchanged', at: Date.now(), node, step: name, durationMs});
					} else {
						run.changed.push(...outcome.changed);
						emit({type: 'step-done', at: Date.now(), node, step: name, durationMs, changed: outcome.changed});
					}
					return;
				} catch (error) {
					if (error instanceof StepSkipped) return skip(run, [name], error.reason);
					if (attempt < retries && isTransient(error) && name !== 'connect') {
						emit({type: 'log', at: Date.now(), node, step: name, line: `connection problem (${describeFailure(error).cause}); reconnecting, try ${attempt + 2} of ${retries + 1}`});
						await sleep(1000 * (attempt + 1));
						await reconnect(options, run, failedOn);
						continue;
					}
					return fail(run, name, Date.now() - started, error);
				}
			}
		},
	};
}

/**
 * A new session for the node, once: steps running side by side on it all see the same
 * lost connection, and the first to get here replaces it for all of them (one connection
 * per node, none left open behind).
 */
async function reconnect(options: RunnerOptions, run: NodeRun, lost: NodeRun['session']): Promise<void> {
	if (run.session !== lost) return; // another step has already replaced it
	run.reconnecting ??= (async () => {
		try {
			await lost?.close().catch(() => undefined);
			run.session = await options.connect(run.plan.node);
		} catch {
			// The next attempt reports the failure.
		} finally {
			run.reconnecting = undefined;
		}
	})();
	await run.reconnecting;
}

/** The same failure with a sentence added to its hint (transient faults pass as they are: they are retried). */
export function withHint(error: unknown, extra: string): unknown {
	if (error instanceof StepSkipped || (!(error instanceof StepError) && isTransient(error))) return error;
	const {cause, hint, detail} = describeFailure(error);
	return new StepError(cause, hint ? `${hint}; ${extra}` : extra, detail);
}
