import type {ServiceName} from '../cluster/services.js';
import {sh, type ShellCommand} from '../remote/shell.js';
import type {Transport} from '../remote/transport.js';
import type {NodeConnections} from './probes.js';
import {withDeadline} from './probes.js';

/** The journal tail of one unit on one node, through the node's kept connection (I/O). */

export function journalCommand(unit: ServiceName, lines = 30): ShellCommand {
	return sh`journalctl -u ${unit} -n ${lines} --no-pager`;
}

export async function journalTail(transport: Transport, unit: ServiceName, options: {lines?: number; timeoutMs?: number} = {}): Promise<string> {
	const timeoutMs = options.timeoutMs ?? 5000;
	const outcome = await withDeadline(transport.exec(journalCommand(unit, options.lines), {sudo: true, timeoutMs}), timeoutMs);
	if (outcome.kind === 'timeout') throw new Error(`journalctl gave no answer within ${timeoutMs} ms`);
	if (outcome.kind === 'error') throw outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error));
	const {code, stdout, stderr} = outcome.value;
	if (code !== 0 && stdout.trim() === '') throw new Error(stderr.trim().split('\n')[0] || `journalctl exited with ${code}`);
	return stdout;
}

/** The dashboard's `journal(node, unit)` prop over a map of kept connections. */
export function journalFromConnections(connections: () => NodeConnections): (node: string, unit: ServiceName) => Promise<string> {
	return async (node, unit) => {
		const conn = connections().get(node);
		if (conn === undefined) throw new Error(`no connection to ${node}`);
		if (conn instanceof Error) throw new Error(`${node} is unreachable over SSH: ${conn.message}`);
		return journalTail(conn, unit);
	};
}
