import {UserError} from '../../errors.js';
import {etcdClientUrls, stackedMembers} from '../../etcd/members.js';
import {httpsEtcdProbe} from '../../etcd/https-etcd-probe.js';
import {etcdClientCredentials} from '../../snapshot/take.js';
import {stateEncryption} from '../../status/encryption.js';
import {etcdReader} from '../../status/etcd.js';
import {countStoredSecrets} from '../../status/stored-secrets.js';
import type {Profile} from '../../profile/schema.js';
import type {Transport} from '../../remote/transport.js';
import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {parseRotationJournal, ROTATION_JOURNAL_FILE} from '../../run/encryption-rotate/rotation-journal.js';
import {readJournal} from '../../run/journal.js';
import {nodesLeftProfile, readInstalledNodes} from '../../state/installed-nodes-file.js';
import {JOURNAL_FILE, journalFile} from '../../state/journal-file.js';
import {defaultStateDir} from '../../state/state-dir.js';
import type {JournalRead} from '../../status/change.js';
import {runStatusCommand} from '../../status/command.js';
import {readAdminCredentials} from '../../cluster/admin-credentials.js';
import {connectNode} from '../shared/connect.js';
import {connectTimeoutMs, numberOption, profileChoice, type ProfileChoice} from '../shared/option-values.js';
import {loadProfileFromOptions} from '../shared/load-profile.js';
import {handleStopSignals, type StopSignals} from '../shared/stop-signals.js';
import {EXIT} from '../../exit-codes.js';

export interface StatusOptions extends ProfileChoice {
	stateDir?: string;
	json?: boolean;
	watch?: boolean;
	/** Seconds between refreshes. */
	interval: number;
	certWarningDays: number;
	/** Seconds: the deadline of each probe. */
	probeTimeout: number;
	knownHosts?: string;
	acceptNewHostKeys?: boolean;
	sshConfig?: string;
	connectTimeoutMs?: number;
	/** --encryption: count the stored Secrets (stored-secrets.ts). */
	encryption?: boolean;
}

/** Commander's raw strings → StatusOptions (option-values.ts): the profile first, then each value. */
export function statusOptions(raw: Record<string, unknown>): StatusOptions {
	if (raw.encryption && raw.watch) {
		throw new UserError('--encryption with --watch: the Secrets are counted once, by reading every one of them from etcd', 'drop --watch (or run `status --encryption` on its own when you need the counts)');
	}
	const value = (key: string, fallback: number) => (raw[key] as string | number | undefined) ?? fallback;
	return {
		...(raw as Omit<StatusOptions, 'interval' | 'certWarningDays' | 'probeTimeout'>),
		...profileChoice(raw as ProfileChoice),
		interval: numberOption('--interval', value('interval', 2), {min: 0.25, unit: 'seconds'}),
		certWarningDays: numberOption('--cert-warning-days', value('certWarningDays', 30), {min: 0, whole: true, unit: 'days'}),
		probeTimeout: numberOption('--probe-timeout', value('probeTimeout', 3), {min: 0.1, unit: 'seconds'}),
		connectTimeoutMs: connectTimeoutMs(raw),
	};
}

export async function runStatus(options: StatusOptions): Promise<number> {
	const profile = await loadProfileFromOptions(options);
	const stateDir = options.stateDir ?? defaultStateDir(profile.name);
	// The dashboard (a terminal) ends itself on the first signal; the second ends the process.
	const stop = handleStopSignals(process.stdout.isTTY && !options.json ? {} : {stopping: 'stopping after this refresh'});
	try {
		const code = await statusCommand(options, profile, stateDir, stop);
		return stop.signal.aborted ? EXIT.interrupted : code;
	} finally {
		stop.dispose();
	}
}

function statusCommand(options: StatusOptions, profile: Profile, stateDir: string, stop: StopSignals): Promise<number> {
	// Read before connecting: a missing etcd client certificate is exit 2, not a line in the report.
	const stacked = profile.etcd.mode === 'stacked' ? profile.etcd : undefined;
	const etcd = options.encryption || stacked ? etcdClientCredentials(profile, stateDir) : undefined;
	// A stacked etcd is the tool's to watch: its members are probed on every refresh (an external one is not).
	const members = stacked && etcd ? httpsEtcdProbe(stackedMembers(profile.nodes), etcd, options.probeTimeout * 1000) : undefined;
	const readEtcd = stacked && members ? etcdReader(members, profile.nodes.map((n) => n.name), stacked.quotaBackendBytes) : undefined;
	return runStatusCommand({
		signal: stop.signal,
		onInterrupt: () => stop.stop('Ctrl-C'),
		profile,
		stateDir,
		json: Boolean(options.json),
		watch: Boolean(options.watch),
		intervalMs: options.interval * 1000,
		certWarningDays: options.certWarningDays,
		probeTimeoutMs: options.probeTimeout * 1000,
		admin: readAdminCredentials(profile, stateDir),
		readJournal: () => readChangeJournal(stateDir),
		readDeparted: () => departedNodes(profile, stateDir),
		readEncryption: () => {
			const kept = stateEncryption(stateDir);
			const rotation = kept ? openRotation(stateDir) : undefined;
			return kept && rotation ? {...kept, rotation} : kept;
		},
		...(readEtcd ? {readEtcd} : {}),
		...(etcd && options.encryption ? {countStoredSecrets: () => countStoredSecrets(etcdClientUrls(profile), etcd, options.probeTimeout * 1000 + 5000)} : {}),
		// New host keys only with --accept-new-host-keys: status looks at nodes apply trusted.
		connect: async (p) =>
			new Map<string, Transport | Error>(
				await Promise.all(
					p.nodes.map(async (node) => [node.name, await connectNode(p, node, options, stop.signal).catch((e: Error) => e)] as const),
				),
			),
	}).finally(() => members?.close());
}

/** An encryption rotation's journal in the state directory, as status shows it; nothing when there is none or it cannot be read. */
function openRotation(stateDir: string) {
	const path = join(stateDir, ROTATION_JOURNAL_FILE);
	if (!existsSync(path)) return undefined;
	const journal = parseRotationJournal(readFileSync(path, 'utf8'));
	if ('unreadable' in journal) return undefined;
	return {startedAt: journal.startedAt, from: journal.from, to: journal.to, phase: journal.phase, rewritten: journal.rewrite?.done ?? null, total: journal.rewrite?.total ?? null};
}

/** Masters installed by this state directory that the profile no longer names; an unreadable record is said by apply, not here. */
function departedNodes(profile: Profile, stateDir: string): Array<{name: string; ip: string; installedAt: string}> {
	try {
		return nodesLeftProfile(readInstalledNodes(stateDir), profile.nodes).map((n) => ({name: n.name, ip: n.ip, installedAt: n.installedAt}));
	} catch {
		return [];
	}
}

/** The state dir's rolling-change journal; a file that cannot be read is said so, never thrown. */
export function readChangeJournal(stateDir: string): JournalRead {
	const file = join(stateDir, JOURNAL_FILE);
	try {
		return {file, ...readJournal(journalFile(stateDir))};
	} catch (error) {
		// Not a missing file (that reads as no journal): a directory, no permission, an I/O error.
		return {file, unreadable: error instanceof Error ? error.message : String(error)};
	}
}
