// Which provider and key name the apiservers write Secrets with. The state directory keeps
// it next to the key (encryption.json), from the first run on: a profile that later names
// another provider is refused like another key (kept-material.ts), since Secrets already
// stored are readable only with what wrote them. A state directory of a release before the
// provider choice has the key alone: its cluster writes with aescbc under `key1`, and keeps
// doing so until rotated.
import {DEFAULT_ENCRYPTION_PROVIDER, ENCRYPTION_PROVIDERS, type EncryptionProvider} from '../profile/constants.js';
import {UserError} from '../errors.js';
import type {StateDir} from '../state/state-dir.js';

export {DEFAULT_ENCRYPTION_PROVIDER, ENCRYPTION_PROVIDERS, type EncryptionProvider};

export interface EncryptionSetting {
	provider: EncryptionProvider;
	/** Unique per key (key-<date>), never reused: the prefix of every value written with it. */
	keyName: string;
}

/** The state file that records the setting. */
export const ENCRYPTION_SETTING_FILE = 'encryption.json';
/** What a state directory that predates the file holds. */
export const LEGACY_ENCRYPTION: EncryptionSetting = {provider: 'aescbc', keyName: 'key1'};

/** A key's name from the day it was made: `key-20261206`. */
export function newKeyName(now: Date): string {
	return `key-${now.toISOString().slice(0, 10).replaceAll('-', '')}`;
}

/** The kept setting: the file's, the legacy one when only a key is kept, undefined when neither. */
export function keptEncryptionSetting(state: Pick<StateDir, 'read'>, keyKept: boolean): EncryptionSetting | undefined {
	const text = state.read(ENCRYPTION_SETTING_FILE);
	if (text === undefined) return keyKept ? LEGACY_ENCRYPTION : undefined;
	const parsed = parseEncryptionSetting(text);
	if (parsed === undefined) {
		throw new UserError(
			`${ENCRYPTION_SETTING_FILE} in the state directory is not {"provider": secretbox|aescbc|aesgcm, "keyName": [a-z0-9-]}`,
			'restore it from your backup of the state directory (or `state recover --from NODE`); nothing was written',
		);
	}
	return parsed;
}

export function parseEncryptionSetting(text: string): EncryptionSetting | undefined {
	try {
		const value = JSON.parse(text) as Partial<EncryptionSetting>;
		if (!ENCRYPTION_PROVIDERS.includes(value.provider as EncryptionProvider)) return undefined;
		if (typeof value.keyName !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(value.keyName)) return undefined;
		return {provider: value.provider as EncryptionProvider, keyName: value.keyName};
	} catch {
		return undefined;
	}
}

export function encryptionSettingJson(setting: EncryptionSetting): string {
	return `${JSON.stringify(setting)}\n`;
}
