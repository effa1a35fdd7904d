// A suite that cannot run here (not root, no sshd, no tmux, no zstd, no lab): in CI that
// is a failure with the reason, since a skipped suite would leave the run green having
// tested nothing; on a developer's machine the suite is skipped and says why.

/**
 * CI as the CI system sets it (CI=true). The ui project sets CI=false for ink (see
 * vitest.config.ts) and passes the outer value on as K8S_TEST_CI.
 */
export function inCi(): boolean {
	const value = process.env.K8S_TEST_CI ?? process.env.CI ?? '';
	return !['', '0', 'false'].includes(value.toLowerCase());
}

/**
 * For `describe.skipIf` / `it.skipIf`: false when `reason` is undefined (the suite can run).
 * Otherwise, in CI it throws, so the test file fails naming `suite` and the reason; outside
 * CI it prints the reason and returns true (skip).
 */
export function cannotRun(suite: string, reason: string | undefined): boolean {
	if (reason === undefined) return false;
	if (inCi()) throw new Error(`${suite} cannot run in CI: ${reason}`);
	console.warn(`${suite} skipped: ${reason}`);
	return true;
}
