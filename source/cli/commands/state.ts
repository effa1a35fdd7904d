import type {Command} from 'commander';
import {addProfileOptions, addSshOptions} from '../shared/options.js';

/** `state recover`: a lost state directory rebuilt from the masters' files. Options: state-action.ts. */
export function registerStateCommand(program: Command): void {
	const state = program.command('state').description('The state directory of a profile (its CA, keys, certificates and encryption key).');
	const recover = state
		.command('recover')
		.description(
			'Rebuild a lost state directory from the files on the masters: the CA and its key, the front-proxy CA and its key, the service-account key pair, ' +
				'the proxy-client certificate and the encryption key from the --from node; each master\'s apiserver, controller-manager and scheduler certificates from that master. ' +
				'Every pair is checked before anything is written, and only into a state directory that holds no keys yet. What the nodes do not hold (the admin certificate) is named. ' +
				'Then `apply --dry-run` with the same profile shows no change on the nodes. Exit codes: 0 recovered, 1 the node could not be read, 2 invalid input or refused (nothing written).',
		)
		.requiredOption('--from <node>', 'the master (a name in the profile) whose files rebuild the shared material');
	addSshOptions(addProfileOptions(recover)).action(async (raw: Record<string, unknown>) => {
		const {runStateRecover, stateRecoverOptions} = await import('./state-action.js');
		process.exitCode = await runStateRecover(stateRecoverOptions(raw));
	});
}
