import {Option, type Command} from 'commander';
import {collect} from './option-values.js';

/**
 * Options several commands share, declared once so their help reads the same everywhere.
 * Their values are checked in option-values.ts.
 */
export function addProfileOptions(command: Command): Command {
	return command
		.addOption(new Option('--profile-file <file>', 'profile as a YAML or JSON file').conflicts('profile'))
		.addOption(new Option('--profile <name>', 'profile saved by name (by the wizard)'))
		.addOption(stateDirOption());
}

export function stateDirOption(): Option {
	return new Option('--state-dir <dir>', 'keys and certificates of this profile (default: $XDG_STATE_HOME/k8s-master-setup/<profile name>, or ~/.local/state/k8s-master-setup/<profile name>)');
}

/** Every command that connects to nodes: apply, status and the wizard (its node checks). */
export function addSshOptions(command: Command): Command {
	return command
		.option('--known-hosts <file>', 'known_hosts file to verify host keys against (default ~/.ssh/known_hosts)')
		.option('--accept-new-host-keys', 'trust and record host keys of nodes not yet in known_hosts (a changed key is refused)')
		.option('--accept-changed-host-key <node>', 'this node was reinstalled on purpose: replace its changed host key in known_hosts (both fingerprints are printed; repeatable)', collect)
		.option('--ssh-config <file>', 'ssh_config file to read (default ~/.ssh/config)')
		.addOption(new Option('--connect-timeout <seconds>', 'give up a node whose TCP connection or SSH handshake takes longer').default('10'))
		.option('--verbose', 'on an unexpected error, print its stack trace')
		.option('--no-color', 'no colours (as the NO_COLOR environment variable does)');
}
