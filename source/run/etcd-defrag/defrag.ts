// `etcd defrag`: a stacked etcd defragmented one member at a time. Nothing starts unless the
// cluster passes the gate (defrag-plan.ts); then each member in turn is defragmented and the
// next waits until the cluster is healthy again and that member has caught up with where the
// leader was, so at most one member at a time is busy with it (a defragmenting member serves
// neither reads nor writes). The first failure stops the run: the members after it are left
// as they were. A stop (Ctrl-C) is taken between members, never inside a defragment, which
// etcd would finish anyway. The loop talks to DefragCluster; httpsDefragCluster at the end is
// that interface over etcd's gRPC gateway, with the tool's etcd client certificate.
import type https from 'node:https';
import {describeEtcdCluster, judgeCaughtUp, leaderOf, type EtcdClusterView} from '../../etcd/cluster-gate.js';
import {httpsEtcdProbe} from '../../etcd/https-etcd-probe.js';
import type {EtcdMember} from '../../etcd/members.js';
import {etcdAgent, etcdPostJson, type EtcdClientCredentials} from '../../snapshot/etcd-https.js';
import {alarmedMembers, dbSizeOf, defragGate, defragmentedLine, defragOrder, formatSeconds, nextMember, NOSPACE, startLine, type Defragmented, type DefragOutcome, type RaisedAlarm} from './defrag-plan.js';

export interface DefragCluster {
	/** Every member's status and the member list (etcd/https-etcd-probe.ts). */
	view(): Promise<EtcdClusterView>;
	/** etcd's Defragment on that member alone; resolves when it is done. */
	defragment(member: string): Promise<void>;
	/** The member's dbSizeInUse (its status); undefined when it does not say. */
	inUse(member: string): Promise<number | undefined>;
	/** The cluster's alarm list. */
	alarms(): Promise<RaisedAlarm[]>;
	disarm(alarm: RaisedAlarm): Promise<void>;
}

export interface DefragTiming {
	/** Between two reads of the cluster while waiting for it to be healthy again. */
	pollMs: number;
	/** How long after a member's defragment the cluster may take to be healthy again. */
	healthyWithinMs: number;
}

export const DEFAULT_DEFRAG_TIMING: DefragTiming = {pollMs: 300, healthyWithinMs: 60_000};

export interface DefragInput {
	cluster: DefragCluster;
	/** The profile's masters: the member list the gate expects. */
	expected: readonly string[];
	/** A line as it happens: the start, then one per member defragmented. */
	say: (line: string) => void;
	signal?: AbortSignal;
	dryRun?: boolean;
	/** Disarm a NOSPACE alarm once every member was defragmented. */
	disarmNospace?: boolean;
	timing?: DefragTiming;
	clock?: {now(): number; sleep(ms: number): Promise<void>};
}

const realClock = {now: () => performance.now(), sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))};

export async function defragEtcd(input: DefragInput): Promise<DefragOutcome> {
	const {cluster, say} = input;
	const clock = input.clock ?? realClock;
	const view = await readView(input);
	const problem = defragGate(view, input.expected);
	if (problem !== undefined) return {result: 'refused', problem};
	const order = defragOrder(view);
	if (input.dryRun) {
		const sized = await Promise.all(order.map(async (m) => ({...m, ...inUseField(await cluster.inUse(m.name).catch(() => undefined))})));
		const nospace = await cluster.alarms().then((alarms) => alarmedMembers(alarms, view, NOSPACE), () => []);
		return {result: 'planned', order: sized, nospace, disarmNospace: input.disarmNospace === true};
	}
	say(`${describeEtcdCluster(view)}; ${startLine(order)}`);
	const done: Defragmented[] = [];
	let remaining = order.map((m) => m.name);
	let current = view;
	while (remaining.length > 0) {
		if (input.signal?.aborted) return {result: 'stopped', done, remaining};
		const name = nextMember(current, remaining)!;
		remaining = remaining.filter((n) => n !== name);
		const started = clock.now();
		try {
			await cluster.defragment(name);
		} catch (error) {
			return {result: 'failed', done, member: name, message: `${name}: defragment failed: ${messageOf(error)}`, hint: hintOf(error) ?? 'check the member\'s journal (journalctl -u etcd) and `k8s-master-setup status`', remaining};
		}
		const tookMs = clock.now() - started;
		const healthy = await healthyAgain(input, name, clock);
		if (typeof healthy === 'string') {
			return {
				result: 'failed',
				done,
				member: name,
				message: `${name}: the cluster was not healthy within ${formatSeconds(timingOf(input).healthyWithinMs)} after its defragment: ${healthy}`,
				hint: 'the next member is not touched while this one has not come back; check `k8s-master-setup status` and the member\'s journal (journalctl -u etcd)',
				remaining,
			};
		}
		const member: Defragmented = {name, ...sizeFields(dbSizeOf(current, name), dbSizeOf(healthy, name)), tookMs};
		done.push(member);
		say(defragmentedLine(member));
		current = healthy;
	}
	return nospaceAfter(input, done, current);
}

