// Whether a stacked etcd serves as the profile says, from what each member answered (pure):
// every member answers through the tool's client certificate, they name the same leader,
// none raises an alarm, and the member list is exactly the profile's masters, each started.
// The apiservers start only once this holds (first install), and a rolling change of a
// member goes on to the next only once it holds again.

/** What one member's /v3/maintenance/status said, or why it did not answer. */
export type MemberStatus =
	| {name: string; ok: true; leader: string; memberId: string; raftIndex: number; errors: string[]; version?: string; dbSizeBytes?: number}
	| {name: string; ok: false; detail: string};

/** One entry of /v3/cluster/member/list: a member added but never started has no name. */
export interface ListedMember {
	id: string;
	name: string;
	peerUrls: string[];
	isLearner: boolean;
}

export interface EtcdClusterView {
	statuses: MemberStatus[];
	/** Read through any member that answered; undefined when none did. */
	members?: ListedMember[];
}

/**
 * Undefined when the cluster is as it should be; else what is missing, for the waiting line
 * and the failure. `expected`: the members that must serve, started and voting. `joining`:
 * masters whose member may be missing, unstarted, a learner or down (one being added this
 * run, one being removed after it); any other member of the list is a problem.
 */
export function judgeEtcdCluster(view: EtcdClusterView, expected: readonly string[], joining: ReadonlyArray<{name: string; peerUrl: string}> = []): string | undefined {
	const optional = new Set(joining.map((j) => j.name).filter((n) => !expected.includes(n)));
	const down = view.statuses.filter((s): s is Extract<MemberStatus, {ok: false}> => !s.ok && !optional.has(s.name));
	if (down.length > 0) return down.map((s) => `${s.name}: ${s.detail}`).join('; ');
	const up = view.statuses.filter((s): s is Extract<MemberStatus, {ok: true}> => s.ok);
	const alarms = up.filter((s) => s.errors.length > 0);
	if (alarms.length > 0) return alarms.map((s) => `${s.name} reports ${s.errors.join(', ')}`).join('; ');
	const leaders = new Set(up.map((s) => s.leader));
	if (leaders.has('0') || leaders.size === 0) return 'no leader elected yet';
	if (leaders.size > 1) return `the members name different leaders (${[...leaders].join(', ')}): an election is under way`;
	if (view.members === undefined) return 'the member list was not read';
	const joiningPeer = new Set(joining.filter((j) => optional.has(j.name)).map((j) => j.peerUrl));
	const unstarted = view.members.filter((m) => m.name === '' && !m.peerUrls.some((u) => joiningPeer.has(u)));
	if (unstarted.length > 0) return `${unstarted.length} member(s) added but not started (${unstarted.map((m) => m.peerUrls.join(',')).join('; ')})`;
	const names = view.members.map((m) => m.name).filter((n) => n !== '');
	const missing = expected.filter((n) => !names.includes(n));
	const extra = names.filter((n) => !expected.includes(n) && !optional.has(n));
	if (missing.length > 0 || extra.length > 0) return `the member list is ${[...names].sort().join(', ')}, the profile's masters are ${[...expected].sort().join(', ')}`;
	const learners = view.members.filter((m) => m.isLearner && m.name !== '' && !optional.has(m.name));
	if (learners.length > 0) return `${learners.map((m) => m.name).join(', ')} still a learner`;
	return undefined;
}

/** The line once it holds: who leads. */
export function describeEtcdCluster(view: EtcdClusterView): string {
	const up = view.statuses.filter((s): s is Extract<MemberStatus, {ok: true}> => s.ok);
	const leaderId = up[0]?.leader;
	const leader = up.find((s) => s.memberId === leaderId)?.name ?? leaderId ?? '?';
	return `etcd: ${up.length} members healthy, ${leader} leads`;
}

/**
 * Whether `name` has caught up: its raft index at least the leader's as read before it (the
 * view reads every member side by side, so a busy cluster's leader may be a few entries on).
 * Undefined when it has; else what is behind, for the waiting line.
 */
export function judgeCaughtUp(view: EtcdClusterView, name: string, leaderIndexBefore: number): string | undefined {
	const own = view.statuses.find((s) => s.name === name);
	if (!own || !own.ok) return `${name} does not answer`;
	return own.raftIndex >= leaderIndexBefore ? undefined : `${name} at raft index ${own.raftIndex}, the leader was at ${leaderIndexBefore}`;
}

/** The member that leads, by name, when the members agree on one. */
export function leaderOf(view: EtcdClusterView): Extract<MemberStatus, {ok: true}> | undefined {
	const up = view.statuses.filter((s): s is Extract<MemberStatus, {ok: true}> => s.ok);
	const leader = up[0]?.leader;
	if (!leader || leader === '0' || up.some((s) => s.leader !== leader)) return undefined;
	return up.find((s) => s.memberId === leader);
}
