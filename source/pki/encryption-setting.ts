// Which provider and key name the apiservers write Secrets with, and which other keys they
// still read with (a rotation in progress). The state directory keeps it next to the key
// (encryption.json), from the first run on: a profile that later names another provider is
// refused like another key (kept-material.ts), since Secrets already stored are readable
// only with what wrote them. A state directory of a release before the provider choice has
// the key alone: its cluster writes with aescbc under `key1`, and keeps doing so until
// rotated. Every key the cluster has had is kept, by name, in encryption-keys.json
// (encryption-keyring.ts); encryption.json says only which of them the config holds.
import {DEFAULT_ENCRYPTION_PROVIDER, ENCRYPTION_PROVIDERS, type EncryptionProvider} from '../profile/constants.js';
import {UserError} from '../errors.js';
import type {StateDir} from '../state/state-dir.js';

export {DEFAULT_ENCRYPTION_PROVIDER, ENCRYPTION_PROVIDERS, type EncryptionProvider};

/** One key of the config, by name (its secret is kept apart: encryption-keyring.ts). */
export interface EncryptionKeyRef {
	provider: EncryptionProvider;
	/** Unique per key (key-<date>), never reused: the prefix of every value written with it. */
	keyName: string;
}

export interface EncryptionSetting extends EncryptionKeyRef {
	/**
	 * Keys the config holds after the writer, in order: they decrypt, never encrypt (an
	 * encryption rotation: the new key before it writes, the old one until every Secret is
	 * rewritten). Absent or empty: the writer alone, then identity.
	 */
	readers?: EncryptionKeyRef[];
}

/** The state file that records the setting. */
export const ENCRYPTION_SETTING_FILE = 'encryption.json';
/** What a state directory that predates the file holds. */
export const LEGACY_ENCRYPTION: EncryptionSetting = {provider: 'aescbc', keyName: 'key1'};

const KEY_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A key's name from the day it was made (`key-20261206`), with -2, -3… when that name was taken already. */
export function newKeyName(now: Date, taken: readonly string[] = []): string {
	const base = `key-${now.toISOString().slice(0, 10).replaceAll('-', '')}`;
	if (!taken.includes(base)) return base;
	for (let n = 2; ; n++) if (!taken.includes(`${base}-${n}`)) return `${base}-${n}`;
}

/** The kept setting: the file's, the legacy one when only a key is kept, undefined when neither. */
export function keptEncryptionSetting(state: Pick<StateDir, 'read'>, keyKept: boolean): EncryptionSetting | undefined {
	const text = state.read(ENCRYPTION_SETTING_FILE);
	if (text === undefined) return keyKept ? LEGACY_ENCRYPTION : undefined;
	const parsed = parseEncryptionSetting(text);
	if (parsed === undefined) {
		throw new UserError(
			`${ENCRYPTION_SETTING_FILE} in the state directory is not {"provider": secretbox|aescbc|aesgcm, "keyName": [a-z0-9-], "readers"?: [...]}`,
			'restore it from your backup of the state directory (or `state recover --from NODE`); nothing was written',
		);
	}
	return parsed;
}

function parseRef(value: unknown): EncryptionKeyRef | undefined {
	const v = value as Partial<EncryptionKeyRef> | null;
	if (typeof v !== 'object' || v === null) return undefined;
	if (!ENCRYPTION_PROVIDERS.includes(v.provider as EncryptionProvider)) return undefined;
	if (typeof v.keyName !== 'string' || !KEY_NAME.test(v.keyName)) return undefined;
	return {provider: v.provider as EncryptionProvider, keyName: v.keyName};
}

export function parseEncryptionSetting(text: string): EncryptionSetting | undefined {
	try {
		const value = JSON.parse(text) as {readers?: unknown};
		const writer = parseRef(value);
		if (writer === undefined) return undefined;
		if (value.readers === undefined) return writer;
		if (!Array.isArray(value.readers)) return undefined;
		const readers = value.readers.map(parseRef);
		if (readers.some((r) => r === undefined)) return undefined;
		const names = [writer.keyName, ...readers.map((r) => r!.keyName)];
		if (new Set(names).size !== names.length) return undefined;
		return readers.length > 0 ? {...writer, readers: readers as EncryptionKeyRef[]} : writer;
	} catch {
		return undefined;
	}
}

export function encryptionSettingJson(setting: EncryptionSetting): string {
	const {provider, keyName, readers} = setting;
	// Without readers the file is as it was before rotations (byte for byte).
	return `${JSON.stringify(readers && readers.length > 0 ? {provider, keyName, readers: readers.map((r) => ({provider: r.provider, keyName: r.keyName}))} : {provider, keyName})}\n`;
}
