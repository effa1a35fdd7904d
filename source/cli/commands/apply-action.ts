import {existsSync, readFileSync} from 'node:fs';
import {open} from 'node:fs/promises';
import {join} from 'node:path';
import {UserError} from '../../errors.js';
import {askYes} from '../shared/ask-yes.js';
import {prepare} from '../../plan/prepare.js';
import type {Plan, StackedEtcdPlan} from '../../plan/types.js';
import type {EventSink, RunEvent} from '../../run/events.js';
import {createHttpsHealth} from '../../run/https-health.js';
import {elfArch} from '../../run/preflight.js';
import {nodeSession} from '../../run/node-session.js';
import {ensureKubeletApiBinding, KUBELET_API_BINDING} from '../../run/kubelet-api-binding.js';
import {APISERVER_COMMON_NAME} from '../../pki/cert-specs.js';
import {journalFile} from '../../state/journal-file.js';
import {parseRotationJournal, ROTATION_JOURNAL_FILE} from '../../run/encryption-rotate/rotation-journal.js';
import {openRestore, restoreRefusal} from '../../run/etcd-restore/restore-journal.js';
import {runPlan, type RunnerOptions} from '../../run/runner.js';
import {zstdCopies} from '../../plan/zstd-copies.js';
import {defaultCacheDir, defaultStateDir} from '../../state/state-dir.js';
import {connectNode, type NodeAccessOptions} from '../shared/connect.js';
import {openEarly, type EarlyConnections} from '../shared/early-connections.js';
import type {Profile} from '../../profile/schema.js';
import type {AdminCredentials} from '../../cluster/admin-credentials.js';
import {writeAdminKubeconfig} from '../shared/admin-kubeconfig.js';
import {importUi} from '../shared/import-ui.js';
import {loadProfileFromOptions} from '../shared/load-profile.js';
import {connectTimeoutMs, numberOption, profileChoice, stepsOption, type ProfileChoice} from '../shared/option-values.js';
import type {StepName} from '../../profile/constants.js';
import {shellQuote} from '../../remote/shell.js';
import {handleStopSignals, type StopSignals} from '../shared/stop-signals.js';
import {EXIT} from '../../exit-codes.js';
import {describeTakeover, lockStateDir, type StateLock} from '../shared/state-lock.js';
import {lockingConnect} from '../shared/cluster-lock.js';
import {installedNodesFile} from '../../state/installed-nodes-file.js';
import {etcdModeSwitchRefusal, judgeMemberChange, membershipChangeOf, stackedMembershipRefusal} from '../../run/etcd-member/membership-refusal.js';
import {isEtcdMinorUpgrade, judgeEtcdReleaseChange} from '../../etcd/etcd-upgrade-rule.js';
import {httpsEtcdProbe} from '../../etcd/https-etcd-probe.js';
import {etcdMember} from '../../etcd/members.js';
import type {InstalledNode} from '../../state/installed-nodes-file.js';
import {holdRunFinished, plannedRemoval, printRemovalPlan, refuseUnsafeRemoval, removeDeparted, runRemoval, type Removal} from './apply-removal.js';
import type {RunFinished} from '../../run/remove-master/removal-events.js';

export interface ApplyOptions extends ProfileChoice {
	stateDir?: string;
	yes?: boolean;
	dryRun?: boolean;
	only?: StepName[];
	skip?: StepName[];
	json?: boolean;
	concurrency: number;
	/** Seconds a restarted service must stay healthy in a rolling change before the next node. */
	stabilityWindow: number;
	/** false with --no-compress: binaries go as they are, over SFTP. */
	compress?: boolean;
	/** false with --no-rollback: a node that fails in a rolling change keeps its new files. */
	rollback?: boolean;
	/** false with --no-etcd-snapshot: a minor upgrade starts without one. */
	etcdSnapshot?: boolean;
	/** --allow-mixed-releases: carry on a half-done upgrade that this state directory did not record. */
	allowMixedReleases?: boolean;
	/** --remove-nodes: remove a master that left the profile without asking (apply-removal.ts). */
	removeNodes?: boolean;
	/** --forget-unreachable: such a master that cannot be reached is forgotten anyway. */
	forgetUnreachable?: boolean;
	/** --purge: a removed master loses its binaries too. */
	purge?: boolean;
	knownHosts?: string;
	acceptNewHostKeys?: boolean;
	sshConfig?: string;
	connectTimeoutMs?: number;
}

