import type {Command} from 'commander';
import {addProfileOptions} from '../shared/options.js';
import type {SnapshotOptions} from './snapshot-action.js';

/** `snapshot`: an etcd snapshot through etcd's own API, kept in the state directory. Options: snapshot-action.ts. */
export function registerSnapshotCommand(program: Command): void {
	const command = program
		.command('snapshot')
		.description(
			'Take an etcd snapshot through etcd\'s own API (HTTPS, the client certificate the apiservers use; nothing on the nodes), from each etcd endpoint in turn until one works. ' +
				'Kept as <state dir>/snapshots/etcd-<UTC time>-rev<revision>.db (0600) with a .json sidecar: sha256, size, revision, time, etcd release, endpoint, and the names of the encryption keys its Secrets need. ' +
				'Exit codes: 0 taken, 1 no endpoint gave one, 2 invalid input.',
		);
	addProfileOptions(command).action(async (options: SnapshotOptions) => {
		const {runSnapshot} = await import('./snapshot-action.js');
		await runSnapshot(options);
	});
}
