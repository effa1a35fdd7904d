import type {Command} from 'commander';
import {addSshOptions, stateDirOption} from '../shared/options.js';

/** `init` (and no command at all, cli/main.ts): the wizard. Options: init-action.ts. */
export function registerInitCommand(program: Command): void {
	const command = program
		.command('init')
		.description(
			'The guided first install (the default command): asks for the master nodes, SSH access (each node is checked and its host key shown as you enter it), ' +
				'the binaries, networks, etcd, CA and encryption key; saves the answers as a named profile before anything touches a node; ' +
				'then applies it with a live node × step grid. Needs a terminal: without one, use `apply --profile-file`.',
		)
		.option('--save-only', 'save the profile and stop; apply it later with `apply --profile NAME`')
		.option('--edit <name>', 'open a saved profile to change it (add or remove a master, change a setting)')
		.option('--export <file>', 'also write the answers to a profile file (YAML)')
		.addOption(stateDirOption());
	addSshOptions(command)
		.action(async (raw: Record<string, unknown>) => {
			const {runInit, initOptions} = await import('./init-action.js');
			process.exitCode = await runInit(initOptions(raw));
		});
}
