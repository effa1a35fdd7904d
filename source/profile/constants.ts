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
	'apiserver',
	'controller-manager',
	'scheduler',
	'verify',
] as const;
export type StepName = (typeof STEP_NAMES)[number];
