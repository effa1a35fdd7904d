// Which etcd releases a stacked etcd may run for each Kubernetes minor, as data with the
// reason beside each entry (the shape of render/flags.ts), and the judge that reads a binary's
// version against it: a problem with a hint naming etcd.binaries, or nothing.
import {SUPPORTED_VERSIONS, type KubernetesMinor} from '../profile/constants.js';
import {compareEtcdVersions, type EtcdVersion} from './etcd-version.js';

interface EtcdRange {
	/** etcd minor, e.g. "3.6". */
	minor: `3.${number}`;
	/** Lowest patch accepted (inclusive). */
	fromPatch: number;
	/** First Kubernetes minor it is accepted for (inclusive). */
	since?: KubernetesMinor;
	/** First Kubernetes minor it is no longer accepted for (exclusive). */
	until?: KubernetesMinor;
	why: string;
}

export const SUPPORTED_ETCD: readonly EtcdRange[] = [
	{
		minor: '3.5',
		fromPatch: 15,
		// kubeadm ships 3.5.15 with 1.31 and the 3.5 line up to 1.33; the Kubernetes docs name
		// 3.5.11 the minimum, and 3.5.15 is the oldest any supported release was tested with.
		// Still accepted after 1.33: the apiserver's etcd client speaks the 3.5 API, and an
		// existing 3.5 cluster must be able to stay on it until it is upgraded.
		why: 'kubeadm tests 3.5.15+ with 1.31-1.33; later minors still talk to 3.5',
	},
	{
		minor: '3.6',
		fromPatch: 0,
		// kubernetes/kubernetes bumps etcd 3.6.x for 1.34 and later (etcd's "Bump etcd Version in
		// Kubernetes"); 3.6 servers serve the 3.5 client API the older apiservers use.
		why: 'kubeadm ships 3.6.x from 1.34; the older apiservers use the same v3 API',
	},
	{
		minor: '3.7',
		fromPatch: 0,
		since: '1.34',
		// kubeadm 1.37 ships etcd 3.7.0 and lists it for 1.34-1.36 too (SupportedEtcdVersion in
		// cmd/kubeadm/app/constants); 1.37's apiserver is built on the 3.7 client. Not before
		// 1.34: no release before it was tested against a 3.7 server.
		why: 'kubeadm 1.37 ships 3.7.0 and lists it for 1.34-1.36',
	},
];

export interface EtcdVersionProblem {
	problem: string;
	hint: string;
}

const minorIndex = (v: KubernetesMinor) => SUPPORTED_VERSIONS.indexOf(v);

/** The ranges accepted for `kubernetes`, in table order. */
export function supportedEtcdFor(kubernetes: KubernetesMinor): EtcdRange[] {
	const at = minorIndex(kubernetes);
	return SUPPORTED_ETCD.filter((r) => (r.since === undefined || at >= minorIndex(r.since)) && (r.until === undefined || at < minorIndex(r.until)));
}

/** "3.5.15+ or 3.6.x" for messages. */
export function describeSupportedEtcd(kubernetes: KubernetesMinor): string {
	return supportedEtcdFor(kubernetes)
		.map((r) => (r.fromPatch === 0 ? `${r.minor}.x` : `${r.minor}.${r.fromPatch}+`))
		.join(' or ');
}

/** Why `version` (of the etcd in etcd.binaries) cannot run the cluster's etcd for `kubernetes`, or undefined. */
export function judgeEtcdVersion(version: EtcdVersion | undefined, kubernetes: KubernetesMinor, source: string): EtcdVersionProblem | undefined {
	const wanted = describeSupportedEtcd(kubernetes);
	const newest = supportedEtcdFor(kubernetes).at(-1)!.minor;
	const fix = `point etcd.binaries at an etcd-v${newest}.x-linux-amd64.tar.gz (github.com/etcd-io/etcd/releases) or a directory holding that etcd`;
	if (version === undefined) {
		return {problem: `etcd.binaries: "${source}/etcd --version" did not print an etcd version`, hint: `${fix}; check that it holds Linux binaries for the masters' architecture`};
	}
	if (version.osArch !== undefined && version.osArch !== 'linux/amd64' && version.osArch !== 'linux/arm64') {
		return {problem: `etcd.binaries: etcd ${version.text} in ${source} is built for ${version.osArch}`, hint: `${fix} (built for linux)`};
	}
	if (/-/.test(version.text)) {
		return {problem: `etcd.binaries: etcd ${version.text} in ${source} is a pre-release`, hint: `${fix}: a released ${wanted}`};
	}
	const range = supportedEtcdFor(kubernetes).find((r) => `${version.major}.${version.minor}` === r.minor);
	if (range !== undefined && version.patch >= range.fromPatch) return undefined;
	const older = compareEtcdVersions(version, {major: 3, minor: 5, patch: 0}) < 0;
	const reason = older
		? `etcd ${version.major}.${version.minor} is past its end of life, and a cluster started on it would have to be upgraded one minor at a time before any supported one`
		: range !== undefined
			? `Kubernetes ${kubernetes} needs ${wanted}; ${range.minor}.${version.patch} lacks fixes the tested releases have`
			: `this tool knows etcd ${wanted} for Kubernetes ${kubernetes}, not ${version.major}.${version.minor}`;
	return {problem: `etcd.binaries: etcd ${version.text} in ${source} is not supported with Kubernetes ${kubernetes} (${wanted}): ${reason}`, hint: fix};
}
