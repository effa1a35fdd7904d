// The version of an etcd binary, from its own `etcd --version` (or `etcdctl version`,
// `etcdutl version`): "etcd Version: 3.6.5\nGit SHA: ...\nGo Version: go1.24.9\nGo OS/Arch: linux/amd64".
// Pure; running the binary is the caller's (plan/binaries.ts runs kube-apiserver the same way).

export interface EtcdVersion {
	major: number;
	minor: number;
	patch: number;
	/** As printed, e.g. 3.6.5 or 3.6.0-rc.1. */
	text: string;
	/** "linux/amd64" when printed. */
	osArch?: string;
}

export function parseEtcdVersion(output: string): EtcdVersion | undefined {
	// `etcd --version` prints "etcd Version:", etcdctl "etcdctl version:", etcdutl "etcdutl version:".
	const m = /^\s*etcd(?:ctl|utl)? version:\s*v?(\d+)\.(\d+)\.(\d+)(\S*)\s*$/im.exec(output);
	if (!m) return undefined;
	const osArch = /^\s*Go OS\/Arch:\s*(\S+)\s*$/im.exec(output)?.[1];
	return {major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), text: `${m[1]}.${m[2]}.${m[3]}${m[4]}`, ...(osArch !== undefined ? {osArch} : {})};
}

/** Negative when a is older than b. */
export function compareEtcdVersions(a: Pick<EtcdVersion, 'major' | 'minor' | 'patch'>, b: Pick<EtcdVersion, 'major' | 'minor' | 'patch'>): number {
	return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}
