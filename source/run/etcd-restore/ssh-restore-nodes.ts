// RestoreNode over one SSH connection: the scripts of restore-plan.ts, every value in them
// quoted by construction (sh), and systemd's stop and start of the tool's units.
import type {EtcdMember} from '../../etcd/members.js';
import {sh, type ShellCommand} from '../../remote/shell.js';
import type {Transport} from '../../remote/transport.js';
import {nodeSession} from '../node-session.js';
import {StepError, tail} from '../step-error.js';
import type {RestoreNode} from './restore.js';
import {discardScript, NODE_SNAPSHOT_PATH, parseRestoreFacts, prepareScript, putBackScript, restoreFactsScript, swapScript, type RestoreValues} from './restore-plan.js';

export interface LocalSnapshot {
	path: string;
	sha256: string;
	size: number;
}

/** `onUpload`: the snapshot's bytes sent to this node so far (a large one takes a while). */
export function sshRestoreNode(transport: Transport, values: RestoreValues, member: EtcdMember, snapshot: LocalSnapshot, onUpload?: (sent: number) => void): RestoreNode {
	const run = async (script: ShellCommand, what: string, hint: string | undefined, timeoutMs: number) => {
		const r = await transport.exec(script, {timeoutMs});
		if (r.code !== 0) throw new StepError(`${what} failed (exit ${r.code})`, hint, tail(r.stderr || r.stdout));
		return r.stdout;
	};
	const session = nodeSession(transport);
	return {
		name: member.name,
		facts: async () => parseRestoreFacts(await run(restoreFactsScript(values), 'reading what the restore needs', undefined, 30_000)),
		async placeSnapshot() {
			await transport.upload({localPath: snapshot.path}, NODE_SNAPSHOT_PATH, {mode: 0o600, ...(onUpload ? {onProgress: (sent: number) => onUpload(sent)} : {})});
			const remote = (await transport.sha256([NODE_SNAPSHOT_PATH])).get(NODE_SNAPSHOT_PATH);
			if (remote !== snapshot.sha256) throw new StepError(`the snapshot placed at ${NODE_SNAPSHOT_PATH} has sha256 ${remote ?? 'none'}, not the file's ${snapshot.sha256}`, 'run again: it is uploaded anew');
		},
		prepare: () => run(prepareScript(values, member), 'etcdutl snapshot restore', 'etcdutl says why above; nothing was stopped', 30 * 60_000).then(() => undefined),
		stop: (units) => run(sh`systemctl stop ${units}`, `stopping ${units.join(', ')}`, 'look at the units with systemctl status on the node', 120_000).then(() => undefined),
		start: (units) => run(sh`systemctl start --no-block ${units}`, `starting ${units.join(', ')}`, 'look at the units with systemctl status on the node', 60_000).then(() => undefined),
		swap: () => run(swapScript(values), 'moving the restored data into place', undefined, 120_000).then(() => undefined),
		putBack: () => run(putBackScript(values), 'putting the old data back', undefined, 120_000).then(() => undefined),
		discard: () => run(discardScript(values), 'removing the restored data', undefined, 120_000).then(() => undefined),
		journalTail: (unit) => session.journalTail(unit, 15),
	};
}