/** Commander's raw strings → ApplyOptions (option-values.ts): the profile first, then each value. */
export function applyOptions(raw: Record<string, unknown>): ApplyOptions {
	const r = raw as Partial<Record<keyof ApplyOptions, unknown>> & {only?: string[]; skip?: string[]};
	const profile = profileChoice(r as ProfileChoice);
	const only = stepsOption('--only', r.only);
	const skip = stepsOption('--skip', r.skip);
	return {
		...(raw as Omit<ApplyOptions, 'only' | 'skip' | 'concurrency' | 'stabilityWindow'>),
		...profile,
		...(only ? {only} : {}),
		...(skip ? {skip} : {}),
		concurrency: numberOption('--concurrency', (r.concurrency as string | number | undefined) ?? 10, {min: 1, whole: true}),
		stabilityWindow: numberOption('--stability-window', (r.stabilityWindow as string | number | undefined) ?? 10, {min: 0, max: 3600, unit: 'seconds'}),
		connectTimeoutMs: connectTimeoutMs(raw),
	};
}

/**
 * `apply`: profile → plan → runner, with the grid on a terminal, plain lines without
 * one, NDJSON with --json. Returns the exit code: 0 done, 1 a node failed.
 */
export async function runApply(options: ApplyOptions): Promise<number> {
	const interactive = Boolean(process.stdout.isTTY && process.stdin.isTTY) && !options.json;
	// From the start: a signal while the plan is prepared or the nodes are reached counts too.
	// The grid shows the stop itself; plain and NDJSON runs say it on stderr.
	const stop = handleStopSignals(interactive && !options.dryRun ? {} : {stopping: 'stopping: in-flight steps finish, nothing new starts'});
	let early: EarlyConnections | undefined;
	let lock: StateLock | undefined;
	try {
		const profile = await loadProfileFromOptions(options);
		// After the profile: a user fixes that first, then how the run is to go.
		if (!options.yes && !options.dryRun && !interactive) {
			throw new UserError('apply needs --yes when it cannot ask (no terminal, or --json)', 'add --yes, or --dry-run to see what would change');
		}
		// One run per state directory: two at once would each make a CA (state-lock.ts).
		lock = lockStateDir(options.stateDir ?? defaultStateDir(profile.name), options.dryRun ? 'apply --dry-run' : 'apply');
		const takeover = describeTakeover(lock);
		if (takeover) process.stderr.write(`${takeover}\n`);
		// apply converges to the rotation's current phase (the state's config), and says so.
		const rotation = rotationInProgress(options.stateDir ?? defaultStateDir(profile.name));
		if (rotation) process.stderr.write(`${rotation}\n`);
		// Never while an etcd restore is half done: it would start members of two clusters' data.
		const restore = restoreRefusal(openRestore(options.stateDir ?? defaultStateDir(profile.name)), (snapshot) => `k8s-master-setup etcd restore --snapshot ${shellQuote(snapshot)} ${statusArgs(options)}`);
		if (restore) throw new UserError(restore.problem, restore.hint);
		// Without a question to ask first, the nodes are reached while the plan is prepared.
		early = options.yes || options.dryRun ? openEarly(profile, options, stop.signal) : undefined;
		return await applyPrepared(options, profile, interactive, early, stop);
	} finally {
		await early?.closeUntaken();
		lock?.release();
		stop.dispose();
	}
}

