import type {HttpsGetResult} from './https-get.js';

/**
 * Pure handling of `coordination.k8s.io/v1` Leases: the holder identity
 * (`<hostname>_<uuid>`) mapped to a profile node, and expiry (a Lease whose
 * renewTime + leaseDurationSeconds lies in the past has no live holder).
 */

/** One Lease as the status JSON shows it (status/json-schema.ts describes every field). */
export interface LeaseStatus {
	name: string;
	state: 'held' | 'expired' | 'absent' | 'unknown';
	holderIdentity: string | null;
	holderNode: string | null;
	renewTime: string | null;
	leaseDurationSeconds: number | null;
	transitions: number | null;
	expired: boolean;
	readFrom: string | null;
	detail: string | null;
}

/** The path of a kube-system Lease on the apiserver. */
export function leasePath(name: string): string {
	return `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${name}`;
}

export interface LeaseNode {
	name: string;
	/** `hostname` as read over SSH, when known. */
	hostname?: string | null;
}

/** The hostname part of a holder identity: everything before the first `_`. */
export function holderHostname(identity: string): string {
	const at = identity.indexOf('_');
	return at === -1 ? identity : identity.slice(0, at);
}

/**
 * The profile node a holder identity runs on: first by the hostname each node reported,
 * then by node name, then by the first DNS label (`lab-m1.example.com` → `lab-m1`).
 */
export function mapHolderToNode(identity: string, nodes: readonly LeaseNode[]): string | null {
	const host = holderHostname(identity).toLowerCase();
	if (host === '') return null;
	const short = host.split('.')[0]!;
	const byHostname = nodes.find((n) => n.hostname != null && n.hostname.toLowerCase() === host);
	if (byHostname) return byHostname.name;
	const byShortHostname = nodes.find((n) => n.hostname != null && n.hostname.toLowerCase().split('.')[0] === short);
	if (byShortHostname) return byShortHostname.name;
	const byName = nodes.find((n) => n.name === host || n.name === short);
	return byName ? byName.name : null;
}

interface LeaseJson {
	spec?: {
		holderIdentity?: string | null;
		leaseDurationSeconds?: number | null;
		renewTime?: string | null;
		acquireTime?: string | null;
		leaseTransitions?: number | null;
	};
}

/** A LeaseStatus from the apiserver's JSON (a `GET .../leases/NAME` body). */
export function leaseStatusFromJson(
	name: string,
	json: unknown,
	nodes: readonly LeaseNode[],
	now: number,
	readFrom: string | null,
): LeaseStatus {
	const spec = (json !== null && typeof json === 'object' ? (json as LeaseJson).spec : undefined) ?? {};
	const holderIdentity = typeof spec.holderIdentity === 'string' && spec.holderIdentity !== '' ? spec.holderIdentity : null;
	const renewMs = typeof spec.renewTime === 'string' ? Date.parse(spec.renewTime) : Number.NaN;
	const renewTime = Number.isFinite(renewMs) ? new Date(renewMs).toISOString() : null;
	const duration = typeof spec.leaseDurationSeconds === 'number' ? Math.trunc(spec.leaseDurationSeconds) : null;
	const transitions = typeof spec.leaseTransitions === 'number' ? Math.trunc(spec.leaseTransitions) : null;
	// No renew time or duration: nobody can be shown to hold it now.
	const expired = holderIdentity !== null && (renewTime === null || duration === null || renewMs + duration * 1000 < now);
	return {
		name,
		state: holderIdentity === null ? 'absent' : expired ? 'expired' : 'held',
		holderIdentity,
		holderNode: holderIdentity === null ? null : mapHolderToNode(holderIdentity, nodes),
		renewTime,
		leaseDurationSeconds: duration,
		transitions,
		expired,
		readFrom,
		detail: null,
	};
}

/** The Lease does not exist (HTTP 404): nobody has ever led, or it was deleted. */
export function absentLease(name: string, readFrom: string | null, detail: string | null = null): LeaseStatus {
	return {name, state: 'absent', holderIdentity: null, holderNode: null, renewTime: null, leaseDurationSeconds: null, transitions: null, expired: false, readFrom, detail};
}

/** The Lease could not be read (no ready apiserver, timeout, 403, ...). */
export function unknownLease(name: string, detail: string, readFrom: string | null = null): LeaseStatus {
	return {...absentLease(name, readFrom, detail), state: 'unknown'};
}

/**
 * The Lease from the answer to `GET leasePath(name)` that `readFrom`'s apiserver gave
 * (undefined: no apiserver was ready to ask). Never throws.
 */
export function leaseFromResponse(
	name: string,
	read: {result: HttpsGetResult; node: string} | undefined,
	nodes: readonly LeaseNode[],
	now: number,
): LeaseStatus {
	if (read === undefined) return unknownLease(name, 'no kube-apiserver is ready to read it from');
	const {result, node} = read;
	if (result.httpStatus === 404) return absentLease(name, node, 'the Lease does not exist');
	if (result.state !== 'ok') return unknownLease(name, result.detail ?? result.state, node);
	try {
		return leaseStatusFromJson(name, JSON.parse(result.body), nodes, now, node);
	} catch {
		return unknownLease(name, 'the apiserver answered with something that is not JSON', node);
	}
}

/**
 * The Lease to write back so that a holder known to be gone hands it over at once: the
 * holder cleared, as client-go's own release (ReleaseOnCancel) writes it. The scheduler
 * does that itself on shutdown; the controller-manager does not (only behind the alpha
 * gate ControllerManagerReleaseLeaderElectionLockOnExit, off by default, since 1.36), so
 * its Lease would stay with the stopped instance until it expires (15 s). Candidates take
 * a cleared Lease on their next retry (2 s). Undefined when someone else holds it now (or
 * nobody, as after the scheduler's own release): that Lease is left alone. The object
 * keeps its metadata, so the apiserver refuses the write (409) if it changed after it was
 * read.
 */
export function handedOverLease(json: unknown, goneHolder: string, now: Date): object | undefined {
	if (json === null || typeof json !== 'object') return undefined;
	const lease = json as {spec?: Record<string, unknown>};
	if (lease.spec?.holderIdentity !== goneHolder) return undefined;
	const at = now.toISOString().replace(/Z$/, '000Z'); // MicroTime: six digits of fraction
	const spec = {...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: at, renewTime: at};
	return {...lease, spec};
}
