// The lock on a node: one `apply` at a time per cluster, whichever machine or state directory
// it runs from (the state directory's own lock, cli/shared/state-lock.ts, serialises only the
// runs that share it). It is a flock(1) on the node's `/`, held by a command that runs for as
// long as this process keeps its SSH channel open: the command reads its stdin, and sshd
// closes that stdin when the channel or the connection ends, however it ends (this process
// SIGKILLed included), so the lock can never outlive its run and nothing is ever written on
// the node, which keeps a dry run read-only: `apply` holds it exclusive, `apply --dry-run`
// shared (several dry runs side by side, none beside an apply). `/` because it exists on
// every node and needs no root to open; nothing else locks it.
//
// Who holds it is read from the holders' own command lines (/proc/PID/cmdline): each one
// carries a marker and its run's host, PID, start and command as arguments, so the refused
// run can name them without any holder file, and a dry run's holder is named too.
import {sh, type ShellCommand} from './shell.js';
import type {Transport} from './transport.js';
import type {HeldCommand} from './ssh-exec.js';

export type LockMode = 'exclusive' | 'shared';

/** The run that holds (or wants) the lock. */
export interface LockHolder {
	host: string;
	pid: number;
	/** ISO time the run started. */
	since: string;
	/** `apply`, `apply --dry-run`. */
	command: string;
}

/** A holder seen on a node, with the node's PID of its lock process (to end a lock by hand). */
export interface SeenHolder extends LockHolder {
	mode: LockMode;
	nodePid: number;
}

export type NodeLockOutcome = {held: HeldCommand} | {busy: SeenHolder[]};

export const LOCK_PATH = '/';
const MARKER = 'k8s-master-setup-lock';
/** What the lock command prints once flock holds the lock. */
const HELD = 'held';
/** flock -n's exit code when the lock is taken (util-linux). */
const CONFLICT = 1;
/** Taking the lock is one short command; the node answered the SSH handshake just before. */
const LOCK_TIMEOUT_MS = 30_000;

export function lockCommand(mode: LockMode, holder: LockHolder): ShellCommand {
	// `exec cat`: the shell is replaced, so only flock's own command line carries the marker.
	return sh`exec flock -n ${mode === 'exclusive' ? '-x' : '-s'} ${LOCK_PATH} sh -c ${`echo ${HELD}; exec cat >/dev/null`} ${MARKER} ${mode} ${holder.host} ${holder.pid} ${holder.since} ${holder.command}`;
}

/**
 * Every process whose command line has the marker as one argument: PID, then its arguments
 * tab-separated. The pattern `…loc[k]` matches the marker but not grep's own arguments. Only
 * processes with this `/` as their root: a node's containers (the lab's nodes, seen from
 * their host) lock their own `/`, another file.
 */
export function holdersCommand(): ShellCommand {
	const pattern = `${MARKER.slice(0, -1)}[${MARKER.slice(-1)}]`;
	return sh`for d in /proc/[0-9]*; do grep -qzx ${pattern} "$d/cmdline" 2>/dev/null && [ "$d/root" -ef / ] || continue; printf '%s\\t' "\${d#/proc/}"; tr '\\0' '\\t' < "$d/cmdline"; echo; done`;
}

export function parseHolders(stdout: string): SeenHolder[] {
	const seen = new Map<string, SeenHolder>();
	for (const line of stdout.split('\n')) {
		const fields = line.split('\t');
		const at = fields.indexOf(MARKER);
		if (at < 1) continue;
		const [mode, host, pid, since, command] = fields.slice(at + 1);
		if ((mode !== 'exclusive' && mode !== 'shared') || !host || !/^\d+$/.test(pid ?? '') || !/^\d+$/.test(fields[0] ?? '')) continue;
		const holder: SeenHolder = {mode, host, pid: Number(pid), since: since ?? '?', command: command || 'k8s-master-setup', nodePid: Number(fields[0])};
		// Seen twice for the instant before its shell execs cat (flock and its child); either PID ends it.
		const key = `${host} ${pid} ${since}`;
		if (!seen.has(key)) seen.set(key, holder);
	}
	return [...seen.values()];
}

export class NodeLockError extends Error {
	constructor(
		readonly node: string,
		message: string,
		readonly hint: string,
	) {
		super(`${node}: ${message}`);
		this.name = 'NodeLockError';
	}
}

/** Takes the node's lock, or says who holds it. */
export async function takeNodeLock(transport: Transport, mode: LockMode, holder: LockHolder): Promise<NodeLockOutcome> {
	if (!transport.hold) throw new NodeLockError(transport.node, 'this connection cannot hold a lock', 'a bug: every SSH connection can');
	for (let attempt = 0; ; attempt++) {
		const outcome = await transport.hold(lockCommand(mode, holder), {timeoutMs: LOCK_TIMEOUT_MS});
		if ('held' in outcome) {
			if (outcome.held.firstLine.trim() === HELD) return outcome;
			outcome.held.release();
			throw new NodeLockError(transport.node, `the lock command printed ${JSON.stringify(outcome.held.firstLine.slice(0, 200))} instead of "${HELD}"`, 'check what the login shell prints on a non-interactive command');
		}
		const {code, stderr} = outcome.ended;
		if (code === CONFLICT) {
			const listed = await transport.exec(holdersCommand(), {sudo: false});
			const holders = parseHolders(listed.stdout);
			// No holder seen: it ended meanwhile (or /proc hides it, hidepid): once more.
			if (holders.length > 0 || attempt > 0) return {busy: holders};
			continue;
		}
		if (code === 127) throw new NodeLockError(transport.node, 'flock is not installed', 'install util-linux on the node (it ships flock)');
		throw new NodeLockError(transport.node, `could not take the lock on ${LOCK_PATH} (exit ${code}): ${stderr.trim().slice(-300)}`, 'check that flock(1) from util-linux works on the node');
	}
}

/**
 * Ends holders on the node by their PIDs there: flock, and the command it runs (which holds
 * the lock too: it inherits flock's descriptor). Only for holders known to be gone (their
 * run's process no longer exists), whose SSH connection the node has not yet seen die.
 */
export async function endHolders(transport: Transport, holders: readonly SeenHolder[]): Promise<void> {
	const pids = holders.map((h) => h.nodePid);
	await transport.exec(sh`for p in ${pids}; do for c in $(cat /proc/$p/task/*/children 2>/dev/null); do kill "$c"; done; kill "$p"; done 2>/dev/null; true`, {sudo: false});
}

/** What a user runs on the node to end a holder whose run is gone. */
export function endHolderCommand(holders: readonly SeenHolder[]): string {
	return holders.map((h) => `pkill -P ${h.nodePid}; kill ${h.nodePid}`).join('; ');
}

/** "`apply` (PID 12 on host ws1, since …)", for messages. */
export function describeHolder(holder: SeenHolder): string {
	return `\`${holder.command}\` (PID ${holder.pid} on ${holder.host}, since ${holder.since})`;
}
