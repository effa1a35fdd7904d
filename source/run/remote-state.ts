import type {NodePlan, ServiceName} from '../plan/types.js';
import {SERVICES} from '../plan/types.js';
import {sh, shJoin} from '../remote/shell.js';
import type {Transport} from '../remote/transport.js';
import type {RemoteState} from './changes.js';
import {remoteHashes} from './remote-hashes.js';

/** Where each service's applied input digest is kept on the node. */
export const APPLIED_DIR = '/var/lib/k8s-master-setup/applied';

export function appliedMarkerPath(service: ServiceName | 'etcd'): string {
	return `${APPLIED_DIR}/${service}`;
}

/** Reads everything the change computation needs in two or three remote commands, side by side. */
export async function readRemoteState(transport: Transport, plan: NodePlan): Promise<RemoteState & {hashMisses: number}> {
	const member = plan.files.some((f) => f.member);
	const [{hashes, misses}, services, etcd] = await Promise.all([
		remoteHashes(transport, plan.files.map((f) => f.path)),
		readServiceState(transport),
		member ? readMemberState(transport) : undefined,
	]);
	return {hashes, hashMisses: misses, ...services, ...(etcd ? {etcd} : {})};
}

/** A stacked etcd member's unit: active, enabled, and the inputs it last started with. */
async function readMemberState(transport: Transport): Promise<NonNullable<RemoteState['etcd']>> {
	const r = await transport.exec(sh`printf '%s %s %s\n' "$(systemctl is-active etcd 2>/dev/null || true)" "$(systemctl is-enabled etcd 2>/dev/null || echo missing)" "$(cat ${appliedMarkerPath('etcd')} 2>/dev/null || echo none)"`);
	if (r.code !== 0) throw new Error(`reading the etcd member's state failed: ${r.stderr.trim()}`);
	const [active, enabled, digest] = r.stdout.trim().split(/\s+/);
	return {active: active === 'active', enabled: enabled === 'enabled', ...(digest && /^[0-9a-f]{64}$/.test(digest) ? {applied: digest} : {})};
}

async function readServiceState(transport: Transport): Promise<Omit<RemoteState, 'hashes'>> {
	const script = shJoin(
		SERVICES.map(
			(s) =>
				sh`printf '%s %s %s %s\\n' ${s} "$(systemctl is-active ${s} 2>/dev/null || true)" "$(systemctl is-enabled ${s} 2>/dev/null || echo missing)" "$(cat ${appliedMarkerPath(s)} 2>/dev/null || echo none)"`,
		),
		'\n',
	);
	const result = await transport.exec(script);
	if (result.code !== 0) throw new Error(`reading service state failed: ${result.stderr.trim()}`);
	return parseServiceState(result.stdout);
}

export function parseServiceState(stdout: string): Omit<RemoteState, 'hashes'> {
	const appliedDigests = new Map<ServiceName, string | undefined>();
	const active = new Map<ServiceName, boolean>();
	const enabled = new Map<ServiceName, boolean>();
	for (const line of stdout.split('\n')) {
		const [name, activeState, enabledState, digest] = line.trim().split(/\s+/);
		if (!name || !(SERVICES as readonly string[]).includes(name)) continue;
		const service = name as ServiceName;
		active.set(service, activeState === 'active');
		enabled.set(service, enabledState === 'enabled');
		appliedDigests.set(service, digest && /^[0-9a-f]{64}$/.test(digest) ? digest : undefined);
	}
	return {appliedDigests, active, enabled};
}