async function applyPrepared(
	options: ApplyOptions,
	profile: Profile,
	interactive: boolean,
	early: EarlyConnections | undefined,
	stop: StopSignals,
): Promise<number> {
	// Nothing local is written before the question is answered, and never by a dry run: the
	// plan is made with what the state directory would gain held in memory.
	const ask = !options.yes && !options.dryRun;
	// Deferred in every run: what the state directory gains is written once the gate passed
	// on every node (beforeFirstWrite below), so a run the nodes refuse (another cluster's
	// keys on them, a release the skew policy forbids) leaves no new CA or keys behind.
	const {plan, stateDir, pki, commit} = await prepare({
		profile,
		...(options.stateDir ? {stateDir: options.stateDir} : {}),
		defer: true,
		onPkiChange: (c) => {
			const action = options.dryRun ? `would be ${c.action} (dry run: kept in memory only)` : ask ? `to be ${c.action}` : c.action;
			process.stderr.write(`${options.dryRun || ask ? `${c.item}: ${action}` : `${c.action} ${c.item}`}${c.reason ? `: ${c.reason}` : ''}\n`);
		},
	});
	const installed = installedNodesFile(stateDir);
	// With a stacked etcd a master is a member too: one added or removed per run, the mode kept.
	const stackedRefusal = etcdModeSwitchRefusal(profile, installed.recorded, existsSync(join(stateDir, 'etcd', 'ca.pem'))) ?? stackedMembershipRefusal(profile, installed.recorded);
	if (stackedRefusal) throw stackedRefusal;
	// A master that left the profile: removed by this run once the others converged (apply-removal.ts).
	const gone = plannedRemoval(installed, profile, options, ask);
	const answer = ask ? await confirm(plan, stop, gone) : 'yes';
	if (answer !== 'yes') {
		process.stderr.write(answer === 'interrupted' ? '\ninterrupted; nothing was changed\n' : 'nothing was changed\n');
		return answer === 'interrupted' ? EXIT.interrupted : EXIT.ok;
	}
	const kubeconfigPath = join(stateDir, 'admin.kubeconfig');

	const admin: AdminCredentials = {caPem: pki.ca.cert, certPem: pki.admin.cert, keyPem: pki.admin.key};
	const health = createHttpsHealth(profile, admin);
	// Aborted by the first signal, or by the grid's quit key (stop-signals.ts).
	// One run per cluster too: each connection takes the nodes' lock (cluster-lock.ts).
	const locking = lockingConnect((node) => early?.take(node.name) ?? connectNode(profile, node, options, stop.signal), options.dryRun ? 'shared' : 'exclusive', options.dryRun ? 'apply --dry-run' : 'apply');
	const exitCode = (code: number) => (code === EXIT.failed && locking.refusedNodes().length > 0 ? EXIT.invalid : code);
	const runnerOptions: Omit<RunnerOptions, 'emit'> = {
		plan,
		connect: async (node) => nodeSession(await locking.connect(node)),
		health,
		binaries: await binariesFacts(plan),
		dryRun: options.dryRun,
		only: options.only,
		skip: options.skip,
		concurrency: options.concurrency,
		stabilityWindowMs: Math.round(options.stabilityWindow * 1000),
		rollback: options.rollback !== false,
		// Read by every run (a recorded upgrade explains nodes on two minors); written only by
		// a rolling change, so never by a dry run.
		journal: journalFile(stateDir),
		allowMixedReleases: options.allowMixedReleases === true,
		// Read by every run (the gate accepts what this state placed); recorded only past the gate.
		installed,
		...(gone ? {leavingMasters: [{name: gone.name, hostname: gone.hostname, ip: gone.ip}]} : {}),
		...(options.dryRun
			? {}
			: {
					beforeFirstWrite: async () => {
						commit();
						await writeAdminKubeconfig(stateDir, plan.adminKubeconfig);
					},
				}),
		...(options.etcdSnapshot !== false
			? {
					beforeMinorUpgrade: async () => {
						const {etcdClientCredentials, takeEtcdSnapshot} = await import('../../snapshot/take.js');
						const record = await takeEtcdSnapshot({profile, stateDir, credentials: etcdClientCredentials(profile, stateDir), signal: stop.signal});
						return `etcd snapshot ${record.path} (revision ${record.revision}, sha256 ${record.sha256.slice(0, 12)}…)`;
					},
				}
			: {}),
		ensureClusterObjects: async (dryRun: boolean) => {
			const outcome = await ensureKubeletApiBinding({
				apiservers: profile.nodes.map((n) => `https://${n.ip.includes(':') ? `[${n.ip}]` : n.ip}:6443`),
				admin,
				user: APISERVER_COMMON_NAME,
				dryRun,
			});
			return outcome.action === 'unchanged' ? [] : [`ClusterRoleBinding ${KUBELET_API_BINDING} ${dryRun ? `(to be ${outcome.action})` : outcome.action}`];
		},
		...(options.compress !== false ? {zstdCopies: zstdCopies(defaultCacheDir())} : {}),
		signal: stop.signal,
	};

	// A master that left the profile goes once the profile's masters converged, as the end of
	// the same run: the runner's run-finished is held back until it ended and then counts it.
	const removal: Removal | undefined =
		gone && !options.dryRun
			? {node: gone.name, run: (emit, stderr) => removeDeparted({gone, profile, options, stateDir, admin, health, installed, ...(plan.etcd ? {etcdClient: plan.etcd.client} : {}), signal: stop.signal, emit, stderr})}
			: undefined;
	try {
		// The stacked etcd first: with its quorum lost no apiserver is ready either, and what to do
		// (a restore onto the masters left) is etcd's to say.
		const etcdMinorUpgrade = plan.etcd ? await refuseUnsafeEtcdChange(plan.etcd, profile, installed.recorded) : false;
		if (etcdMinorUpgrade) runnerOptions.etcdMinorUpgrade = true;
		if (gone) await refuseUnsafeRemoval(gone, profile, installed, health);
		if (interactive && !options.dryRun) return exitCode(await applyWithGrid(runnerOptions, stop, profile.name, kubeconfigPath, admin, options, removal));
		const sink = options.json ? await jsonSink() : await plainSink();
		const held = holdRunFinished(sink);
		const result = await runPlan({...runnerOptions, emit: held.emit});
		const removed = await runRemoval(result.ok && !stop.signal.aborted ? removal : undefined, sink, held.take(), true);
		if (gone && options.dryRun && result.ok && !stop.signal.aborted) printRemovalPlan(gone, options, profile);
		if (!options.json && !options.dryRun && result.ok) {
			process.stdout.write(`\nadmin kubeconfig: ${kubeconfigPath}\nnext: kubectl --kubeconfig ${kubeconfigPath} get --raw '/readyz?verbose'\n      k8s-master-setup status ${statusArgs(options)}\n`);
		}
		if (!result.ok && !options.json) {
			process.stderr.write(
				stop.signal.aborted
					? '\nstopped; run the same command again to resume\n'
					: result.refused
						? `\nrefused on ${result.failedNodes.join(', ')}: nothing was changed.\nfix what the lines above name, then run the same command again.\n`
						: `\nfailed on ${result.failedNodes.join(', ')}.\nfix the cause above, then run the same command again to resume.\n`,
			);
		}
		return exitCode(stop.signal.aborted ? EXIT.interrupted : !result.ok ? (result.refused ? EXIT.invalid : EXIT.failed) : removed === false ? EXIT.failed : EXIT.ok);
	} finally {
		health.close();
	}
}

