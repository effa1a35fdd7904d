import {stackedMembers} from '../../etcd/members.js';
import {shellQuote} from '../../remote/shell.js';
import {defragEtcd, httpsDefragCluster} from '../../run/etcd-defrag/defrag.js';
import {outcomeReport} from '../../run/etcd-defrag/defrag-plan.js';
import {etcdClientCredentials} from '../../snapshot/take.js';
import {defaultStateDir} from '../../state/state-dir.js';
import {loadProfileFromOptions} from '../shared/load-profile.js';
import {stackedEtcdOnly} from '../shared/stacked-etcd-only.js';
import {profileChoice, type ProfileChoice} from '../shared/option-values.js';
import {handleStopSignals} from '../shared/stop-signals.js';

export interface EtcdDefragOptions extends ProfileChoice {
	stateDir?: string;
	dryRun: boolean;
	disarmNospace: boolean;
}

export function etcdDefragOptions(raw: Record<string, unknown>): EtcdDefragOptions {
	return {
		...profileChoice(raw as ProfileChoice),
		...(typeof raw['stateDir'] === 'string' ? {stateDir: raw['stateDir']} : {}),
		dryRun: raw['dryRun'] === true,
		disarmNospace: raw['disarmNospace'] === true,
	};
}

export async function runEtcdDefrag(options: EtcdDefragOptions): Promise<number> {
	const profile = await loadProfileFromOptions(options);
	stackedEtcdOnly(profile, 'defrag', 'defragment it where it runs (`etcdctl defrag`, one endpoint at a time, the leader last)');
	const stateDir = options.stateDir ?? defaultStateDir(profile.name);
	const cluster = httpsDefragCluster(stackedMembers(profile.nodes), etcdClientCredentials(profile, stateDir));
	const stop = handleStopSignals({stopping: 'stopping once the member being defragmented is done'});
	try {
		const outcome = await defragEtcd({
			cluster,
			expected: profile.nodes.map((n) => n.name),
			say: (line) => process.stdout.write(`${line}\n`),
			signal: stop.signal,
			dryRun: options.dryRun,
			disarmNospace: options.disarmNospace,
		});
		const {code, lines} = outcomeReport(outcome, sameCommand(options));
		(code === 0 ? process.stdout : process.stderr).write(`${lines.join('\n')}\n`);
		return code;
	} finally {
		stop.dispose();
		cluster.close();
	}
}

/** The command to run again, as the user gave it (without --dry-run and --disarm-nospace). */
function sameCommand(options: EtcdDefragOptions): string {
	const profile = options.profileFile !== undefined ? `--profile-file ${shellQuote(options.profileFile)}` : `--profile ${shellQuote(options.profile!)}`;
	return `k8s-master-setup etcd defrag ${profile}${options.stateDir !== undefined ? ` --state-dir ${shellQuote(options.stateDir)}` : ''}`;
}
