import type {EncryptionSetting} from '../pki/encryption-setting.js';
import type {TargetPaths} from './paths.js';
import {fillTemplate, readTemplate, yamlString} from './templates.js';

/**
 * The apiserver's encryption-at-rest config (templates/encryption-config.yaml). Kind and
 * apiVersion are the current ones; the guide's `kind: EncryptionConfig, apiVersion: v1` is
 * only still registered by accident. Holds the key: mode 0600.
 */
export function renderEncryptionConfig(encryptionKey: string, setting: EncryptionSetting): string {
	return fillTemplate(readTemplate('encryption-config.yaml'), {
		provider: setting.provider,
		// Plain, as before key names were chosen (a state directory of that release renders byte for
		// byte the file its nodes hold): parseEncryptionSetting and newKeyName allow only [a-z0-9-].
		keyName: setting.keyName,
		key: yamlString(encryptionKey),
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
