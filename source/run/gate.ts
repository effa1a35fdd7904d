import {computeChanges} from './changes.js';
import {identityDifferences, judgeClusterIdentity} from './cluster-identity.js';
import {mapLimit, settled, withTimeout} from './concurrency.js';
import {need, type NodeRun} from './node-run.js';
import {INSTALL_STEPS} from './operation.js';
import {judgePreflight} from './preflight.js';
import type {RunnerOptions} from './run-options.js';
import {StepError} from './step-error.js';
import {judgeAddedRelease, judgeMixedReleases, judgeVersionSkew} from './version-skew.js';
import {readJournal} from './journal.js';
import type {Steps} from './step-runner.js';

/**
 * The gate before any change: every node is connected, preflighted and compared with
 * the plan, side by side. Returns the nodes that failed there; when there are any, the
 * runner writes nothing anywhere.
 */
export async function gateAll(options: RunnerOptions, runs: NodeRun[], steps: Steps): Promise<NodeRun[]> {
	await mapLimit(runs, options.concurrency ?? 10, async (run) => {
		await steps.run(run, 'connect', async () => {
			run.session = await options.connect(run.plan.node);
			return 'unchanged';
		});
		// Comparing is read-only and needed by every later step (and by --skip preflight): it
		// is read beside the preflight checks, not after them (a round trip less per node), and
		// within the preflight step's time: a node that stalls here must not hold the run.
		const preflightMs = options.stepTimeoutMs?.preflight ?? INSTALL_STEPS.preflight.timeoutMs;
		const remoteRead = run.session
			? settled(withTimeout(run.session.readState(run.plan), preflightMs, `reading the files and services on ${run.plan.node.name}`))
			: undefined;
		await steps.run(run, 'preflight', async () => {
			const facts = await need(run.session).preflight(options.plan.profile, run.plan.node);
			run.hostname = facts.hostname || undefined;
			run.versions = facts.versions;
			const problems = judgePreflight(run.plan.node.name, facts, {
				arch: options.binaries.arch,
				binariesBytes: options.binaries.totalBytes,
				localEpochSeconds: Math.round(Date.now() / 1000),
				maxClockSkewSeconds: options.maxClockSkewSeconds ?? 30,
			});
			// A release change the skew policy forbids is refused (exit 2), like invalid input.
			const skew = judgeVersionSkew(options.plan.kubernetesRelease, [{node: run.plan.node.name, versions: facts.versions}]);
			if (skew.length > 0) run.refused = true;
			const all = [...skew, ...problems];
			if (all.length > 0) {
				throw new StepError(all.map((p) => p.message).join('; '), all.map((p) => p.hint).join('; '));
			}
			return 'unchanged';
		});
		const read = await remoteRead;
		// A node refused by the skew policy is read too: the release plan that explains the
		// refusal needs to know whether its control plane serves.
		if (read && (run.failedStep === undefined || run.refused)) {
			if ('error' in read) {
				if (run.failedStep === undefined) steps.fail(run, 'preflight', 0, read.error);
			}
			else {
				const remote = read.value;
				// Another cluster's keys on the node: refused (exit 2), as invalid input is.
				const identity = judgeClusterIdentity(
					run.plan.node.name,
					identityDifferences(run.plan.files, remote.hashes, options.installed?.placedIdentity(run.plan.node.name), options.acceptedIdentity),
					run.plan.files,
					remote.hashes,
				);
				if (identity) {
					run.refused = true;
					if (run.failedStep === undefined) steps.fail(run, 'preflight', 0, new StepError(identity.message, identity.hint));
				}
				run.remote = remote;
				run.changes = computeChanges(run.plan, remote);
				run.cacheDirty = remote.hashMisses > 0;
				for (const f of run.plan.files) if (remote.hashes.get(f.path) === f.sha256) run.known.set(f.path, f.sha256);
			}
		}
	});
	if (runs.every((r) => r.failedStep === undefined)) refuseUnexplainedMix(options, runs, steps);
	if (runs.every((r) => r.failedStep === undefined)) refuseAddedRelease(options, runs, steps);
	return runs.filter((r) => r.failedStep !== undefined);
}

/** Components on two minors may be carried on: the journal here records an upgrade to the planned release, or --allow-mixed-releases. */
export function mixedReleasesExplained(options: RunnerOptions): boolean {
	const recorded = options.journal ? readJournal(options.journal).journal : undefined;
	return options.allowMixedReleases === true || recorded?.release === options.plan.kubernetesRelease;
}

/**
 * Nodes on different minors are a half-done upgrade: carried on when this state
 * directory's journal records an upgrade to the planned release (or with
 * --allow-mixed-releases), refused (exit 2) otherwise, before anything is written.
 */
function refuseUnexplainedMix(options: RunnerOptions, runs: NodeRun[], steps: Steps): void {
	const problem = judgeMixedReleases(options.plan.kubernetesRelease, runs.map((r) => ({node: r.plan.node.name, versions: r.versions ?? new Map()})), mixedReleasesExplained(options));
	const run = problem && runs.find((r) => r.plan.node.name === problem.node);
	if (!problem || !run) return;
	run.refused = true;
	steps.fail(run, 'preflight', 0, new StepError(problem.message, problem.hint));
}

/** A master added to a serving cluster with another release than the cluster's: refused (exit 2). */
function refuseAddedRelease(options: RunnerOptions, runs: NodeRun[], steps: Steps): void {
	const problem = judgeAddedRelease(options.plan.kubernetesRelease, runs.map((r) => ({node: r.plan.node.name, versions: r.versions ?? new Map()})));
	const run = problem && runs.find((r) => r.plan.node.name === problem.node);
	if (!problem || !run) return;
	run.refused = true;
	steps.fail(run, 'preflight', 0, new StepError(problem.message, problem.hint));
}
