import type {Command} from 'commander';
import {addProfileOptions, addSshOptions} from '../shared/options.js';
import {collect} from '../shared/option-values.js';

/** `reset`: the tool's services and files taken off nodes. Options: reset-action.ts. */
export function registerResetCommand(program: Command): void {
	const command = program
		.command('reset')
		.description(
			'Stop kube-scheduler, kube-controller-manager and kube-apiserver on the nodes and remove what the tool placed there (units, certificates and keys, kubeconfigs, ' +
				'the encryption and audit configs, work directories, its bookkeeping in /var/lib/k8s-master-setup); binaries stay unless --purge. ' +
				'Every profile node, or the --node ones (a node the state directory installed that the profile no longer names included). ' +
				'Asks first, naming the nodes (--yes without a terminal). Refused when it would leave no serving master, unless every profile node is reset. ' +
				'An external etcd and the objects in it are not touched. With etcd.mode: stacked, a reset of the whole cluster also stops etcd and deletes its unit, certificates and data on every node ' +
				'(the objects are gone unless a `k8s-master-setup snapshot` was taken); resetting only some masters of a stacked cluster is refused. Exit codes: 0 reset, 1 a node failed, 2 invalid input or refused (nothing changed).',
		)
		.option('--node <names>', 'only these nodes (comma-separated, or repeated)', collect)
		.option('--purge', 'also remove the binaries (kube-apiserver, kube-controller-manager, kube-scheduler, kubectl; etcd, etcdctl, etcdutl with a stacked etcd)')
		.option('-y, --yes', 'reset without asking (required without a terminal)');
	addSshOptions(addProfileOptions(command)).action(async (raw: Record<string, unknown>) => {
		const {runReset, resetOptions} = await import('./reset-action.js');
		process.exitCode = await runReset(resetOptions(raw));
	});
}
