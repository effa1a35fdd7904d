// The wizard's checks that need this machine: whether a local path it was given exists
// (on the path's own screen), and the loader's whole-profile check (schema, then the CA,
// etcd and binaries files read) when the summary is confirmed. Both answer with messages,
// never throw, so the wizard can send the user back to the field.
import {statSync} from 'node:fs';
import {homedir} from 'node:os';
import {isAbsolute, resolve} from 'node:path';
import type {ProfileInput} from '../../profile/schema.js';
import type {LocalPathKey} from '../../ui/wizard/validate.js';

/** How a path the user typed is read: "~/" is the home directory, a relative path is from here. */
export function localPath(path: string, home = homedir(), cwd = process.cwd()): string {
	if (path === '~' || path.startsWith('~/')) return resolve(home, path.slice(2));
	return isAbsolute(path) ? path : resolve(cwd, path);
}

/** Why a local path cannot be used, or undefined (the binaries, Kubernetes' and etcd's, may be a directory or a tarball; the rest are files). */
export function localPathProblem(key: LocalPathKey, path: string, home = homedir(), cwd = process.cwd()): string | undefined {
	const full = localPath(path, home, cwd);
	let stat;
	try {
		stat = statSync(full);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT' || code === 'ENOTDIR') return `does not exist on this machine${full !== path ? ` (${full})` : ''}`;
		if (code === 'EACCES') return 'cannot be read (permission denied)';
		return `cannot be read (${code ?? String(error)})`;
	}
	if (key !== 'binaries' && key !== 'etcd.binaries' && stat.isDirectory()) return 'is a directory; give the file';
	return undefined;
}

/** The loader's problems with the confirmed answers (empty when the profile would load). */
export async function verifyAnswers(answers: ProfileInput): Promise<ReadonlyArray<{field: string; message: string}>> {
	const [{validateProfile, checkProfileFiles}, {ProfileError}] = await Promise.all([import('../../profile/load.js'), import('../../errors.js')]);
	try {
		checkProfileFiles(validateProfile(answers, 'the answers'), 'the answers');
		return [];
	} catch (error) {
		if (error instanceof ProfileError) return error.problems;
		throw error;
	}
}
