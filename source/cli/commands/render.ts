import {Option, type Command} from 'commander';

export interface RenderOptions {
	profileFile?: string;
	profile?: string;
	stateDir?: string;
	out: string;
}

/** `render`: write every node's files to a directory instead of the nodes. */
export function registerRenderCommand(program: Command): void {
	program
		.command('render')
		.description(
			'Write every node\'s files under OUT/<node>/<absolute path> (with their target modes), OUT/<node>/manifest.json (path, mode, sha256) and OUT/admin.kubeconfig. ' +
				'Creates the CA, keys and certificates in the state directory on first use and reuses them afterwards.',
		)
		.addOption(new Option('--profile-file <file>', 'profile as a YAML or JSON file').conflicts('profile'))
		.addOption(new Option('--profile <name>', 'profile saved by name (by the wizard)'))
		.option('--state-dir <dir>', 'keys and certificates of this profile (default: $XDG_STATE_HOME/k8s-master-setup/<profile name>, or ~/.local/state/k8s-master-setup/<profile name>)')
		.requiredOption('--out <dir>', 'directory to write into')
		.action(async (options: RenderOptions) => {
			const {runRender} = await import('./render-action.js');
			await runRender(options);
		});
}