async function applyWithGrid(
	options: Omit<RunnerOptions, 'emit'>,
	stop: StopSignals,
	profileName: string,
	kubeconfigPath: string,
	admin: AdminCredentials,
	access: ApplyOptions,
	removal: Removal | undefined,
): Promise<number> {
	const [{runApplyUi}, {showFinished}, {releasePlanLines}] = await importUi(() =>
		Promise.all([import('../../ui/app-apply.js'), import('../../ui/finished.js'), import('../../ui/release-plan-lines.js')]),
	);
	const listeners = new Set<EventSink>();
	let releasePlan: Extract<RunEvent, {type: 'plan-release'}> | undefined;
	const emit: EventSink = (e) => {
		if (e.type === 'plan-release') releasePlan = e;
		for (const l of listeners) l(e);
	};
	let failed = new Set<string>();
	let refused = false;
	// The removal runs in this grid, as its own row, once the first run (or a retry) left no
	// node failed: the runner's run-finished waits for it, so the grid stays up until the
	// removal ended. A grid of its own after this one would have to repeat the nodes' rows to
	// read well, and the removal would show after the end screen's "installed".
	let pending = removal;
	let removing: Promise<void> = Promise.resolve();
	const finish = async (finished: RunFinished): Promise<void> => {
		const now = finished.ok && !stop.signal.aborted ? pending : undefined;
		if (!now) return emit(finished);
		pending = undefined;
		removing = runRemoval(now, emit, finished, false).then((ok) => {
			if (ok === false) failed.add(now.node);
		});
		await removing;
	};
	const first = (async () => {
		const held = holdRunFinished(emit);
		const r = await runPlan({...options, emit: held.emit});
		failed = new Set(r.failedNodes);
		refused = Boolean(r.refused);
		const finished = held.take();
		if (finished) await finish(finished);
	})();
	// `r` on a failed node runs the plan again for that node alone, into the same grid.
	const retry = async (node: string) => {
		const single: Plan = {...options.plan, nodes: options.plan.nodes.filter((n) => n.node.name === node)};
		let finished: RunFinished | undefined;
		await runPlan({
			...options,
			plan: single,
			emit: (e: RunEvent) => {
				// run-started resets that node's row only (grid-state.ts), so the retry shows from its first step.
				if (e.type === 'run-finished') {
					if (e.ok) failed.delete(node);
					finished = {...e, ok: failed.size === 0, failedNodes: [...failed]};
					return;
				}
				emit(e);
			},
		});
		if (finished) await finish(finished);
	};
	const ui = await runApplyUi({
		stopSignal: stop.signal,
		events: (sink) => {
			listeners.add(sink);
			return () => listeners.delete(sink);
		},
		onRetry: (node) =>
			void retry(node).catch((error: unknown) =>
				emit({type: 'log', at: Date.now(), node, line: `retry of ${node} could not run: ${error instanceof Error ? error.message : String(error)}`}),
			),
		onQuit: async () => {
			// A signal already stopped the run when the grid quits on it. A removal under way
			// runs to its end (a second q quits at once).
			if (!stop.signal.aborted) stop.stop('q');
			await first;
			await removing;
		},
		profileName,
	});
	// A second q or Ctrl-C while stopping: quit at once, as a second signal does.
	if (ui.outcome === 'interrupted') stop.stop('q');
	await first;
	await removing;
	// The grid's footer names the check that refused the change; the whole plan that
	// explains it (every component's release now and planned) goes under the grid, as the
	// plain output prints it: it is too tall for the footer of a 24-line terminal.
	if (refused && releasePlan) {
		const symbols = Boolean(process.stdout.isTTY) && !process.env['NO_COLOR'];
		process.stdout.write(`\n${releasePlanLines(releasePlan, {symbols, width: Math.min(process.stdout.columns || 80, 80)}).join('\n')}\n`);
	}
	const ok = failed.size === 0 && !stop.signal.aborted;
	const dashboard = ok ? await statusOnce(options.plan, admin, access).catch(() => undefined) : undefined;
	await showFinished({profileName, kubeconfigPath, ok, failedNodes: [...failed], refused, statusArgs: statusArgs(access), ...(dashboard ? {dashboard} : {})});
	return stop.signal.aborted ? EXIT.interrupted : ok ? EXIT.ok : refused ? EXIT.invalid : EXIT.failed;
}

