import {createTwoFilesPatch} from 'diff';
import type {PlannedFile, ServiceName} from '../plan/types.js';
import type {PlannedChange} from './events.js';

/**
 * What a dry run reports for one file: a unified diff for text, hashes for binaries and
 * secrets (a key or the encryption config is never shown, not even as a diff).
 */
export function describeFileChange(file: PlannedFile, remoteSha: string | undefined, remoteContent: Buffer | undefined): PlannedChange {
	const mode = `0${file.mode.toString(8)}`;
	const base = {kind: remoteSha === undefined ? ('create' as const) : ('update' as const), path: file.path, mode, sha256After: file.sha256};
	const withBefore = remoteSha === undefined ? base : {...base, sha256Before: remoteSha};
	if (file.secret || !file.content || !isText(file.content) || (remoteContent && !isText(remoteContent))) return withBefore;
	const diff = createTwoFilesPatch(file.path, file.path, remoteContent?.toString('utf8') ?? '', file.content.toString('utf8'), 'on node', 'planned', {
		context: 2,
	});
	return {...withBefore, diff};
}

export function describeRestart(service: ServiceName, reason: string): PlannedChange {
	return {kind: 'restart', service, reason};
}

function isText(buffer: Buffer): boolean {
	return !buffer.subarray(0, 8000).includes(0);
}
