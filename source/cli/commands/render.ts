import type {Command} from 'commander';
import {addProfileOptions} from '../shared/options.js';

export interface RenderOptions {
	profileFile?: string;
	profile?: string;
	stateDir?: string;
	out: string;
}

/** `render`: write every node's files to a directory instead of the nodes. */
export function registerRenderCommand(program: Command): void {
	const command = program
		.command('render')
		.description(
			'Write every node\'s files under OUT/<node>/<absolute path> (with their target modes), OUT/<node>/manifest.json (path, mode, sha256) and OUT/admin.kubeconfig. ' +
				'Creates the CA, keys and certificates in the state directory on first use and reuses them afterwards.',
		);
	addProfileOptions(command)
		.requiredOption('--out <dir>', 'directory to write into')
		.action(async (options: RenderOptions) => {
			const {runRender} = await import('./render-action.js');
			await runRender(options);
		});
}