/**
 * The [y/N] question. Ctrl-C here (readline sees it as a key, not a signal) and a signal
 * both end it as an interruption, never as readline's AbortError.
 */
async function confirm(plan: Plan, stop: StopSignals, gone?: {name: string; ip: string}): Promise<'yes' | 'no' | 'interrupted'> {
	const nodes = plan.nodes.map((n) => `${n.node.name} (${n.node.ip})`).join(', ');
	const removing = gone ? `, then remove ${gone.name} (${gone.ip}), which left the profile,` : '';
	return askYes(`Apply Kubernetes ${plan.kubernetesRelease} control plane to ${nodes}${removing}? [y/N] `, stop);
}

/** A line when an encryption rotation's journal is open in the state directory. */
function rotationInProgress(stateDir: string): string | undefined {
	const path = join(stateDir, ROTATION_JOURNAL_FILE);
	if (!existsSync(path)) return undefined;
	const journal = parseRotationJournal(readFileSync(path, 'utf8'));
	const what = 'unreadable' in journal ? '' : ` (${journal.from.provider} ${journal.from.keyName} → ${journal.to.provider} ${journal.to.keyName}, in phase ${journal.phase})`;
	return `an encryption rotation is in progress${what}: apply keeps every node on its current phase's config; finish it with \`k8s-master-setup encryption rotate\` and the same profile`;
}

