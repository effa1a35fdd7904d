// The state directory's encryption files for a phase of a rotation, written in an order that
// a kill at any point leaves readable: the keys file first (every secret the phase needs, so
// each name encryption.json may hold has its secret), then encryption.json (which keys the
// config holds: one atomic write switches the writer), then encryption-key (the writer's
// secret, as a state directory that never rotated has it). Each phase's files are derived
// from the journal alone, so a re-run writes them again whatever a killed run left.
import {randomBytes} from 'node:crypto';
import {ENCRYPTION_KEYS_FILE, keptKeysJson, readKeptKeys, type KeptKey} from '../../pki/encryption-keyring.js';
import {ENCRYPTION_SETTING_FILE, encryptionSettingJson, type EncryptionKeyRef} from '../../pki/encryption-setting.js';
import {ENCRYPTION_KEY_FILE} from '../../pki/kept-material.js';
import {keyLengthsOf} from '../../profile/constants.js';
import type {StateDir} from '../../state/state-dir.js';
import {phaseSetting, type RotationJournal, type RotationPhase} from './rotation-journal.js';

const same = (a: EncryptionKeyRef, b: EncryptionKeyRef) => a.provider === b.provider && a.keyName === b.keyName;

/** A new key's secret for a provider: 32 random bytes fit all three. */
export function newSecret(provider: EncryptionKeyRef['provider']): string {
	return randomBytes(Math.max(...keyLengthsOf(provider))).toString('base64');
}

/**
 * Before any node sees the new key: the keys file holds the old key (its secret from
 * encryption-key when the file did not name it yet) and the new one.
 */
export function keepNewKey(state: StateDir, from: EncryptionKeyRef, to: EncryptionKeyRef, secret: string): void {
	const kept = readKeptKeys(state);
	const keys: KeptKey[] = [...kept];
	if (!keys.some((k) => same(k, from))) {
		const old = state.read(ENCRYPTION_KEY_FILE)?.trim();
		if (!old) throw new Error(`no ${ENCRYPTION_KEY_FILE} in the state directory to rotate from`);
		keys.push({...from, secret: old});
	}
	if (!keys.some((k) => same(k, to))) keys.push({...to, secret});
	state.write(ENCRYPTION_KEYS_FILE, keptKeysJson(keys));
}

/** Every state file of `phase`, in the safe order; drop-old marks the old key retired (it stays for the snapshots). */
export function writePhaseState(state: StateDir, journal: Pick<RotationJournal, 'from' | 'to'>, phase: RotationPhase, now: Date): void {
	const keys = readKeptKeys(state);
	const writer = phaseSetting(journal, phase);
	const secret = keys.find((k) => same(k, writer))?.secret;
	if (secret === undefined) throw new Error(`${ENCRYPTION_KEYS_FILE} has no secret for ${writer.provider} ${writer.keyName}`);
	if (phase === 'drop-old') {
		const marked = keys.map((k) => (same(k, journal.from) && !k.retiredAt ? {...k, retiredAt: now.toISOString()} : k));
		state.write(ENCRYPTION_KEYS_FILE, keptKeysJson(marked));
	}
	state.write(ENCRYPTION_SETTING_FILE, encryptionSettingJson(writer));
	if (state.read(ENCRYPTION_KEY_FILE)?.trim() !== secret) state.write(ENCRYPTION_KEY_FILE, `${secret}\n`);
}