/** The alarm list once every member is done: a NOSPACE alarm named, and disarmed only when asked. */
async function nospaceAfter(input: DefragInput, done: Defragmented[], view: EtcdClusterView): Promise<DefragOutcome> {
	let alarms: RaisedAlarm[];
	try {
		alarms = await input.cluster.alarms();
	} catch (error) {
		return {result: 'failed', done, message: `every member was defragmented, but the alarm list was not read: ${messageOf(error)}`, hint: 'read it with `etcdctl alarm list`', remaining: []};
	}
	const nospace = alarmedMembers(alarms, view, NOSPACE);
	if (nospace.length === 0 || !input.disarmNospace) return {result: 'done', done, nospace, disarmed: false};
	if (input.signal?.aborted) return {result: 'stopped', done, remaining: [], nospace};
	for (const alarm of alarms.filter((a) => a.alarm === NOSPACE)) {
		try {
			await input.cluster.disarm(alarm);
		} catch (error) {
			return {result: 'failed', done, message: `every member was defragmented, but disarming NOSPACE failed: ${messageOf(error)}`, hint: hintOf(error) ?? 'disarm it with `etcdctl alarm disarm`', remaining: []};
		}
	}
	return {result: 'done', done, nospace, disarmed: true};
}

/** The view in which the cluster passed the gate again and `name` caught up; else the last problem, once the time is up. */
async function healthyAgain(input: DefragInput, name: string, clock: NonNullable<DefragInput['clock']>): Promise<EtcdClusterView | string> {
	const timing = timingOf(input);
	const started = clock.now();
	for (;;) {
		const view = await readView(input);
		const leader = leaderOf(view);
		let problem = defragGate(view, input.expected) ?? (leader ? undefined : 'no leader');
		if (problem === undefined) {
			const later = await readView(input);
			problem = judgeCaughtUp(later, name, leader!.raftIndex);
			if (problem === undefined) return later;
		}
		if (clock.now() - started >= timing.healthyWithinMs) return problem;
		await clock.sleep(timing.pollMs);
	}
}

function readView(input: DefragInput): Promise<EtcdClusterView> {
	return input.cluster.view().catch((error: unknown) => ({statuses: input.expected.map((name) => ({name, ok: false as const, detail: messageOf(error)}))}));
}

function timingOf(input: DefragInput): DefragTiming {
	return input.timing ?? DEFAULT_DEFRAG_TIMING;
}

function inUseField(bytes: number | undefined): {dbSizeInUseBytes?: number} {
	return bytes === undefined ? {} : {dbSizeInUseBytes: bytes};
}

function sizeFields(before: number | undefined, after: number | undefined): {beforeBytes?: number; afterBytes?: number} {
	return {...(before !== undefined ? {beforeBytes: before} : {}), ...(after !== undefined ? {afterBytes: after} : {})};
}

function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/** An EtcdRequestError's fix (snapshot/etcd-https.ts), kept as its field. */
function hintOf(error: unknown): string | undefined {
	const hint = (error as {hint?: unknown} | undefined)?.hint;
	return typeof hint === 'string' ? hint : undefined;
}

export interface HttpsDefragTimeouts {
	/** A status, member list or alarm request: the longest wait for its next byte. */
	requestMs: number;
	/** A defragment: the member answers only when it is done (minutes on a database of gigabytes). */
	defragmentMs: number;
}

export const DEFAULT_HTTPS_DEFRAG_TIMEOUTS: HttpsDefragTimeouts = {requestMs: 5000, defragmentMs: 120_000};

/** DefragCluster over etcd's gRPC gateway (HTTPS on each member's client URL), only the etcd CA trusted. */
export function httpsDefragCluster(members: readonly EtcdMember[], credentials: EtcdClientCredentials, timeouts: HttpsDefragTimeouts = DEFAULT_HTTPS_DEFRAG_TIMEOUTS): DefragCluster & {close(): void} {
	const probe = httpsEtcdProbe(members, credentials, timeouts.requestMs);
	const agent: https.Agent = etcdAgent(credentials);
	const memberNamed = (name: string) => {
		const member = members.find((m) => m.name === name);
		if (!member) throw new Error(`no member ${name}`);
		return member;
	};
	const post = (member: EtcdMember, path: string, body: object, idleTimeoutMs = timeouts.requestMs) =>
		etcdPostJson(member.clientUrl, path, {agent, credentials, idleTimeoutMs, body: JSON.stringify(body)});
	/** The first member that answers: the alarm list is the cluster's, not one member's. */
	const anyMember = async (path: string, body: object): Promise<unknown> => {
		let last: unknown = new Error('no members');
		for (const member of members) {
			try {
				return await post(member, path, body);
			} catch (error) {
				last = error;
			}
		}
		throw last;
	};
	return {
		view: () => probe.view(),
		defragment: async (name) => {
			await post(memberNamed(name), '/v3/maintenance/defragment', {}, timeouts.defragmentMs);
		},
		inUse: async (name) => {
			const status = (await post(memberNamed(name), '/v3/maintenance/status', {})) as {dbSizeInUse?: string};
			return status.dbSizeInUse === undefined ? undefined : Number(status.dbSizeInUse);
		},
		alarms: async () => {
			const answer = (await anyMember('/v3/maintenance/alarm', {action: 'GET'})) as {alarms?: Array<{memberID?: string; alarm?: string}>};
			return (answer.alarms ?? []).map((a) => ({memberId: String(a.memberID ?? ''), alarm: String(a.alarm ?? '')}));
		},
		disarm: async (alarm) => {
			await anyMember('/v3/maintenance/alarm', {action: 'DEACTIVATE', memberID: alarm.memberId, alarm: alarm.alarm});
		},
		close: () => {
			probe.close();
			agent.destroy();
		},
	};
}
