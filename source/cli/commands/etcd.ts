import type {Command} from 'commander';
import {addProfileOptions, addSshOptions} from '../shared/options.js';

/** `etcd`: maintenance of a stacked etcd (the one the tool runs on the masters); `etcd defrag` and `etcd restore`. Options: etcd-action.ts. */
export function registerEtcdCommand(program: Command): void {
	const etcd = program.command('etcd').description('The stacked etcd (etcd.mode: stacked), the members the tool runs on the masters.');
	const defrag = etcd
		.command('defrag')
		.description(
			'Defragment a stacked etcd one member at a time, through etcd\'s own API (HTTPS, the tool\'s etcd client certificate from the state directory; nothing on the nodes): ' +
				'space freed by compaction is reused inside a member\'s database file, and given back to the file system only by defragmenting it, during which that member serves neither reads nor writes. ' +
				'Refused (nothing defragmented) unless every member answers, they agree on a leader and the member list is the profile\'s masters (a NOSPACE alarm aside: defragmenting is its cure; any other alarm refuses). ' +
				'Then the followers first and the leader last, each followed by a wait (up to 60 s) until the cluster is healthy again and the member caught up; one line per member with its database size before and after. ' +
				'A NOSPACE alarm still raised at the end is named, and disarmed only with --disarm-nospace. Ctrl-C stops before the next member. ' +
				'Exit codes: 0 every member defragmented, 1 the cluster was not healthy (nothing done) or a member failed (the members after it not defragmented), 2 invalid input (an external etcd is refused: defragment it where it runs), 130 stopped.',
		)
		.option('--dry-run', 'check the cluster as a run would and print the order with each member\'s database size (and the part in use); defragment nothing')
		.option('--disarm-nospace', 'once every member is defragmented, disarm a NOSPACE alarm (etcd refuses writes while it is raised; it is raised again at the next write if a database is still above the quota)');
	addProfileOptions(defrag).action(async (raw: Record<string, unknown>) => {
		const {etcdDefragOptions, runEtcdDefrag} = await import('./etcd-action.js');
		process.exitCode = await runEtcdDefrag(etcdDefragOptions(raw));
	});
	const restore = etcd
		.command('restore')
		.description(
			'Restore a stacked etcd from a snapshot (`k8s-master-setup snapshot` takes one): every member is rebuilt from it with etcdutl as a new cluster (the profile\'s masters, a new cluster token, the revision bumped past every one a watch has seen and marked compacted, so every apiserver cache and informer re-lists). ' +
				'Checked before anything changes: the file (etcd\'s sha256 at its end, the revision inside), every master installed and reachable, each one\'s etcdutl and free space, and the encryption keys the snapshot\'s Secrets need (its sidecar) still in the encryption config. ' +
				'Then, on every master side by side: the snapshot uploaded and the restored data built beside the member\'s while the cluster still runs; kube-apiserver, kube-controller-manager, kube-scheduler and etcd stopped; the old data dir kept as <dataDir>.before-restore-<time> and the restored one put in its place; the members started one after another and gated (every member healthy, one leader, the profile\'s member list); then the apiservers (each /readyz), the controller managers and the schedulers (each /healthz). ' +
				'Everything written since the snapshot is lost: the plan says how many revisions and asks first (--yes without a terminal). A failure before the members serve puts the old data back and starts the cluster as it was. Ctrl-C is taken until the first service is stopped. ' +
				'Exit codes: 0 restored, 1 a phase failed (the output says whether the cluster was put back), 2 invalid input or refused (nothing changed; an external etcd is refused), 130 stopped before any service was stopped.',
		)
		.requiredOption('--snapshot <file>', 'the snapshot file (<state dir>/snapshots/etcd-<time>-rev<N>.db, or one saved by etcdctl snapshot save)')
		.option('--dry-run', 'check the file, the nodes and the keys and print the plan with what would be lost; change nothing')
		.option('-y, --yes', 'restore without asking (required without a terminal)');
	addSshOptions(addProfileOptions(restore)).action(async (raw: Record<string, unknown>) => {
		const {etcdRestoreOptions, runEtcdRestore} = await import('./etcd-restore-action.js');
		process.exitCode = await runEtcdRestore(etcdRestoreOptions(raw));
	});
}
