import {stringify} from 'yaml';
import type {TargetPaths} from './paths.js';
import {readTemplate} from './templates.js';

/**
 * The apiserver's encryption-at-rest config: Secrets are written with aescbc key1 and
 * still readable when stored in plain (identity) before encryption was turned on.
 * Kind/apiVersion are the current ones; the guide's `kind: EncryptionConfig, apiVersion: v1`
 * is only still registered by accident. Holds the key: mode 0600.
 */
export function renderEncryptionConfig(encryptionKey: string): string {
	return stringify({
		apiVersion: 'apiserver.config.k8s.io/v1',
		kind: 'EncryptionConfiguration',
		resources: [{resources: ['secrets'], providers: [{aescbc: {keys: [{name: 'key1', secret: encryptionKey}]}}, {identity: {}}]}],
	});
}

/** The guide's audit rules, as audit.k8s.io/v1 (templates/audit-policy.yaml). */
export function renderAuditPolicy(): string {
	return readTemplate('audit-policy.yaml');
}

/**
 * KubeSchedulerConfiguration v1 (the only version since 1.29). The guide's v1alpha1 fields
 * are gone: healthzBindAddress/metricsBindAddress must be empty (1.23+); bindTimeoutSeconds
 * (600) and hardPodAffinitySymmetricWeight (1) became plugin args whose defaults are exactly
 * the guide's values, so they are left to the defaults. Strict decoding rejects unknown fields.
 */
export function renderSchedulerConfig(paths: TargetPaths): string {
	return stringify({
		apiVersion: 'kubescheduler.config.k8s.io/v1',
		kind: 'KubeSchedulerConfiguration',
		clientConnection: {kubeconfig: paths.schedulerKubeconfig, qps: 100, burst: 200},
		enableContentionProfiling: false,
		enableProfiling: true,
		// Through the Lease kube-system/kube-scheduler.
		leaderElection: {leaderElect: true},
	});
}
