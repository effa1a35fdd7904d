// One run at a time per cluster: the runner's connect, wrapped so that every connection it
// opens (the first, a reconnect, a retry of a node) takes the node's lock before the runner
// gets it (remote/node-lock.ts). A node held by another run fails its connect step with a
// message naming the holder; the runner's gate then stops before any change on any node, and
// the command exits 2 (refusedNodes). The lock ends with the connection the runner closes.
// A holder whose run is gone from this machine (its PID no longer here, or this run's own
// lock on a connection it lost) is ended and the lock taken: the node keeps a connection that
// died without a word (a network fault) until its TCP keepalive notices, hours by default.
import {hostname} from 'node:os';
import {UserError} from '../../errors.js';
import type {ProfileNode} from '../../profile/schema.js';
import {describeHolder, endHolderCommand, endHolders, NodeLockError, takeNodeLock, type LockHolder, type LockMode, type SeenHolder} from '../../remote/node-lock.js';
import type {Transport} from '../../remote/transport.js';

export interface LockingConnect {
	connect(node: ProfileNode): Promise<Transport>;
	/** The nodes where another run held the lock. */
	refusedNodes(): string[];
}

export function lockingConnect(connect: (node: ProfileNode) => Promise<Transport>, mode: LockMode, command: string): LockingConnect {
	const holder: LockHolder = {host: hostname(), pid: process.pid, since: new Date().toISOString(), command};
	const refused = new Set<string>();
	return {
		refusedNodes: () => [...refused],
		async connect(node) {
			const transport = await connect(node);
			try {
				let outcome = await takeNodeLock(transport, mode, holder);
				if ('busy' in outcome && outcome.busy.length > 0 && outcome.busy.every((h) => isGone(h, holder))) {
					await endHolders(transport, outcome.busy);
					outcome = await takeNodeLock(transport, mode, holder);
				}
				if ('held' in outcome) {
					refused.delete(node.name);
					return transport;
				}
				refused.add(node.name);
				const who = outcome.busy.length > 0 ? outcome.busy.map(describeHolder).join(' and ') : 'another run (its process is not visible on the node)';
				throw new UserError(
					`${node.name} is in use by ${who}: ${mode === 'shared' ? 'a dry run does not read a cluster while an apply changes it' : 'one apply at a time per cluster, and none beside a dry run'}`,
					`wait for that run to finish, then run again; its lock ends with its SSH connection${outcome.busy.length > 0 ? ` (should its machine have gone away without closing it, end it on ${node.name} with \`${endHolderCommand(outcome.busy)}\`)` : ''}`,
				);
			} catch (error) {
				await transport.close().catch(() => undefined);
				if (error instanceof NodeLockError) throw new UserError(error.message, error.hint);
				throw error;
			}
		},
	};
}

/** A holder from this machine whose run is gone: its PID is not alive here, or it is this run's own. */
function isGone(seen: SeenHolder, me: LockHolder): boolean {
	if (seen.host !== me.host) return false;
	if (seen.pid === me.pid) return seen.since === me.since;
	try {
		process.kill(seen.pid, 0);
		return false;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'ESRCH';
	}
}
