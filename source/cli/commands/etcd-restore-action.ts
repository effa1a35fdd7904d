// `etcd restore --snapshot FILE`: the checks that come before any node is changed (the file,
// the profile, every master installed and reachable, the encryption keys the snapshot's
// Secrets need, each node's etcdutl and free space), the plan and its question, then the
// phases of run/etcd-restore/restore.ts over SSH, and the report.
import https from 'node:https';
import {createClusterClient} from '../../cluster/client.js';
import {readAdminCredentials} from '../../cluster/admin-credentials.js';
import {CONTROL_PLANE, type ServiceName} from '../../cluster/services.js';
import {UserError} from '../../errors.js';
import {etcdMember} from '../../etcd/members.js';
import {EXIT} from '../../exit-codes.js';
import type {Profile} from '../../profile/schema.js';
import type {Transport} from '../../remote/transport.js';
import {targetPaths} from '../../render/paths.js';
import {checkRestoreNodes, restoreEtcd, type RestoreNode, type RestoreOutcome} from '../../run/etcd-restore/restore.js';
import {keptDir, missingKeys, restorePlanLines, restoreQuestion, restoreStamp, restoreToken, revisionBump, type RestoreValues} from '../../run/etcd-restore/restore-plan.js';
import {checkSnapshotFile} from '../../run/etcd-restore/snapshot-file.js';
import {clearRestoreJournal, openRestore, writeRestoreJournal} from '../../run/etcd-restore/restore-journal.js';
import {sshRestoreNode} from '../../run/etcd-restore/ssh-restore-nodes.js';
import {httpsEtcdProbe} from '../../etcd/https-etcd-probe.js';
import {etcdAgent, etcdPostJson, type EtcdClientCredentials} from '../../snapshot/etcd-https.js';
import {progressReporter} from '../../snapshot/progress-line.js';
import {etcdClientCredentials, keptEncryptionKeyNames} from '../../snapshot/take.js';
import {readInstalledNodes} from '../../state/installed-nodes-file.js';
import {defaultStateDir} from '../../state/state-dir.js';
import {wrapWords} from '../../wrap-words.js';
import {lockingConnect} from '../shared/cluster-lock.js';
import {connectNode, type NodeAccessOptions} from '../shared/connect.js';
import {askYes} from '../shared/ask-yes.js';
import {loadProfileFromOptions} from '../shared/load-profile.js';
import {stackedEtcdOnly} from '../shared/stacked-etcd-only.js';
import {connectTimeoutMs, profileChoice, type ProfileChoice} from '../shared/option-values.js';
import {lockStateDir} from '../shared/state-lock.js';
import {handleStopSignals} from '../shared/stop-signals.js';

export interface EtcdRestoreOptions extends ProfileChoice, NodeAccessOptions {
	stateDir?: string;
	snapshot: string;
	dryRun: boolean;
	yes: boolean;
}

export function etcdRestoreOptions(raw: Record<string, unknown>): EtcdRestoreOptions {
	return {
		...(raw as unknown as NodeAccessOptions),
		...profileChoice(raw as ProfileChoice),
		...(typeof raw['stateDir'] === 'string' ? {stateDir: raw['stateDir']} : {}),
		snapshot: String(raw['snapshot']),
		dryRun: raw['dryRun'] === true,
		yes: raw['yes'] === true,
		connectTimeoutMs: connectTimeoutMs(raw),
	};
}

