// One run at a time per state directory. Two applies on one new state dir used to create
// two different CAs (4 in 10 tries): each saw no CA and made one. The lock is a file beside
// the directory, `<state dir>.lock` (inside it, taking the lock would create the directory
// before the profile is known to be good), made with O_EXCL and holding the holder's PID,
// host and command. A lock whose PID is gone on this host (a killed run) is stale and taken
// over; the lock is removed when the process exits, however it exits (process.exit too).
import {randomBytes} from 'node:crypto';
import {closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync} from 'node:fs';
import {hostname} from 'node:os';
import {dirname} from 'node:path';
import {UserError} from '../../errors.js';
import {makeDirectory} from '../../make-directory.js';

interface Holder {
	pid: number;
	host: string;
	command: string;
	since: string;
	nonce: string;
}

export interface StateLock {
	readonly path: string;
	/** Said when a killed run's lock was taken over. */
	readonly tookOver?: Holder;
	release(): void;
}

export function lockPathFor(stateDir: string): string {
	return `${stateDir.replace(/\/+$/, '')}.lock`;
}

export function lockStateDir(stateDir: string, command: string): StateLock {
	const path = lockPathFor(stateDir);
	makeDirectory(dirname(path), 0o700, 'state directory');
	const me: Holder = {pid: process.pid, host: hostname(), command, since: new Date().toISOString(), nonce: randomBytes(8).toString('hex')};
	let tookOver: Holder | undefined;
	let unreadable = false;
	for (let attempt = 0; attempt < 5; attempt++) {
		if (create(path, me)) {
			const release = () => {
				process.off('exit', release);
				if (readHolder(path)?.nonce === me.nonce) unlinkSync(path);
			};
			process.on('exit', release);
			return {path, ...(tookOver ? {tookOver} : {}), release};
		}
		const holder = readHolder(path);
		unreadable = holder === undefined;
		if (holder === undefined) {
			sleepMs(20); // released meanwhile, or its holder is still writing it: look again
			continue;
		}
		if (!isStale(holder)) {
			throw new UserError(
				`the state directory ${stateDir} is in use by \`${holder.command}\` (PID ${holder.pid} on ${holder.host}, since ${holder.since})`,
				`wait for that run to finish; if it is gone (another host, or a PID reused), remove ${path}`,
			);
		}
		if (claimStale(path, holder)) tookOver = holder;
	}
	if (unreadable) throw new UserError(`the lock ${path} exists but names no run`, `if no k8s-master-setup run is going on, remove ${path}`);
	throw new UserError(`could not take the lock ${path}: other runs keep taking it`, 'run again, one at a time');
}

/** The lock is taken once, before any work: a short synchronous pause costs nothing. */
function sleepMs(ms: number): void {
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** What apply and render say when they took over a killed run's lock. */
export function describeTakeover(lock: StateLock): string | undefined {
	const t = lock.tookOver;
	return t ? `took over the lock of a run that is gone (\`${t.command}\`, PID ${t.pid} on ${t.host}, since ${t.since})` : undefined;
}

function create(path: string, me: Holder): boolean {
	let fd: number;
	try {
		fd = openSync(path, 'wx', 0o600);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
		throw new UserError(`cannot create the lock ${path}: ${(error as Error).message}`, 'check that the state directory is writable');
	}
	try {
		writeSync(fd, `${JSON.stringify(me)}\n`);
	} finally {
		closeSync(fd);
	}
	return true;
}

function readHolder(path: string): Holder | undefined {
	try {
		const holder = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
		if (typeof holder.pid !== 'number' || typeof holder.host !== 'string' || typeof holder.nonce !== 'string') return undefined;
		return {pid: holder.pid, host: holder.host, command: String(holder.command ?? 'k8s-master-setup'), since: String(holder.since ?? '?'), nonce: holder.nonce};
	} catch {
		return undefined;
	}
}

/** Only a PID on this host can be checked; a lock from another host counts as held. */
function isStale(holder: Holder): boolean {
	if (holder.host !== hostname()) return false;
	try {
		process.kill(holder.pid, 0);
		return false;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'ESRCH';
	}
}

/**
 * Move the stale lock aside (rename is atomic: of two runs taking over, one moves it). When
 * what was moved is not the stale lock (another run had already replaced it), it goes back.
 */
function claimStale(path: string, stale: Holder): boolean {
	const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
	try {
		renameSync(path, aside);
	} catch {
		return false; // gone already
	}
	const moved = readHolder(aside);
	if (moved?.nonce === stale.nonce) {
		unlinkSync(aside);
		return true;
	}
	try {
		linkSync(aside, path); // back in place, unless a newer lock is there already
	} catch {
		// a newer lock holds the path: the moved one was replaced in the meantime
	}
	unlinkSync(aside);
	return false;
}
