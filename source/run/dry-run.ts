import {createTwoFilesPatch} from 'diff';
import {SERVICE_STEP, type PlannedFile, type ServiceName} from '../plan/types.js';
import type {NodeChanges, RemoteState} from './changes.js';
import type {EventSink, PlannedChange} from './events.js';
import type {NodeSession} from './node-session.js';

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

/** A dry run's report for one node: each planned file change (with its diff) and each restart. */
export async function reportDryRun(emit: EventSink, node: string, session: NodeSession, changes: NodeChanges, remote: RemoteState): Promise<void> {
	for (const [step, files] of changes.files) {
		for (const file of files) {
			const before = remote.hashes.get(file.path);
			const content = before !== undefined && !file.secret && file.content ? await session.readFile(file.path) : undefined;
			emit({type: 'plan-change', at: Date.now(), node, step, change: describeFileChange(file, before, content)});
		}
	}
	for (const [service, reason] of changes.restarts) {
		emit({type: 'plan-change', at: Date.now(), node, step: SERVICE_STEP[service], change: describeRestart(service, reason)});
	}
}
