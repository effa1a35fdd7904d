// The stacked etcd as the tool sees it: each member's status and the member list over etcd's
// gRPC gateway (HTTPS on 2379), with the tool's own etcd client certificate and only the
// etcd CA trusted (snapshot/etcd-https.ts). Numbers in etcd's JSON are strings (uint64).
import type https from 'node:https';
import {etcdAgent, etcdPostJson, type EtcdClientCredentials} from '../snapshot/etcd-https.js';
import type {EtcdMember} from './members.js';
import type {EtcdClusterView, ListedMember, MemberStatus} from './cluster-gate.js';

export interface EtcdClusterProbe {
	view(): Promise<EtcdClusterView>;
	/** Moves leadership from the member `leader` (which must lead) to the member with id `targetId` (etcd's MoveLeader). */
	moveLeader(leader: string, targetId: string): Promise<void>;
	/** etcd's MemberAdd as a learner, sent through the member `through`: the new member's id. */
	addLearner(through: string, peerUrl: string): Promise<string>;
	/** etcd's MemberPromote of a learner in sync with the leader (etcd refuses one that is not). */
	promote(through: string, id: string): Promise<void>;
	/** etcd's MemberRemove; sent through a member other than the one removed. */
	removeMember(through: string, id: string): Promise<void>;
	close(): void;
}

export function httpsEtcdProbe(members: readonly EtcdMember[], credentials: EtcdClientCredentials, timeoutMs = 3000): EtcdClusterProbe {
	const agent: https.Agent = etcdAgent(credentials);
	const memberNamed = (name: string): EtcdMember => {
		const member = members.find((m) => m.name === name);
		if (!member) throw new Error(`no member ${name}`);
		return member;
	};
	const post = (member: EtcdMember, path: string) => etcdPostJson(member.clientUrl, path, {agent, credentials, idleTimeoutMs: timeoutMs});
	return {
		async view() {
			const statuses = await Promise.all(members.map((m) => post(m, '/v3/maintenance/status').then((s) => statusOf(m.name, s), (e: Error) => ({name: m.name, ok: false as const, detail: e.message}))));
			const through = members.find((m) => statuses.find((s) => s.name === m.name)?.ok);
			const members_ = through ? await post(through, '/v3/cluster/member/list').then(listOf, () => undefined) : undefined;
			return {statuses, ...(members_ ? {members: members_} : {})};
		},
		async moveLeader(leader, targetId) {
			const member = members.find((m) => m.name === leader);
			if (!member) throw new Error(`no member ${leader}`);
			await etcdPostJson(member.clientUrl, '/v3/maintenance/transfer-leadership', {agent, credentials, idleTimeoutMs: 10_000, body: JSON.stringify({targetID: targetId})});
		},
		async addLearner(through, peerUrl) {
			const answer = (await etcdPostJson(memberNamed(through).clientUrl, '/v3/cluster/member/add', {agent, credentials, idleTimeoutMs: 10_000, body: JSON.stringify({peerURLs: [peerUrl], isLearner: true})})) as {member?: {ID?: string}};
			const id = answer.member?.ID;
			if (id === undefined) throw new Error(`etcd's member add through ${through} answered without the new member's id`);
			return String(id);
		},
		async promote(through, id) {
			await etcdPostJson(memberNamed(through).clientUrl, '/v3/cluster/member/promote', {agent, credentials, idleTimeoutMs: 10_000, body: JSON.stringify({ID: id})});
		},
		async removeMember(through, id) {
			await etcdPostJson(memberNamed(through).clientUrl, '/v3/cluster/member/remove', {agent, credentials, idleTimeoutMs: 10_000, body: JSON.stringify({ID: id})});
		},
		close: () => agent.destroy(),
	};
}

function statusOf(name: string, answer: unknown): MemberStatus {
	const s = answer as {header?: {member_id?: string}; leader?: string; raftIndex?: string; errors?: string[]; version?: string; dbSize?: string};
	return {
		name,
		ok: true,
		leader: String(s.leader ?? '0'),
		memberId: String(s.header?.member_id ?? ''),
		raftIndex: Number(s.raftIndex ?? 0),
		errors: s.errors ?? [],
		...(s.version ? {version: s.version} : {}),
		...(s.dbSize !== undefined ? {dbSizeBytes: Number(s.dbSize)} : {}),
	};
}

function listOf(answer: unknown): ListedMember[] {
	const list = (answer as {members?: Array<{ID?: string; name?: string; peerURLs?: string[]; isLearner?: boolean}>}).members ?? [];
	return list.map((m) => ({id: String(m.ID ?? ''), name: m.name ?? '', peerUrls: m.peerURLs ?? [], isLearner: m.isLearner === true}));
}
