import {Option, type Command} from 'commander';
import {ENCRYPTION_PROVIDERS} from '../../profile/constants.js';
import {addProfileOptions, addSshOptions} from '../shared/options.js';

/** `encryption rotate`: a new encryption key (and provider), every Secret re-encrypted with it. Options: encryption-action.ts. */
export function registerEncryptionCommand(program: Command): void {
	const encryption = program.command('encryption').description('The encryption of Secrets at rest (the apiservers\' encryption config).');
	const rotate = encryption
		.command('rotate')
		.description(
			'Rotate the key Secrets are encrypted with, optionally to another provider, without a moment when one apiserver cannot read what another wrote. ' +
				'Refused (nothing changed) unless every master passes the gate and holds exactly the state\'s files (a hand-edited encryption config is named). ' +
				'Then: an etcd snapshot, a new key kept in the state directory (0600) before any node sees it, and five phases, each rolled one node at a time behind the health gate ' +
				'and checked through every apiserver before the next: read-enable (the new key added for reading), write-switch (the new key writes; a canary Secret written through each ' +
				'apiserver is read raw from etcd), rewrite (every Secret written again through the API, paged, rate-limited), verify (etcd holds none under the old key and none in plaintext), ' +
				'drop-old (the old key removed; every Secret read through each apiserver). A node that fails its gate is put back to the previous phase\'s config, which reads every key ' +
				'used for writes. A journal in the state directory lets a run killed or failed in any phase be carried on by running the same command again. ' +
				'The old key stays in the state directory, marked retired: snapshots taken before need it.',
		)
		.addOption(new Option('--provider <provider>', 'the provider of the new key (default: the current one)').choices([...ENCRYPTION_PROVIDERS]))
		.option('-y, --yes', 'rotate without asking for confirmation (required without a terminal)')
		.option('--dry-run', 'check every master as a rotation would (reachable, through the gate, nothing differing from the state) and print the phases it would run; change nothing')
		.option('--json', 'print NDJSON events instead of plain lines: apply\'s events for each rolling phase, the rotation\'s lines as log events, then one rotation-finished (or, with --dry-run, rotation-plan) event')
		.addOption(new Option('--rate <n>', "Secrets rewritten per second at most (50 kept a probe's read p99 within 2x of its idle value on a 2-core lab: npm run bench:rotation)").default('50'))
		.addOption(new Option('--stability-window <seconds>', 'how long a restarted apiserver must stay healthy before the next node is touched (0: off)').default('10'))
		.option('--no-etcd-snapshot', 'start without taking an etcd snapshot first');
	addSshOptions(addProfileOptions(rotate))
		.addHelpText('after', `\nKMS v2 is not offered: it needs a KMS plugin beside every apiserver, which this tool does not run.`)
		.action(async (raw: Record<string, unknown>) => {
			const {runEncryptionRotate, rotateOptions} = await import('./encryption-action.js');
			process.exitCode = await runEncryptionRotate(rotateOptions(raw));
		});
}
