import type {Command} from 'commander';
import {addProfileOptions} from '../shared/options.js';

/** `render`: write every node's files to a directory instead of the nodes. Options: render-action.ts. */
export function registerRenderCommand(program: Command): void {
	const command = program
		.command('render')
		.description(
			'Write every node\'s files under OUT/<node>/<absolute path> (with their target modes), OUT/<node>/manifest.json (path, mode, sha256), OUT/admin.kubeconfig and, for a node-local apiserver proxy on workers, OUT/worker-proxy/kube-nginx.conf and haproxy.cfg (the profile\'s masters). ' +
				'Creates the CA, keys and certificates in the state directory on first use and reuses them afterwards.',
		);
	addProfileOptions(command)
		.option('--out <dir>', 'directory to write into (required)')
		.action(async (raw: Record<string, unknown>) => {
			const {runRender, renderOptions} = await import('./render-action.js');
			await runRender(renderOptions(raw));
		});
}
