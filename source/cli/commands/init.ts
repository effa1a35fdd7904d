import type {Command} from 'commander';
import type {InitOptions} from './init-action.js';

/** `init` (and no command at all): the wizard. */
export function registerInitCommand(program: Command): void {
	program
		.command('init', {isDefault: true})
		.description(
			'The guided first install (the default command): asks for the master nodes, SSH access (each node is checked and its host key shown as you enter it), ' +
				'the binaries, networks, etcd, CA and encryption key; saves the answers as a named profile before anything touches a node; ' +
				'then applies it with a live node × step grid. Needs a terminal: without one, use `apply --profile-file`.',
		)
		.option('--save-only', 'save the profile and stop; apply it later with `apply --profile NAME`')
		.option('--edit <name>', 'open a saved profile to change it (add or remove a master, change a setting)')
		.option('--export <file>', 'also write the answers to a profile file (YAML)')
		.option('--known-hosts <file>', 'known_hosts file to verify and record host keys in (default ~/.ssh/known_hosts)')
		.option('--ssh-config <file>', 'ssh_config file to read (default ~/.ssh/config)')
		.action(async (options: InitOptions) => {
			const {runInit} = await import('./init-action.js');
			process.exitCode = await runInit(options);
		});
}
