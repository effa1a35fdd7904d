import type {Command} from 'commander';

/** `profiles list|show NAME|rm NAME|path`: the profiles the wizard saved, and where they and their state live. */
export function registerProfilesCommand(program: Command): void {
	const profiles = program
		.command('profiles')
		.description('The profiles saved by name (by the wizard, for `--profile NAME`): list them, show one (secrets masked), remove one, or print where profiles and state live.');
	profiles
		.command('list')
		.description('the saved profiles, one a line: name, nodes, Kubernetes version')
		.action(async () => {
			const {profilesList} = await import('./profiles-action.js');
			process.exitCode = await profilesList();
		});
	profiles
		.command('show <name>')
		.description('a saved profile as YAML, the encryption key masked')
		.action(async (name: string) => {
			const {profilesShow} = await import('./profiles-action.js');
			process.exitCode = await profilesShow(name);
		});
	profiles
		.command('rm <name>')
		.description('remove a saved profile (asks first; its state directory, with the CA and keys, is kept)')
		.option('--yes', 'do not ask')
		.action(async (name: string, options: {yes?: boolean}) => {
			const {profilesRemove} = await import('./profiles-action.js');
			process.exitCode = await profilesRemove(name, {yes: options.yes === true});
		});
	profiles
		.command('path')
		.description('where the saved profiles, the per-profile state, the wizard draft and the cache live')
		.action(async () => {
			const {profilesPath} = await import('./profiles-action.js');
			process.exitCode = await profilesPath();
		});
}
