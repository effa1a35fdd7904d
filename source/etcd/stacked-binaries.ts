// The I/O edge for a stacked etcd's binaries in a plan: located from etcd.binaries
// (etcd-binaries.ts), their release read from `etcd --version` and judged against the
// Kubernetes minor (supported-etcd.ts: refused before anything is written), each file
// hashed for the plan. etcd's three binaries are ~60 MB: hashing them takes ~0.1 s, so no
// index is kept for them (the Kubernetes binaries' 400 MB have one, plan/binaries.ts).
import {statSync} from 'node:fs';
import {UserError} from '../errors.js';
import {defaultCacheDir, type StateDir} from '../state/state-dir.js';
import type {KubernetesMinor} from '../profile/schema.js';
import {extractionDirs, sha256File, type BinaryFile} from '../plan/binaries.js';
import {locateEtcdBinaries, readEtcdVersion, type EtcdBinaryName} from './etcd-binaries.js';
import type {EtcdMinor} from './etcd-flags.js';
import {judgeEtcdVersion} from './supported-etcd.js';

export interface StackedEtcdBinaries {
	/** e.g. 3.6.16 */
	version: string;
	minor: EtcdMinor;
	files: Partial<Record<EtcdBinaryName, BinaryFile>> & {etcd: BinaryFile};
}

export async function stackedEtcdBinaries(source: string, kubernetes: KubernetesMinor, state: StateDir, sharedCacheDir: string | undefined = defaultCacheDir()): Promise<StackedEtcdBinaries> {
	const located = locateEtcdBinaries(source, extractionDirs(state, sharedCacheDir));
	const version = await readEtcdVersion(located.files.etcd);
	const problem = judgeEtcdVersion(version, kubernetes, source);
	if (problem || version === undefined) throw new UserError(problem?.problem ?? `etcd.binaries: ${source}: etcd --version printed no version`, problem?.hint ?? 'give an official etcd release');
	const files = {} as StackedEtcdBinaries['files'];
	for (const [name, path] of Object.entries(located.files) as Array<[EtcdBinaryName, string]>) {
		files[name] = {localPath: path, sha256: await sha256File(path), size: statSync(path).size};
	}
	return {version: `${version.major}.${version.minor}.${version.patch}`, minor: `${version.major}.${version.minor}` as EtcdMinor, files};
}
