import {readFileSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import type {JournalStore} from '../run/journal.js';
import {writeFileAtomic} from './state-dir.js';

/** The file in the state dir that holds a rolling change's journal while it runs. */
export const JOURNAL_FILE = 'rollout-journal.json';

/**
 * The journal of a rolling change (run/journal.ts) as a file in the state dir: each
 * write atomic and durable (temp file, fsync, rename), 0600, so a run killed at any
 * point leaves either the previous journal or the new one, never half of one.
 */
export function journalFile(stateDir: string): JournalStore {
	const path = join(stateDir, JOURNAL_FILE);
	return {
		read: () => {
			try {
				return readFileSync(path, 'utf8');
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
				throw error;
			}
		},
		write: (text) => writeFileAtomic(path, text, 0o600, {durable: true, dirMode: 0o700}),
		remove: () => rmSync(path, {force: true}),
	};
}
