// How each stacked member was (or will be) first started: etcd reads --initial-cluster and
// --initial-cluster-state only on a member's first start, from an empty data dir, and they
// must then be exactly right: `new` with every founding member for a new cluster; for a
// member added later, `existing` with the cluster's member list right after its
// `member add` (etcd compares the two and refuses to start on any difference). Rendering
// them from the profile's masters would change every old member's unit whenever a master
// is added or removed, and restart every member for flags it ignores. So the state
// directory keeps each member's first-start flags (etcd/members.json) and every later
// render uses them; a master that has no entry yet gets one here (pure).
import * as z from 'zod/mini';
import {etcdMember, type EtcdMember} from './members.js';

export const MEMBER_BOOTSTRAP_FILE = 'etcd/members.json';

const MemberSchema = z.object({name: z.string(), peerUrl: z.string()});
const BootstrapSchema = z.object({
	peerUrl: z.string(),
	clusterState: z.enum(['new', 'existing']),
	/** --initial-cluster as it was rendered: the members, in order. */
	initialCluster: z.array(MemberSchema),
});
const FileSchema = z.object({version: z.literal(1), members: z.record(z.string(), BootstrapSchema)});

export type MemberBootstrap = z.infer<typeof BootstrapSchema>;
export type BootstrapRecord = Record<string, MemberBootstrap>;

export function parseBootstrapRecord(text: string | undefined, file: string): BootstrapRecord {
	if (text === undefined) return {};
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		throw new Error(`${file} is not JSON (${(error as Error).message}): it records how each etcd member first started; restore it from a backup or \`state recover\``);
	}
	const result = FileSchema.safeParse(parsed);
	if (!result.success) throw new Error(`${file} does not hold what k8s-master-setup writes there (${result.error.issues[0]?.message ?? 'unknown shape'})`);
	return result.data.members;
}

export function serializeBootstrapRecord(record: BootstrapRecord): string {
	return `${JSON.stringify({version: 1, members: record}, null, 2)}\n`;
}

/**
 * The record with an entry for every master of `nodes`. An entry whose peer URL no longer
 * matches its master's IP (a replaced machine) is made anew. With no entry of any current
 * master, the cluster is new: every master that lacks one is a founding member (`new`, all
 * of them). Otherwise a master without one joins the running cluster: `existing`, with the
 * members that have entries (the cluster's list before the add) and itself. `installed`:
 * masters a state directory from before this record installed (their members founded the
 * cluster together, `new` with those masters), so such a cluster is never taken for new.
 * Entries of masters the profile no longer names stay (a departing member is still one
 * until its removal forgets it, dropBootstrap).
 */
export function withBootstraps(record: BootstrapRecord, nodes: ReadonlyArray<{name: string; ip: string}>, installed: ReadonlyArray<{name: string; ip: string}> = []): BootstrapRecord {
	const next: BootstrapRecord = {};
	for (const [name, entry] of Object.entries(record)) {
		const node = nodes.find((n) => n.name === name);
		if (!node || etcdMember(node).peerUrl === entry.peerUrl) next[name] = entry;
	}
	if (Object.keys(record).length === 0 && installed.length > 0) {
		const founders = installed.map(etcdMember);
		for (const m of founders) next[m.name] ??= {peerUrl: m.peerUrl, clusterState: 'new', initialCluster: founders.map(memberOf)};
	}
	const missing = nodes.filter((n) => next[n.name] === undefined).map(etcdMember);
	if (missing.length === 0) return next;
	if (Object.keys(next).length === 0) {
		const founders = nodes.map(etcdMember).map(memberOf);
		for (const m of missing) next[m.name] = {peerUrl: m.peerUrl, clusterState: 'new', initialCluster: founders};
		return next;
	}
	// One at a time (apply refuses more: etcd admits one learner at a time), each after the last.
	for (const m of missing) {
		const list = [...Object.entries(next).map(([name, e]) => ({name, peerUrl: e.peerUrl})), memberOf(m)];
		next[m.name] = {peerUrl: m.peerUrl, clusterState: 'existing', initialCluster: list};
	}
	return next;
}

/** The record without a removed member: a master added again later under its name joins anew. */
export function dropBootstrap(record: BootstrapRecord, name: string): BootstrapRecord {
	const {[name]: _gone, ...rest} = record;
	return rest;
}

/** The unit's --initial-cluster members, as EtcdMember values. */
export function initialMembersOf(entry: MemberBootstrap): EtcdMember[] {
	return entry.initialCluster.map((m) => {
		const ip = new URL(m.peerUrl).hostname.replace(/^\[|\]$/g, '');
		return {...etcdMember({name: m.name, ip}), peerUrl: m.peerUrl};
	});
}

function memberOf(m: EtcdMember): {name: string; peerUrl: string} {
	return {name: m.name, peerUrl: m.peerUrl};
}