/** Architecture (from the ELF header) and total size of the binaries, for preflight. */
export async function binariesFacts(plan: Plan): Promise<{arch: string; totalBytes: number}> {
	const binaries = plan.nodes[0]?.files.filter((f) => f.step === 'binaries') ?? [];
	const first = binaries.find((f) => f.localPath);
	let arch = 'unknown';
	if (first?.localPath) {
		const handle = await open(first.localPath, 'r');
		try {
			const header = Buffer.alloc(20);
			await handle.read(header, 0, 20, 0);
			arch = elfArch(header);
		} finally {
			await handle.close();
		}
	}
	return {arch, totalBytes: binaries.reduce((n, f) => n + f.size, 0)};
}

export async function plainSink(): Promise<EventSink> {
	const {createPlainReporter} = await import('../../ui/plain-reporter.js');
	// ✓/✗ on a terminal that takes colour (NO_COLOR as theme.tsx reads it; not imported: it loads ink).
	const symbols = Boolean(process.stdout.isTTY) && !process.env['NO_COLOR'];
	return createPlainReporter((s) => process.stdout.write(s), {symbols});
}

export async function jsonSink(): Promise<EventSink> {
	const {createJsonReporter} = await import('../../ui/json-reporter.js');
	return createJsonReporter((s) => process.stdout.write(s));
}

/** The arguments that point `status` at the same profile, state and host keys. */
function statusArgs(options: ApplyOptions): string {
	return [
		options.profileFile ? `--profile-file ${shellQuote(options.profileFile)}` : `--profile ${shellQuote(options.profile ?? '')}`,
		...(options.stateDir ? [`--state-dir ${shellQuote(options.stateDir)}`] : []),
		...(options.knownHosts ? [`--known-hosts ${shellQuote(options.knownHosts)}`] : []),
		...(options.sshConfig ? [`--ssh-config ${shellQuote(options.sshConfig)}`] : []),
		...(options.connectTimeoutMs !== undefined && options.connectTimeoutMs !== 10_000 ? [`--connect-timeout ${options.connectTimeoutMs / 1000}`] : []),
	].join(' ');
}

/** One status snapshot of the cluster just installed, as the end screen's dashboard. */
async function statusOnce(plan: Plan, admin: AdminCredentials, access: NodeAccessOptions = {}) {
	const {createStatusProber} = await import('../../status/probes.js');
	const {buildViewModel} = await import('../../status/view-model.js');
	const {StatusDashboard, colorEnabled} = await import('../../ui/status-dashboard.js');
	const React = (await import('react')).default;
	const profile = plan.profile;
	const connections = new Map(
		await Promise.all(profile.nodes.map(async (n) => [n.name, await connectNode(profile, n, access).catch((e: Error) => e)] as const)),
	);
	const prober = createStatusProber({profile, admin});
	try {
		const snapshot = await prober.probe(connections);
		return React.createElement(StatusDashboard, {view: buildViewModel(snapshot), interactive: false, color: colorEnabled()});
	} finally {
		prober.close();
		await Promise.all([...connections.values()].map((c) => (c instanceof Error ? undefined : c.close().catch(() => undefined))));
	}
}

/** A stacked etcd's member added or removed: refused (exit 2) before anything is written when the cluster could not take it. */
/**
 * Before anything is written to a running stacked cluster (true when its members move to the
 * next etcd minor: the snapshot is taken first): its members may move to the planned
 * etcd release (etcd-upgrade-rule.ts: patches, one minor up from a safe patch), and a master
 * added or removed keeps the quorum (membership-refusal.ts). Members that do not answer are
 * left to the rolling change's own gate.
 */
async function refuseUnsafeEtcdChange(etcd: StackedEtcdPlan, profile: Profile, installed: readonly InstalledNode[]): Promise<boolean> {
	if (installed.length === 0) return false;
	const change = membershipChangeOf(profile, installed);
	const probe = httpsEtcdProbe(installed.map(etcdMember), etcd.client);
	try {
		const view = await probe.view();
		const refusal = judgeEtcdReleaseChange(view, etcd.version) ?? judgeMemberChange(view, change, [...profile.nodes, ...installed].map(etcdMember));
		if (refusal) throw refusal;
		return isEtcdMinorUpgrade(view, etcd.version);
	} finally {
		probe.close();
	}
}
