// The directories an `etcd restore` makes beside a member's data dir (restore-plan.ts):
// the restored data being built, the old data kept, a restored data that failed and was
// put aside. Named here alone, so reset (which removes them with the member) needs nothing
// else of the restore.
export const restoreDir = (dataDir: string) => `${trimmed(dataDir)}.restore`;
export const keptDir = (dataDir: string, stamp: string) => `${trimmed(dataDir)}.before-restore-${stamp}`;
export const failedDir = (dataDir: string, stamp: string) => `${trimmed(dataDir)}.failed-restore-${stamp}`;

export function trimmed(dir: string): string {
	return dir.replace(/\/+$/, '');
}
