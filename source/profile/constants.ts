/**
 * Plain constants of the profile, free of zod: `--help` and option parsing (commands/*.ts)
 * import these without paying for the schema. schema.ts re-exports them.
 */

/** Minors this tool renders flags for; see ../../shared/reference/k8s-versions.md. */
export const SUPPORTED_VERSIONS = ['1.31', '1.32', '1.33', '1.34', '1.35', '1.36', '1.37'] as const;
export type KubernetesMinor = (typeof SUPPORTED_VERSIONS)[number];

export const STEP_NAMES = [
	'connect',
	'preflight',
	'binaries',
	'certificates',
	'configs',
	// A stacked etcd's member (etcd.mode: stacked); no step of a run against an external etcd.
	'etcd',
	'apiserver',
	'controller-manager',
	'scheduler',
	'verify',
] as const;
export type StepName = (typeof STEP_NAMES)[number];

/** The encryption-at-rest providers the tool writes (KMS v2 needs a plugin the tool does not run). */
export const ENCRYPTION_PROVIDERS = ['secretbox', 'aescbc', 'aesgcm'] as const;
export type EncryptionProvider = (typeof ENCRYPTION_PROVIDERS)[number];
/** New profiles: the Kubernetes docs' strong local-key choice (aescbc is "not recommended"). */
export const DEFAULT_ENCRYPTION_PROVIDER: EncryptionProvider = 'secretbox';

/** The key lengths (bytes) a provider accepts: secretbox (XSalsa20-Poly1305) 32 only, AES 16, 24 or 32. */
export function keyLengthsOf(provider: EncryptionProvider): readonly number[] {
	return provider === 'secretbox' ? [32] : [16, 24, 32];
}
