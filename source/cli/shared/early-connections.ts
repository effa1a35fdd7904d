import type {Profile} from '../../profile/schema.js';
import type {Transport} from '../../remote/transport.js';
import {connectNode, type NodeAccessOptions} from './connect.js';

/**
 * SSH connections opened while the plan is still being prepared (certificates, hashes of
 * the binaries): TCP, key exchange and authentication take a few hundred milliseconds per
 * node that nothing else needs to wait for. The runner's connect step takes each one over;
 * a node asked for again (a reconnect, a retry) gets a new connection.
 */
export interface EarlyConnections {
	/** The early connection of a node, once; undefined after that. */
	take(node: string): Promise<Transport> | undefined;
	/** Close the ones nobody took (the run ended before, or never started). */
	closeUntaken(): Promise<void>;
}

/** `stop` (the command's first signal) gives up every connection still being made, taken or not. */
export function openEarly(profile: Profile, access: NodeAccessOptions, stop?: AbortSignal): EarlyConnections {
	const pending = new Map(
		profile.nodes.map((node) => {
			const giveUp = new AbortController();
			if (stop?.aborted) giveUp.abort();
			stop?.addEventListener('abort', () => giveUp.abort(), {once: true});
			const connection = connectNode(profile, node, access, giveUp.signal);
			// A failure is the connect step's to report, when the runner takes it.
			connection.catch(() => undefined);
			return [node.name, {connection, giveUp}] as const;
		}),
	);
	return {
		take(node) {
			const early = pending.get(node);
			pending.delete(node);
			return early?.connection;
		},
		async closeUntaken() {
			const left = [...pending.values()];
			pending.clear();
			// Those still connecting stop now (an unanswered SYN would otherwise hold the exit
			// for the connect timeout); the connected ones are closed.
			for (const {giveUp} of left) giveUp.abort();
			await Promise.all(left.map(({connection}) => connection.then((t) => t.close()).catch(() => undefined)));
		},
	};
}
