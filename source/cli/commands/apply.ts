import {Option, type Command} from 'commander';
import {STEP_NAMES} from '../../profile/constants.js';
import {INSTALL_STEPS} from '../../run/operation.js';
import {addProfileOptions, addSshOptions} from '../shared/options.js';
import {collect} from '../shared/option-values.js';

/** `apply`: install or converge the control plane on every node of a profile. Options: apply-action.ts. */
export function registerApplyCommand(program: Command): void {
	const command = program
		.command('apply')
		.description(
			'Install or converge the control plane on every node of a profile: connect, preflight (on every node before anything is written), ' +
				'binaries, certificates, configs, then start kube-apiserver, kube-controller-manager and kube-scheduler and verify health and leader election. ' +
				'Re-running changes only what differs; services restart only when their inputs changed. When the control plane is already serving, the change rolls ' +
				'one node at a time (each node gets its files only after the node before it stayed healthy), stops at the first node that fails and puts that node back ' +
				'on its previous files. A new kubernetesVersion/binaries upgrades: a patch up or down or one minor up (the version skew policy); a minor upgrade takes an ' +
				'etcd snapshot first and goes component by component. A rolling change keeps a journal in the state directory: a run killed part-way is carried on ' +
				'by the next apply of the same profile, in the same order, without restarting what finished.',
		);
	addProfileOptions(command);
	command
		.option('-y, --yes', 'apply without asking for confirmation (required without a terminal)')
		.option('--dry-run', 'connect, compare and print what would change on each node (diffs, secrets masked) and the release plan (each component current → target, the version skew checks, the restart order); change nothing')
		.option('--only <steps>', `run only these steps (comma-separated: ${STEP_NAMES.join(',')})`, collect)
		.option('--skip <steps>', 'skip these steps (comma-separated)', collect)
		.option('--json', 'print NDJSON events instead of the grid or plain lines')
		.addOption(new Option('--concurrency <n>', 'nodes worked on at once').default('10'))
		.addOption(new Option('--stability-window <seconds>', 'in a rolling change, how long a restarted service must stay healthy before the next node is touched (0: off)').default('10'))
		.option('--no-rollback', 'in a rolling change, leave a node that fails on its new files for debugging instead of putting it back on its previous ones')
		.option('--allow-mixed-releases', 'carry on a half-done upgrade (components on two minors) that no journal in this state directory records, e.g. one begun from another machine')
		.option('--no-etcd-snapshot', 'upgrade a minor release without taking an etcd snapshot first (into the state directory, as the snapshot command does)')
		.option('--no-compress', 'send the binaries as they are over SFTP, not zstd-compressed to nodes that have zstd')
		.option('--remove-nodes', 'remove a master that left the profile (one per run) without asking: stop its services, wait until the cluster no longer uses it, with etcd.mode: stacked take its member out of etcd (leadership moved off it first), remove its files, forget it (required when apply does not ask)')
		.option('--forget-unreachable', 'with --remove-nodes: forget such a master that cannot be reached (its files stay on it, its client certificates stay valid until they expire; with etcd.mode: stacked its member is taken out of etcd through the others)')
		.option('--purge', 'a removed master loses its binaries too');
	addSshOptions(command)
		// The steps as the operation defines them (run/operation.ts): --only/--skip take these names.
		.addHelpText('after', `\nSteps, in order (for --only/--skip):\n${STEP_NAMES.map((s) => `  ${s.padEnd(20)}${INSTALL_STEPS[s].summary}`).join('\n')}`)
		.addHelpText('after', `\nsudo: when the SSH user is not root, set K8S_MASTER_SETUP_SUDO_PASSWORD if sudo needs a password.`)
		.action(async (raw: Record<string, unknown>) => {
			const {runApply, applyOptions} = await import('./apply-action.js');
			process.exitCode = await runApply(applyOptions(raw));
		});
}
