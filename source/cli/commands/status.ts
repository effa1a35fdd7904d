import {Option, type Command} from 'commander';
import {addProfileOptions, addSshOptions} from '../shared/options.js';

/** `status`: the on-call screen. Options: status-action.ts. */
export function registerStatusCommand(program: Command): void {
	const command = program
		.command('status')
		.description(
			'Per node: systemd state of the three units, apiserver /livez and /readyz (failing checks by name), controller-manager :10257 and scheduler :10259 /healthz, ' +
				'who holds the kube-controller-manager and kube-scheduler Leases, certificate expiry (served and on disk), versions; ' +
				'with etcd.mode: stacked the etcd members (leader, database size against the quota, raft lag, alarms), read with the tool\'s etcd client certificate. ' +
				'A live dashboard on a terminal (r refresh, Enter/l journal, q quit), a plain table without one, --json for scripts. ' +
				'Its exit code says the health: 0 healthy, 1 down (no kube-apiserver ready, a Lease without a holder, or etcd without quorum), 3 degraded (serving, with problems).',
		);
	addProfileOptions(command)
		.option('--json', 'print one JSON snapshot (schema: docs/status.schema.json)')
		.option('--watch', 'keep refreshing; with --json prints one snapshot per line (NDJSON)')
		.option('--encryption', 'also count the Secrets in etcd by how they are stored (provider and key name, or plaintext), read through etcd\'s API with the apiservers\' etcd client certificate (the tool\'s own with etcd.mode: stacked); nothing is decrypted (not with --watch)')
		.addOption(new Option('--interval <seconds>', 'refresh interval').default('2'))
		.addOption(new Option('--cert-warning-days <days>', 'warn about certificates expiring within this many days').default('30'))
		.addOption(new Option('--probe-timeout <seconds>', 'deadline of each single probe').default('3'));
	addSshOptions(command).action(async (raw: Record<string, unknown>) => {
		const {runStatus, statusOptions} = await import('./status-action.js');
		process.exitCode = await runStatus(statusOptions(raw));
	});
}
