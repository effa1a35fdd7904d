// The encryption config a state directory renders — the file its apiservers read — from
// the kept keys and setting, for what reads a state directory by path (a snapshot's record
// of key names, status's comparison with each node's file).
import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {renderEncryptionConfig} from '../render/config-files.js';
import {keptKeyring} from './encryption-keyring.js';
import {keptEncryptionSetting, type EncryptionSetting} from './encryption-setting.js';
import {ENCRYPTION_KEY_FILE} from './kept-material.js';

/** Undefined when no key is kept (nothing installed from this directory yet). */
export function keptEncryptionConfig(stateDir: string): {config: string; setting: EncryptionSetting} | undefined {
	const read = (name: string) => (existsSync(join(stateDir, name)) ? readFileSync(join(stateDir, name), 'utf8') : undefined);
	const keyring = keptKeyring({read}, read(ENCRYPTION_KEY_FILE)?.trim());
	if (keyring === undefined) return undefined;
	const setting = keptEncryptionSetting({read}, true)!;
	return {config: renderEncryptionConfig(keyring.writer.secret, setting, keyring.readers), setting};
}
