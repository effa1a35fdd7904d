// The mark an `etcd restore` keeps in the state directory while the cluster is between its
// old data and the restored data: from the first service stopped until etcd serves again.
// A run killed in between (SIGKILL, a lost laptop) leaves masters on either data, with
// their members stopped; an `apply` then would start them, members of two clusters side by
// side. So apply refuses while the mark is there and names the command that finishes it
// (the restore run again: every phase is idempotent, restore-plan.ts).
import {existsSync, readFileSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import * as z from 'zod/mini';
import {writeFileAtomic} from '../../state/state-dir.js';

export const RESTORE_JOURNAL_FILE = 'etcd/restore.json';

const JournalSchema = z.object({version: z.literal(1), stamp: z.string(), snapshot: z.string(), startedAt: z.string()});
export type RestoreJournal = z.infer<typeof JournalSchema>;

export function writeRestoreJournal(stateDir: string, journal: Omit<RestoreJournal, 'version'>): void {
	writeFileAtomic(join(stateDir, RESTORE_JOURNAL_FILE), `${JSON.stringify({version: 1, ...journal}, null, 2)}\n`, 0o600, {durable: true, dirMode: 0o700});
}

export function clearRestoreJournal(stateDir: string): void {
	rmSync(join(stateDir, RESTORE_JOURNAL_FILE), {force: true});
}

/** The open restore, undefined when none; one whose mark cannot be read is still one. */
export function openRestore(stateDir: string): RestoreJournal | {unreadable: true} | undefined {
	const path = join(stateDir, RESTORE_JOURNAL_FILE);
	if (!existsSync(path)) return undefined;
	try {
		const parsed = JournalSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
		return parsed.success ? parsed.data : {unreadable: true};
	} catch {
		return {unreadable: true};
	}
}

/** Why apply must not run now, with the fix; undefined when no restore is open (pure over the mark). */
export function restoreRefusal(open: ReturnType<typeof openRestore>, again: (snapshot: string) => string): {problem: string; hint: string} | undefined {
	if (open === undefined) return undefined;
	if ('unreadable' in open) {
		return {problem: `an etcd restore was interrupted (its mark ${RESTORE_JOURNAL_FILE} in the state directory cannot be read): the masters may hold the old data or the restored data, their members stopped`, hint: 'run `k8s-master-setup etcd restore --snapshot FILE` again with the snapshot it used; nothing was changed'};
	}
	return {
		problem: `an etcd restore begun at ${open.startedAt} did not finish: the masters may hold the old data or the restored data, their members stopped, and apply would start them side by side`,
		hint: `finish it first: \`${again(open.snapshot)}\` (every step is safe to run again; the data from before is kept in <dataDir>.before-restore-${open.stamp}); nothing was changed`,
	};
}