export async function runEtcdRestore(options: EtcdRestoreOptions): Promise<number> {
	const profile = await loadProfileFromOptions(options);
	const etcd = stackedEtcdOnly(profile, 'restore', 'restore it where it runs (etcd\'s disaster-recovery guide: `etcdutl snapshot restore` on every member, with the apiservers stopped)');
	const stateDir = options.stateDir ?? defaultStateDir(profile.name);
	const snapshot = checkSnapshotFile(options.snapshot);
	const installed = new Set(readInstalledNodes(stateDir).map((n) => n.name));
	const notInstalled = profile.nodes.filter((n) => !installed.has(n.name));
	if (notInstalled.length > 0) {
		throw new UserError(
			`${notInstalled.map((n) => n.name).join(', ')}: not installed by this state directory (${stateDir}): a restore rebuilds the member of every master the profile names`,
			'run `k8s-master-setup apply` first, or take the master out of the profile; pass --state-dir if the cluster was installed with another one',
		);
	}
	const missing = missingKeys(snapshot.encryptionKeys ?? [], keptEncryptionKeyNames(stateDir));
	if (missing.length > 0) {
		throw new UserError(
			`the snapshot's Secrets were written with encryption key(s) ${missing.map((k) => `${k.provider}:${k.name}`).join(', ')}, which the cluster's encryption config no longer has: restored, those Secrets could not be read`,
			'use a snapshot taken since the last key rotation, or put the key back into the encryption config first; nothing was changed',
		);
	}
	const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
	if (!options.yes && !options.dryRun && !interactive) throw new UserError('etcd restore needs --yes when it cannot ask (no terminal)', 'read the plan with --dry-run first, then add --yes');

	const credentials = etcdClientCredentials(profile, stateDir);
	const members = profile.nodes.map(etcdMember);
	const stamp = restoreStamp(new Date());
	const currentRevision = await clusterRevision(members.map((m) => m.clientUrl), credentials);
	const values: RestoreValues = {stamp, token: restoreToken(profile.name, stamp), members, dataDir: etcd.dataDir, etcdutl: targetPaths(profile).etcd.bin.etcdutl, bump: revisionBump(snapshot.revision, currentRevision)};

	const lock = lockStateDir(stateDir, 'etcd restore');
	const stop = handleStopSignals({stopping: 'stopping before any service is stopped (once one is, the restore goes on to the end: stopping then would leave the cluster without etcd)'});
	const transports: Transport[] = [];
	try {
		const locking = lockingConnect((node) => connectNode(profile, node, options, stop.signal), options.dryRun ? 'shared' : 'exclusive', 'etcd restore');
		const connected = await Promise.allSettled(profile.nodes.map((n) => locking.connect(n)));
		for (const c of connected) if (c.status === 'fulfilled') transports.push(c.value);
		const unreachable = connected.flatMap((c, i) => (c.status === 'rejected' ? [`${profile.nodes[i]!.name}: ${messageOf(c.reason, profile.nodes[i]!.name)}`] : []));
		if (unreachable.length > 0) {
			throw new UserError(`not every master can be reached, and a restore rebuilds every member:\n  ${unreachable.join('\n  ')}`, 'bring the master back, or take a master lost for good out of the profile and restore onto the masters left; nothing was changed');
		}
		const progress = progressReporter({write: (t) => process.stderr.write(t), isTTY: Boolean(process.stderr.isTTY), now: () => performance.now()});
		const sent = new Map<string, number>();
		const onUpload = (node: string) => (bytes: number) => {
			sent.set(node, bytes);
			// The slowest master's: the restore goes on once every one has the whole file.
			progress.update(`snapshot to ${members.length} masters`, {received: Math.min(...members.map((m) => sent.get(m.name) ?? 0)), total: snapshot.size});
		};
		const nodes = profile.nodes.map((n, i) => sshRestoreNode(transports[i]!, values, members[i]!, snapshot, onUpload(n.name)));
		const problems = await checkRestoreNodes(nodes, snapshot.size, values.etcdutl);
		if (problems.length > 0) throw new UserError(problems.map((p) => p.problem).join('\n'), `${problems[0]!.hint}; nothing was changed`);

		const interrupted = openRestore(stateDir);
		if (interrupted) process.stderr.write(`an earlier etcd restore${'stamp' in interrupted ? ` (begun ${interrupted.startedAt}, from ${interrupted.snapshot})` : ''} did not finish: this one rebuilds every member again${'stamp' in interrupted ? `; the data from before that one stays in ${keptDir(etcd.dataDir, interrupted.stamp)}` : ''}\n`);
		const plan = restorePlanLines({snapshot, members, dataDir: etcd.dataDir, stamp, ...(currentRevision !== undefined ? {currentRevision} : {})});
		const width = process.stderr.isTTY ? Math.max(40, process.stderr.columns ?? 80) : Infinity;
		for (const line of plan) process.stderr.write(`${wrapWords(line, width, '    ').join('\n')}\n`);
		if (options.dryRun) {
			process.stdout.write('etcd restore --dry-run: every master can take the restore; nothing was changed\n');
			return EXIT.ok;
		}
		if (!options.yes) {
			const answer = await askYes(restoreQuestion({profile: profile.name, masters: nodes.length}), stop);
			if (answer !== 'yes') {
				process.stderr.write(answer === 'interrupted' ? '\ninterrupted; nothing was changed\n' : 'nothing was changed\n');
				return answer === 'interrupted' ? EXIT.interrupted : EXIT.ok;
			}
		}
		const started = performance.now();
		const outcome = await restoreEtcd({
			nodes,
			view: () => withProbe(members, credentials, (p) => p.view()),
			memberServes: (name) => memberAnswers(members.find((m) => m.name === name)!, credentials),
			healthy: serviceHealth(profile, stateDir),
			say: (line) => {
				progress.done();
				process.stdout.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);
			},
			journal: {
				begin: () => writeRestoreJournal(stateDir, {stamp, snapshot: snapshot.path, startedAt: new Date().toISOString()}),
				end: () => clearRestoreJournal(stateDir),
			},
			signal: stop.signal,
		});
		return report(outcome, {nodes, dataDir: etcd.dataDir, stamp, snapshotPath: snapshot.path, revision: snapshot.revision});
	} finally {
		stop.dispose();
		await Promise.all(transports.map((t) => t.close().catch(() => undefined)));
		lock.release();
	}
}

