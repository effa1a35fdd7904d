import {SERVICE_STEP, SERVICES} from '../plan/types.js';
import {deferred} from './concurrency.js';
import {startMember} from './etcd-member/member-step.js';
import type {NodeRun} from './node-run.js';
import {FILE_STEPS} from './operation.js';
import {placeFiles, recordHashesNow} from './place-files.js';
import type {RunnerOptions} from './run-options.js';
import {startService} from './start-service.js';
import {StepSkipped} from './step-error.js';
import type {Steps} from './step-runner.js';

/**
 * A first start (no apiserver serving anywhere), one node: nothing can be disturbed, so
 * the three file steps run together, binaries one at a time in the order the services
 * need them (kube-apiserver first, kubectl, which no service runs, last). Each service
 * step begins once its certificates and configs are on the node, writes its unit, and
 * starts the service as soon as its binary is placed. The apiserver, the slowest to
 * become ready, starts while the other binaries are still on their way, instead of
 * after the last byte of kubectl.
 */
export async function firstStart(options: RunnerOptions, run: NodeRun, steps: Steps): Promise<void> {
	const placed = new Map(run.plan.files.map((f) => [f.path, deferred()]));
	const fileSteps = FILE_STEPS.map(async (name) => {
		await steps.run(run, name, () => placeFiles(options, run, name, (path) => placed.get(path)?.resolve()));
		// Done, failed or skipped: nothing more comes from this step. A service waiting on
		// it goes ahead and is skipped when the node has failed.
		for (const f of run.plan.files) if (f.step === name) placed.get(f.path)?.resolve();
	});
	// A stacked etcd's member starts once its binary and certificates are placed, and the
	// services once the etcd cluster serves (member-step.ts waits for every member).
	const member = memberStep(options, run, steps, placed);
	const serviceSteps = SERVICES.map(async (service) => {
		await member;
		const inputs = run.plan.files.filter((f) => f.services.includes(service) && FILE_STEPS.includes(f.step));
		// Certificates and configs are there within a second; the step then writes its unit
		// file while its binary is still on the way, and starts the service once it is placed.
		const binaries = inputs.filter((f) => f.step === 'binaries');
		await Promise.all(inputs.filter((f) => f.step !== 'binaries').map((f) => placed.get(f.path)?.promise));
		await steps.run(run, SERVICE_STEP[service], () =>
			startService(options, run, service, {
				inputsPlaced: async () => {
					const waiting = binaries.filter((f) => !run.known.has(f.path));
					if (waiting.length > 0) {
						options.emit({type: 'step-progress', at: Date.now(), node: run.plan.node.name, step: SERVICE_STEP[service], message: `waiting for ${waiting.map((f) => f.path).join(', ')}`});
					}
					await Promise.all(binaries.map((f) => placed.get(f.path)?.promise));
					if (run.failedStep !== undefined) throw new StepSkipped(`${run.failedStep} failed`);
				},
			}),
		);
	});
	// The node's files are all in place long before its apiserver answers: its hash cache is
	// written meanwhile, not at the end of the run (the runner writes it again only if a
	// file was placed after this).
	const recording = Promise.all(fileSteps).then(() => recordHashesNow(options, run));
	await Promise.all([...fileSteps, member, ...serviceSteps, recording]);
}

async function memberStep(options: RunnerOptions, run: NodeRun, steps: Steps, placed: Map<string, ReturnType<typeof deferred>>): Promise<void> {
	const probe = options.etcdProbe;
	if (!run.plan.files.some((f) => f.member) || !probe) return;
	const inputs = run.plan.files.filter((f) => f.member && FILE_STEPS.includes(f.step));
	await steps.run(run, 'etcd', () =>
		startMember(options, run, {
			probe,
			inputsPlaced: async () => {
				await Promise.all(inputs.map((f) => placed.get(f.path)?.promise));
				if (run.failedStep !== undefined) throw new StepSkipped(`${run.failedStep} failed`);
			},
		}),
	);
}
