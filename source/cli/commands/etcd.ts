import type {Command} from 'commander';
import {addProfileOptions} from '../shared/options.js';

/** `etcd`: maintenance of a stacked etcd (the one the tool runs on the masters); `etcd defrag` for now. Options: etcd-action.ts. */
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
}
