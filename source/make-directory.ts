// `mkdir -p` for local output directories, failing fast. Node's own
// mkdirSync(path, {recursive: true}) never returns for a path under /proc (Node 20: mkdir
// of /proc/x says ENOENT, its parent exists, and it tries again for ever at 100% CPU, in
// synchronous code that no signal handler can interrupt). Here each missing directory is
// made once, top-down, and the first failure is a UserError naming the path and the OS error.
import {mkdirSync, statSync} from 'node:fs';
import {dirname, resolve} from 'node:path';
import {UserError} from './errors.js';

export function makeDirectory(path: string, mode = 0o755, what = 'directory'): void {
	const missing: string[] = [];
	for (let current = resolve(path); ; current = dirname(current)) {
		const kind = kindOf(current, what);
		if (kind === 'directory') break;
		if (kind === 'other') throw new UserError(`cannot create the ${what} ${path}: ${current} exists and is not a directory`, `choose another path than ${path}`);
		missing.push(current);
		if (dirname(current) === current) break;
	}
	for (const dir of missing.reverse()) {
		try {
			mkdirSync(dir, {mode});
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'EEXIST' && kindOf(dir, what) === 'directory') continue; // made meanwhile
			throw new UserError(`cannot create the ${what} ${path}: ${osError(error)}`, `choose a directory you can write, or create ${path} first`);
		}
	}
}

function kindOf(path: string, what: string): 'directory' | 'other' | 'missing' {
	try {
		return statSync(path).isDirectory() ? 'directory' : 'other';
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
		throw new UserError(`cannot create the ${what} ${path}: ${osError(error)}`, `choose a directory you can write`);
	}
}

/** "EACCES: permission denied, mkdir '/x'" as Node words it: the code, the reason and the path. */
function osError(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
