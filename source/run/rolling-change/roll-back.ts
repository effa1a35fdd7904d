import {SERVICES} from '../../plan/types.js';
import {restoreCommand} from '../generations.js';
import {handOverAfterRestart, readLeaseRenewal} from './lease-hand-over.js';
import {need, type NodeRun} from '../node-run.js';
import type {RunnerOptions} from '../run-options.js';
import {restartAndWait} from '../services.js';
import {describeFailure} from '../step-error.js';
import {restartMemberAndWait} from '../etcd-member/member-step.js';
import {leaveCluster} from '../etcd-member/leave-member.js';
import {membershipOf} from '../etcd-member/join-member.js';
import {etcdMember} from '../../etcd/members.js';

/**
 * Puts a node that failed during a rolling change back to its previous generation: its
 * kept files restored, every service this run restarted restarted again and waited on
 * until healthy (the old expectations: the files it ran with before). Emits
 * `node-rolled-back`, with the exact commands for a person when this itself fails.
 */
export async function rollBack(options: RunnerOptions, run: NodeRun): Promise<boolean> {
	const generation = need(run.generation);
	const node = run.plan.node;
	const step = run.failedStep;
	// A service that did not run before this run (a master being added) is stopped and
	// disabled, not restarted: before this run the node had none of it.
	const wasRunning = (s: (typeof SERVICES)[number]) => run.remote?.active.get(s) === true;
	const services = SERVICES.filter((s) => run.restarted.has(s) && wasRunning(s));
	const stopped = SERVICES.filter((s) => run.restarted.has(s) && !wasRunning(s));
	// A member that ran before this run's restart of it goes back to its old files and starts again.
	const member = run.memberRestarted === true && run.remote?.etcd?.active === true;
	const joined = run.memberJoined === true;
	const say = (line: string) => options.emit({type: 'log', at: Date.now(), node: node.name, ...(step ? {step} : {}), line});
	say(
		`rolling back ${node.name} to generation ${generation.id} (the files it had before this run)${stopped.length > 0 ? `, stopping ${stopped.join(', ')} (not running before)` : ''}${joined ? ', removing its new etcd member from the cluster' : ''}${member ? ', then restarting etcd' : ''}${services.length > 0 ? `, then restarting ${services.join(', ')}` : ''}`,
	);
	// Whatever happens next, the files this run placed are no longer known to be as planned
	// (the node's hash cache must not say so); the ones it left alone still are.
	for (const f of [...need(run.changes).files.values()].flat()) run.known.delete(f.path);
	run.cacheDirty = true;
	try {
		const session = need(run.session);
		// Before the files go: systemd disables a unit through its file.
		for (const service of stopped) await session.stop(service);
		// A member this run added leaves the cluster again (the node had none before): removed
		// from the member list, stopped, its data wiped (leave-member.ts).
		if (run.memberJoined && options.etcdProbe) {
			const {expected} = membershipOf(options);
			await leaveCluster(options.etcdProbe, etcdMember(node), {
				say: (line) => say(`rollback: ${line}`),
				stop: () => session.stop('etcd'),
				wipe: async () => {
					const dataDir = options.plan.profile.etcd.mode === 'stacked' ? options.plan.profile.etcd.dataDir : undefined;
					if (dataDir) await session.removeDirectory?.(dataDir);
				},
				remaining: expected.filter((n) => n !== node.name),
			});
		}
		await session.restoreGeneration(generation);
		// A stacked etcd's member first: the apiserver put back talks to it.
		if (member && options.etcdProbe) await restartMemberAndWait(options, run, options.etcdProbe, say);
		for (const service of services) {
			// A leader put back hands its Lease over as in the change itself (lease-hand-over.ts).
			const lease = service !== 'kube-apiserver' ? await readLeaseRenewal(options, service) : undefined;
			const afterRestart = handOverAfterRestart(options, run, service, lease);
			await restartAndWait({
				...(afterRestart ? {afterRestart} : {}),
				session,
				node,
				service,
				health: options.health,
				timeoutMs: options.healthTimeoutMs ?? 180_000,
				pollMs: options.healthPollMs,
				onWaiting: (message) => say(`rollback: ${message}`),
			});
		}
		options.emit({type: 'node-rolled-back', at: Date.now(), node: node.name, generation: generation.id, ok: true});
		return true;
	} catch (error) {
		const {cause, detail} = describeFailure(error);
		options.emit({
			type: 'node-rolled-back',
			at: Date.now(),
			node: node.name,
			generation: generation.id,
			ok: false,
			cause,
			...(detail ? {detail} : {}),
			recovery: `on ${node.name} (${node.ip}): ${restoreCommand(generation, services, stopped)}`,
		});
		return false;
	}
}
