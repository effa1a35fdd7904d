import {Option, type Command} from 'commander';

/**
 * Options several commands share, declared once so their help reads the same everywhere.
 */
export function addProfileOptions(command: Command): Command {
	return command
		.addOption(new Option('--profile-file <file>', 'profile as a YAML or JSON file').conflicts('profile'))
		.addOption(new Option('--profile <name>', 'profile saved by name (by the wizard)'))
		.option('--state-dir <dir>', 'keys and certificates of this profile (default: $XDG_STATE_HOME/k8s-master-setup/<profile name>, or ~/.local/state/k8s-master-setup/<profile name>)');
}

export function addSshOptions(command: Command): Command {
	return command
		.option('--known-hosts <file>', 'known_hosts file to verify host keys against (default ~/.ssh/known_hosts)')
		.option('--ssh-config <file>', 'ssh_config file to read (default ~/.ssh/config)');
}