function report(outcome: RestoreOutcome, c: {nodes: readonly RestoreNode[]; dataDir: string; stamp: string; snapshotPath: string; revision: number}): number {
	const out = (lines: string[]) => process.stdout.write(`${lines.join('\n')}\n`);
	const err = (lines: string[]) => process.stderr.write(`${lines.join('\n')}\n`);
	switch (outcome.result) {
		case 'done':
			out([
				`etcd restored from ${c.snapshotPath} (revision ${c.revision}) on ${c.nodes.map((n) => n.name).join(', ')} in ${(outcome.tookMs / 1000).toFixed(1)} s: ${outcome.cluster}`,
				`  the data from before the restore is kept on each master in ${keptDir(c.dataDir, c.stamp)}: remove it once the cluster is as it should be`,
			]);
			return EXIT.ok;
		case 'stopped':
			err(['stopped before any service was stopped; the restored data was removed, nothing was changed']);
			return EXIT.interrupted;
		case 'failed':
			err([
				`✗ etcd restore failed at ${outcome.phase}: ${outcome.message}`,
				...(outcome.hint ? [`  ${outcome.hint}`] : []),
				...(outcome.detail ? outcome.detail.split('\n').map((l) => `    ${l}`) : []),
				outcome.undone === true ? '  the cluster was put back as it was before the restore, its old data serving' : `  ${outcome.undone}`,
			]);
			return EXIT.failed;
	}
}

/** The cluster's revision now, from the first member that answers; undefined when none does. */
async function clusterRevision(urls: readonly string[], credentials: EtcdClientCredentials): Promise<number | undefined> {
	const agent = etcdAgent(credentials);
	try {
		for (const url of urls) {
			try {
				const status = (await etcdPostJson(url, '/v3/maintenance/status', {agent, credentials, idleTimeoutMs: 3000})) as {header?: {revision?: string}};
				const revision = Number(status.header?.revision);
				if (Number.isFinite(revision) && revision > 0) return revision;
			} catch {
				// the next member
			}
		}
		return undefined;
	} finally {
		agent.destroy();
	}
}

/** A probe for one call: members restarted as a new cluster must not meet a connection kept from the old one. */
async function withProbe<T>(members: Parameters<typeof httpsEtcdProbe>[0], credentials: EtcdClientCredentials, use: (p: ReturnType<typeof httpsEtcdProbe>) => Promise<T>): Promise<T> {
	const probe = httpsEtcdProbe(members, credentials);
	try {
		return await use(probe);
	} finally {
		probe.close();
	}
}

function serviceHealth(profile: Profile, stateDir: string): (node: string, service: ServiceName) => Promise<true | string> {
	const admin = readAdminCredentials(profile, stateDir);
	return async (name, service) => {
		const node = profile.nodes.find((n) => n.name === name)!;
		const client = createClusterClient(admin, 3000);
		try {
			const r = await client.health(service, {host: node.ip, port: CONTROL_PLANE[service].port});
			return r.state === 'ok' ? true : (r.detail ?? `HTTP ${r.httpStatus ?? 'no answer'}`);
		} finally {
			client.close();
		}
	};
}

/**
 * Any HTTP answer from the member's peer URL (/version, which etcd serves to its peers
 * with the etcd CA's certificates): it passed its start-up checks and serves its peers.
 * Its client URL would not do: a member serves clients only once a quorum elected a leader.
 */
function memberAnswers(member: {peerUrl: string}, credentials: EtcdClientCredentials): Promise<boolean> {
	const agent = etcdAgent(credentials);
	return new Promise<boolean>((resolve) => {
		const req = https.get(new URL('/version', member.peerUrl), {agent, timeout: 1000}, (res) => {
			res.resume();
			resolve(true);
		});
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', () => resolve(false));
	}).finally(() => agent.destroy());
}

/** An error's own message, without the node's name when it already starts with it. */
function messageOf(error: unknown, node: string): string {
	const text = error instanceof Error ? error.message : String(error);
	return text.startsWith(`${node}: `) ? text.slice(node.length + 2) : text;
}
