// What `encryption rotate --dry-run` prints once the preflight passed: the keys, the phases
// still to run and what each does to the masters, and whether a snapshot is taken first.
import type {EncryptionKeyRef} from '../../pki/encryption-setting.js';
import {phaseSetting, ROTATION_PHASES, type RotationJournal} from './rotation-journal.js';

const key = (k: EncryptionKeyRef) => `${k.provider} ${k.keyName}`;

export function rotationPlanLines(input: {from: EncryptionKeyRef; to: EncryptionKeyRef; masters: readonly string[]; journal?: RotationJournal; snapshot: boolean; rate: number}): string[] {
	const {from, to, masters, journal} = input;
	const start = journal ? ROTATION_PHASES.indexOf(journal.phase) : 0;
	const order = masters.join(' → ');
	const does: Record<(typeof ROTATION_PHASES)[number], string> = {
		'read-enable': `configs ${describe(phaseSetting({from, to}, 'read-enable'))}, apiservers restarted ${order}`,
		'write-switch': `configs ${describe(phaseSetting({from, to}, 'write-switch'))}, apiservers restarted ${order}; each writes the canary Secret`,
		rewrite: `every Secret written again through the API, at most ${input.rate}/s${journal?.rewrite ? ` (from the recorded cursor, ${journal.rewrite.done} done)` : ''}`,
		verify: `etcd counted: none may be under ${key(from)} or in plaintext`,
		'drop-old': `configs ${describe(phaseSetting({from, to}, 'drop-old'))}, apiservers restarted ${order}; every Secret read through each`,
	};
	return [
		`would rotate ${key(from)} → ${to.provider} ${to.keyName}${journal ? ` (carrying on the rotation started ${journal.startedAt})` : ''}:`,
		...(journal ? [] : [`  ${input.snapshot ? 'an etcd snapshot first, then ' : ''}the new key written to the state directory (0600)`]),
		...ROTATION_PHASES.slice(start).map((phase, i) => `  ${start + i + 1}. ${phase}: ${does[phase]}`),
		'dry run: nothing was changed',
	];
}

function describe(setting: ReturnType<typeof phaseSetting>): string {
	const readers = setting.readers ?? [];
	return `write with ${key(setting)}${readers.length > 0 ? `, also read ${readers.map(key).join(', ')}` : ''}`;
}
