// Every encryption key this cluster has had, by name, in the state directory
// (encryption-keys.json, 0600): the one it writes with, those it still reads with during a
// rotation, and retired ones (a snapshot taken before a rotation needs its old key to be
// read). encryption.json says which of them the config holds and in what order; the keys
// file is written first at every step of a rotation, so whatever a killed run left behind,
// each name the setting holds has its secret here.
import {UserError} from '../errors.js';
import type {StateDir} from '../state/state-dir.js';
import {ENCRYPTION_PROVIDERS, keptEncryptionSetting, type EncryptionKeyRef, type EncryptionProvider, type EncryptionSetting} from './encryption-setting.js';

export const ENCRYPTION_KEYS_FILE = 'encryption-keys.json';

/** A key with its secret (base64). */
export interface EncryptionKey extends EncryptionKeyRef {
	secret: string;
}

export interface KeptKey extends EncryptionKey {
	/** When a rotation dropped it from the config; the key stays for the snapshots taken before. */
	retiredAt?: string;
}

/** The config's keys with their secrets: the writer first, then the readers. */
export interface EncryptionKeyring {
	writer: EncryptionKey;
	readers: EncryptionKey[];
}

/** The keys file's entries; none when it does not exist (nothing rotated yet). */
export function readKeptKeys(state: Pick<StateDir, 'read'>): KeptKey[] {
	const text = state.read(ENCRYPTION_KEYS_FILE);
	if (text === undefined) return [];
	const bad = () =>
		new UserError(
			`${ENCRYPTION_KEYS_FILE} in the state directory is not {"keys": [{"provider", "keyName", "secret"}, ...]}`,
			'restore it from your backup of the state directory; without it Secrets written with its keys cannot be read; nothing was written',
		);
	let parsed: {keys?: unknown};
	try {
		parsed = JSON.parse(text) as {keys?: unknown};
	} catch {
		throw bad();
	}
	if (!Array.isArray(parsed.keys)) throw bad();
	return parsed.keys.map((k: Partial<KeptKey>) => {
		if (!ENCRYPTION_PROVIDERS.includes(k.provider as EncryptionProvider) || typeof k.keyName !== 'string' || typeof k.secret !== 'string') throw bad();
		return {provider: k.provider as EncryptionProvider, keyName: k.keyName, secret: k.secret, ...(typeof k.retiredAt === 'string' ? {retiredAt: k.retiredAt} : {})};
	});
}

export function keptKeysJson(keys: readonly KeptKey[]): string {
	return `${JSON.stringify({keys: keys.map((k) => ({provider: k.provider, keyName: k.keyName, secret: k.secret, ...(k.retiredAt ? {retiredAt: k.retiredAt} : {})}))}, null, 2)}\n`;
}

/**
 * The keyring of the kept setting: each name's secret from the keys file, the writer's from
 * encryption-key when the file does not name it (a cluster never rotated). Throws when a
 * reader has no secret: the config would lose it.
 */
export function keyringOf(setting: EncryptionSetting, writerSecret: string, kept: readonly KeptKey[]): EncryptionKeyring {
	const secretOf = (ref: EncryptionKeyRef): string | undefined => kept.find((k) => k.keyName === ref.keyName && k.provider === ref.provider)?.secret;
	const readers = (setting.readers ?? []).map((ref) => {
		const secret = secretOf(ref);
		if (secret === undefined) {
			throw new UserError(
				`${ENCRYPTION_KEYS_FILE} has no secret for ${ref.provider} ${ref.keyName}, which encryption.json says the config still reads with`,
				'restore the state directory from your backup (or `state recover --from NODE`); nothing was written',
			);
		}
		return {...ref, secret};
	});
	return {writer: {provider: setting.provider, keyName: setting.keyName, secret: secretOf(setting) ?? writerSecret}, readers};
}

/** The kept keyring, undefined when no key is kept (nothing installed from this directory yet). */
export function keptKeyring(state: Pick<StateDir, 'read'>, writerSecret: string | undefined): EncryptionKeyring | undefined {
	if (!writerSecret) return undefined;
	return keyringOf(keptEncryptionSetting(state, true)!, writerSecret, readKeptKeys(state));
}

/** Whether `secret` (base64) is one of the cluster's keys, current or retired. */
export function isKeptSecret(secret: string, writerSecret: string | undefined, kept: readonly KeptKey[]): boolean {
	const bytes = Buffer.from(secret, 'base64');
	return [writerSecret, ...kept.map((k) => k.secret)].some((s) => s !== undefined && Buffer.from(s, 'base64').equals(bytes));
}
