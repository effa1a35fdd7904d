import type {EncryptionKey} from '../pki/encryption-keyring.js';
import type {EncryptionSetting} from '../pki/encryption-setting.js';
import type {TargetPaths} from './paths.js';
import {fillTemplate, readTemplate, yamlString} from './templates.js';

/**
 * The apiserver's encryption-at-rest config (templates/encryption-config.yaml). Kind and
 * apiVersion are the current ones; the guide's `kind: EncryptionConfig, apiVersion: v1` is
 * only still registered by accident. The writer's key first (the first provider's first key
 * encrypts), then the readers' (a rotation: they decrypt only), each run of keys of one
 * provider under one provider entry, then identity. Holds the keys: mode 0600.
 */
export function renderEncryptionConfig(encryptionKey: string, setting: EncryptionSetting, readers: readonly EncryptionKey[] = []): string {
	const keys: EncryptionKey[] = [{provider: setting.provider, keyName: setting.keyName, secret: encryptionKey}, ...readers];
	const groups: EncryptionKey[][] = [];
	for (const key of keys) {
		const last = groups[groups.length - 1];
		if (last && last[0]!.provider === key.provider) last.push(key);
		else groups.push([key]);
	}
	// Key names plain, as before key names were chosen (a state directory of that release renders
	// byte for byte the file its nodes hold): parseEncryptionSetting and newKeyName allow only [a-z0-9-].
	const providers = groups
		.map((group) => `      - ${group[0]!.provider}:\n          keys:\n${group.map((k) => `            - name: ${k.keyName}\n              secret: ${yamlString(k.secret)}\n`).join('')}`)
		.join('');
	return fillTemplate(readTemplate('encryption-config.yaml'), {
		provider: setting.provider,
		keyName: setting.keyName,
		readersNote: readers.length === 0 ? '' : `\n# Also reads what was written with ${readers.map((r) => `${r.provider} ${r.keyName}`).join(', ')} (an encryption rotation in progress).`,
		providers,
	});
}

/** The guide's audit rules, as audit.k8s.io/v1 (templates/audit-policy.yaml). */
export function renderAuditPolicy(): string {
	return readTemplate('audit-policy.yaml');
}

/** KubeSchedulerConfiguration v1 (templates/kube-scheduler.yaml); strict decoding rejects unknown fields. */
export function renderSchedulerConfig(paths: TargetPaths): string {
	return fillTemplate(readTemplate('kube-scheduler.yaml'), {kubeconfig: yamlString(paths.schedulerKubeconfig)});
}
