import {Option, type Command} from 'commander';
import {STEP_NAMES, type StepName} from '../../profile/constants.js';
import {UserError} from '../../errors.js';
import {addProfileOptions, addSshOptions} from '../shared/options.js';

export interface ApplyOptions {
	profileFile?: string;
	profile?: string;
	stateDir?: string;
	yes?: boolean;
	dryRun?: boolean;
	only?: StepName[];
	skip?: StepName[];
	json?: boolean;
	concurrency: number;
	/** Seconds a restarted service must stay healthy in a rolling change before the next node. */
	stabilityWindow: number;
	/** false with --no-compress: binaries go as they are, over SFTP. */
	compress?: boolean;
	knownHosts?: string;
	acceptNewHostKeys?: boolean;
	sshConfig?: string;
}

function stepList(value: string, previous: StepName[] = []): StepName[] {
	const steps = value.split(',').map((s) => s.trim()).filter(Boolean);
	for (const s of steps) {
		if (!(STEP_NAMES as readonly string[]).includes(s)) {
			throw new UserError(`unknown step "${s}"`, `steps are: ${STEP_NAMES.join(', ')}`);
		}
	}
	return [...previous, ...(steps as StepName[])];
}

/** `apply`: install or converge the control plane on every node of a profile. */
export function registerApplyCommand(program: Command): void {
	const command = program
		.command('apply')
		.description(
			'Install or converge the control plane on every node of a profile: connect, preflight (on every node before anything is written), ' +
				'binaries, certificates, configs, then start kube-apiserver, kube-controller-manager and kube-scheduler and verify health and leader election. ' +
				'Re-running changes only what differs; services restart only when their inputs changed. When the control plane is already serving, the change rolls ' +
				'one node at a time (each node gets its files only after the node before it stayed healthy) and stops at the first node that fails.',
		);
	addProfileOptions(command);
	command
		.option('-y, --yes', 'apply without asking for confirmation (required without a terminal)')
		.option('--dry-run', 'connect, compare and print what would change on each node (diffs, secrets masked); change nothing')
		.option('--only <steps>', `run only these steps (comma-separated: ${STEP_NAMES.join(',')})`, stepList)
		.option('--skip <steps>', 'skip these steps (comma-separated)', stepList)
		.option('--json', 'print NDJSON events instead of the grid or plain lines')
		.addOption(new Option('--concurrency <n>', 'nodes worked on at once').default(10).argParser((v) => {
			const n = Number(v);
			if (!Number.isInteger(n) || n < 1) throw new UserError(`--concurrency must be a whole number >= 1, not "${v}"`);
			return n;
		}))
		.addOption(new Option('--stability-window <seconds>', 'in a rolling change, how long a restarted service must stay healthy before the next node is touched (0: off)').default(10).argParser((v) => {
			const n = Number(v);
			if (!Number.isFinite(n) || n < 0 || n > 3600) throw new UserError(`--stability-window must be a number of seconds from 0 to 3600, not "${v}"`);
			return n;
		}))
		.option('--no-compress', 'send the binaries as they are over SFTP, not zstd-compressed to nodes that have zstd')
		.option('--accept-new-host-keys', 'trust and record host keys of nodes not yet in known_hosts (a changed key is always refused)');
	addSshOptions(command)
		.addHelpText('after', `\nsudo: when the SSH user is not root, set K8S_MASTER_SETUP_SUDO_PASSWORD if sudo needs a password.`)
		.action(async (options: ApplyOptions) => {
			const {runApply} = await import('./apply-action.js');
			process.exitCode = await runApply(options);
		});
}
