import {createHash} from 'node:crypto';
import {etcdClientUrls} from '../../etcd/members.js';
import {join} from 'node:path';
import type {AdminCredentials} from '../../cluster/admin-credentials.js';
import {UserError} from '../../errors.js';
import {EXIT} from '../../exit-codes.js';
import {askYes} from '../shared/ask-yes.js';
import {keyringOf, readKeptKeys} from '../../pki/encryption-keyring.js';
import {ENCRYPTION_PROVIDERS, keptEncryptionSetting, newKeyName, type EncryptionKeyRef, type EncryptionProvider} from '../../pki/encryption-setting.js';
import {ENCRYPTION_KEY_FILE} from '../../pki/kept-material.js';
import {prepare} from '../../plan/prepare.js';
import {zstdCopies} from '../../plan/zstd-copies.js';
import {renderEncryptionConfig} from '../../render/config-files.js';
import {targetPaths} from '../../render/paths.js';
import {CANARY_ETCD_KEY} from '../../run/encryption-rotate/barrier-checks.js';
import {rotateEncryption, type RotationOutcome} from '../../run/encryption-rotate/rotate.js';
import {judgeRotationPreflight, type DryRunFindings} from '../../run/encryption-rotate/rotation-preflight.js';
import {rotationPlanLines} from '../../run/encryption-rotate/rotation-plan.js';
import {
	parseRotationJournal,
	phaseSetting,
	ROTATION_JOURNAL_FILE,
	ROTATION_PHASES,
	rotationJournalJson,
	type RotationJournal,
	type RotationPhase,
} from '../../run/encryption-rotate/rotation-journal.js';
import {keepNewKey, newSecret, writePhaseState} from '../../run/encryption-rotate/rotation-state.js';
import {httpsSecretsApi} from '../../run/encryption-rotate/secrets-api.js';
import type {EventSink, RunEvent} from '../../run/events.js';
import {createHttpsHealth} from '../../run/https-health.js';
import {readJournal} from '../../run/journal.js';
import {nodeSession} from '../../run/node-session.js';
import {runPlan, type RunnerOptions} from '../../run/runner.js';
import {readStoredValue, countStoredSecrets} from '../../snapshot/stored-secrets-count.js';
import {etcdClientCredentials, takeEtcdSnapshot} from '../../snapshot/take.js';
import {installedNodesFile} from '../../state/installed-nodes-file.js';
import {journalFile} from '../../state/journal-file.js';
import {defaultCacheDir, defaultStateDir, StateDir} from '../../state/state-dir.js';
import type {Profile} from '../../profile/schema.js';
import {writeAdminKubeconfig} from '../shared/admin-kubeconfig.js';
import {lockingConnect} from '../shared/cluster-lock.js';
import {connectNode, type NodeAccessOptions} from '../shared/connect.js';
import {loadProfileFromOptions} from '../shared/load-profile.js';
import {connectTimeoutMs, numberOption, profileChoice, type ProfileChoice} from '../shared/option-values.js';
import {describeTakeover, lockStateDir} from '../shared/state-lock.js';
import {handleStopSignals, type StopSignals} from '../shared/stop-signals.js';
import {binariesFacts, jsonSink, plainSink} from './apply-action.js';
import {importUi} from '../shared/import-ui.js';
import type {RotationEvent} from '../../ui/rotation-state.js';

export interface RotateOptions extends ProfileChoice, NodeAccessOptions {
	stateDir?: string;
	provider?: EncryptionProvider;
	yes?: boolean;
	/** Check every master and print the phases; change nothing. */
	dryRun?: boolean;
	json?: boolean;
	/** Secrets rewritten per second at most. */
	rate: number;
	stabilityWindow: number;
	etcdSnapshot?: boolean;
}

export function rotateOptions(raw: Record<string, unknown>): RotateOptions {
	const provider = raw['provider'] as string | undefined;
	if (provider !== undefined && !ENCRYPTION_PROVIDERS.includes(provider as EncryptionProvider)) {
		throw new UserError(`--provider: ${JSON.stringify(provider)} is not a provider this tool writes`, `use one of ${ENCRYPTION_PROVIDERS.join(', ')} (KMS v2 needs a plugin the tool does not run)`);
	}
	return {
		...(raw as Omit<RotateOptions, 'rate' | 'stabilityWindow'>),
		...profileChoice(raw as ProfileChoice),
		rate: numberOption('--rate', (raw['rate'] as string | undefined) ?? 50, {min: 1, max: 10_000, unit: 'Secrets per second'}),
		stabilityWindow: numberOption('--stability-window', (raw['stabilityWindow'] as string | undefined) ?? 10, {min: 0, max: 3600, unit: 'seconds'}),
		connectTimeoutMs: connectTimeoutMs(raw),
	};
}

/**
 * `encryption rotate`: a new key, then the phases of rotate.ts from the journal's. Returns
 * the exit code: 0 rotated, 1 a phase failed (the journal stays: run again), 2 refused
 * before anything changed, 130 stopped.
 */
export async function runEncryptionRotate(options: RotateOptions): Promise<number> {
	const interactive = Boolean(process.stdout.isTTY && process.stdin.isTTY) && !options.json;
	const stop = handleStopSignals({stopping: 'stopping: the node being changed finishes its step, then the rotation stops; run the same command again to carry on'});
	let lock: ReturnType<typeof lockStateDir> | undefined;
	try {
		const profile = await loadProfileFromOptions(options);
		if (!options.yes && !options.dryRun && !interactive) throw new UserError('encryption rotate needs --yes when it cannot ask (no terminal, or --json)', 'add --yes, or --dry-run to see what it would do');
		const stateDir = options.stateDir ?? defaultStateDir(profile.name);
		lock = lockStateDir(stateDir, options.dryRun ? 'encryption rotate --dry-run' : 'encryption rotate');
		const takeover = describeTakeover(lock);
		if (takeover) process.stderr.write(`${takeover}\n`);
		return await rotate(options, profile, stateDir, interactive, stop);
	} finally {
		lock?.release();
		stop.dispose();
	}
}

async function rotate(options: RotateOptions, profile: Profile, stateDir: string, interactive: boolean, stop: StopSignals): Promise<number> {
	const state = StateDir.open(stateDir);
	const writerSecret = state.read(ENCRYPTION_KEY_FILE)?.trim();
	if (!writerSecret) throw new UserError(`no encryption key in ${stateDir}: nothing was installed from this state directory`, 'run apply first (or state recover --from NODE); nothing was changed');
	// Plain lines or NDJSON; on a terminal, the rotation grid once the phases start (before it, lines).
	const out = interactive ? undefined : options.json ? await jsonSink() : await plainSink();
	let grid: ((e: RotationEvent) => void) | undefined;
	const emit: EventSink = (e) => (grid ? grid(e) : out?.(e));
	const say = (line: string) => {
		if (grid) grid({type: 'rotation-line', line});
		else if (out) out({type: 'log', at: Date.now(), node: profile.nodes[0]!.name, line});
		else process.stdout.write(`${line}\n`);
	};

	// A rotation carries on from its journal; a new one needs no other change half-done.
	const journalText = state.read(ROTATION_JOURNAL_FILE);
	let journal: RotationJournal | undefined;
	if (journalText !== undefined) {
		const parsed = parseRotationJournal(journalText);
		if ('unreadable' in parsed) throw new UserError(`${state.file(ROTATION_JOURNAL_FILE)} cannot be read: ${parsed.unreadable}`, 'restore it from your backup of the state directory; nothing was changed');
		journal = parsed;
		if (options.provider !== undefined && options.provider !== journal.to.provider) {
			throw new UserError(
				`--provider ${options.provider}: the rotation started ${journal.startedAt} goes to ${journal.to.provider} ${journal.to.keyName} and is in phase ${journal.phase}`,
				'run it again without --provider (or with its own) to finish it first; nothing was changed',
			);
		}
	} else {
		const rolling = readJournal(journalFile(stateDir)).journal;
		if (rolling) {
			throw new UserError(
				`apply's change started ${rolling.startedAt} is not finished (its journal ${join(stateDir, 'rollout-journal.json')})`,
				'finish it with `apply` of this profile, then rotate; nothing was changed',
			);
		}
	}
	const current = keptEncryptionSetting(state, true)!;
	if (!journal && current.readers && current.readers.length > 0) {
		throw new UserError(`encryption.json holds readers (${current.readers.map((r) => r.keyName).join(', ')}) but no rotation journal is kept`, 'restore the state directory from your backup; nothing was changed');
	}
	const kept = readKeptKeys(state);
	const from: EncryptionKeyRef = journal?.from ?? {provider: current.provider, keyName: current.keyName};
	const to: EncryptionKeyRef = journal?.to ?? {
		provider: options.provider ?? current.provider,
		keyName: newKeyName(new Date(), [current.keyName, ...kept.map((k) => k.keyName)]),
	};

	// Before anything changes: apply's dry run with the state as it is.
	const first = await prepare({profile, stateDir, defer: true});
	if (first.pkiChanges.length > 0) {
		throw new UserError(
			`the profile would change the state directory first: ${first.pkiChanges.map((c) => `${c.item} ${c.action}`).join(', ')}`,
			'run `apply` with this profile (a rotation changes only the encryption config), then rotate; nothing was changed',
		);
	}
	const admin: AdminCredentials = {caPem: first.pki.ca.cert, certPem: first.pki.admin.cert, keyPem: first.pki.admin.key};
	const health = createHttpsHealth(profile, admin);
	const masters = profile.nodes.map((n) => ({name: n.name, endpoint: {host: n.ip, port: 6443}}));
	const api = httpsSecretsApi(
		masters.map((m) => m.endpoint),
		admin,
	);
	const credentials = etcdClientCredentials(profile, stateDir);
	try {
		// A resumed rotation: a node may hold any of its phases' configs, or the one from before it.
		const accepted = new Set<string>();
		const acceptPhases = (j: RotationJournal, keys: typeof kept) => {
			for (const setting of [{provider: from.provider, keyName: from.keyName}, ...ROTATION_PHASES.map((phase) => phaseSetting(j, phase))]) {
				const ring = keyringOf(setting, writerSecret, keys);
				accepted.add(sha256(renderEncryptionConfig(ring.writer.secret, setting, ring.readers)));
			}
		};
		if (journal) acceptPhases(journal, kept);
		const encryptionConfigPath = targetPaths(profile).encryptionConfig;
		const runnerBase = async (plan: RunnerOptions['plan'], commit: () => void, dryRun: boolean): Promise<Omit<RunnerOptions, 'emit'>> => {
			const locking = lockingConnect((node) => connectNode(profile, node, options, stop.signal), dryRun ? 'shared' : 'exclusive', 'encryption rotate');
			return {
				plan,
				connect: async (node) => nodeSession(await locking.connect(node)),
				health,
				binaries: await binariesFacts(plan),
				dryRun,
				stabilityWindowMs: Math.round(options.stabilityWindow * 1000),
				rollback: true,
				journal: journalFile(stateDir),
				installed: installedNodesFile(stateDir),
				acceptedIdentity: new Map([[encryptionConfigPath, accepted]]),
				...(dryRun
					? {}
					: {
							beforeFirstWrite: async () => {
								commit();
								await writeAdminKubeconfig(stateDir, plan.adminKubeconfig);
							},
						}),
				zstdCopies: zstdCopies(defaultCacheDir()),
				signal: stop.signal,
			};
		};

		const findings: DryRunFindings = {failed: [], changes: []};
		const collect: EventSink = (e: RunEvent) => {
			if (e.type === 'plan-change') findings.changes.push({node: e.node, change: e.change});
			if (e.type === 'step-failed') findings.failed.push({node: e.node, step: e.step, message: e.cause, ...(e.hint ? {hint: e.hint} : {})});
		};
		say(journal ? `carrying on with the rotation started ${journal.startedAt} (${from.provider} ${from.keyName} → ${to.provider} ${to.keyName}), in phase ${journal.phase}` : `checking every master before the rotation ${from.provider} ${from.keyName} → ${to.provider} ${to.keyName}`);
		const checked = await runPlan({...(await runnerBase(first.plan, () => undefined, true)), emit: collect});
		if (stop.signal.aborted) return EXIT.interrupted;
		const refusals = judgeRotationPreflight({findings, encryptionConfigPath, acceptedConfigs: accepted, resuming: journal !== undefined});
		if (refusals.length > 0) {
			for (const r of refusals) process.stderr.write(`✗ ${r.message}\n  ${r.hint}\n`);
			process.stderr.write(`refused: nothing was changed${journal ? ' (the rotation stays in its phase)' : ''}\n`);
			// Unreachable masters are a failure (1); a refusal by the gate, drift or a pending change is invalid input (2).
			return checked.refused || findings.failed.length === 0 ? EXIT.invalid : EXIT.failed;
		}

		if (options.dryRun) {
			const lines = rotationPlanLines({from, to, masters: profile.nodes.map((n) => n.name), ...(journal ? {journal} : {}), snapshot: options.etcdSnapshot !== false, rate: options.rate});
			if (options.json) process.stdout.write(`${JSON.stringify({type: 'rotation-plan', at: Date.now(), lines})}\n`);
			else process.stdout.write(`${lines.join('\n')}\n`);
			return EXIT.ok;
		}
		if (!options.yes) {
			const answer = await askYes(`Rotate the encryption key of ${profile.name} (${from.provider} ${from.keyName} → ${to.provider} ${to.keyName}) on ${profile.nodes.map((n) => n.name).join(', ')}? [y/N] `, stop);
			if (answer !== 'yes') {
				process.stderr.write(answer === 'interrupted' ? '\ninterrupted; nothing was changed\n' : 'nothing was changed\n');
				return answer === 'interrupted' ? EXIT.interrupted : EXIT.ok;
			}
		}

		if (!journal) {
			// A snapshot first, readable with the key it names (kept in the state as retired afterwards).
			let snapshot: string | undefined;
			if (options.etcdSnapshot !== false) {
				const record = await takeEtcdSnapshot({profile, stateDir, credentials, signal: stop.signal});
				snapshot = `etcd snapshot ${record.path} (revision ${record.revision}; its Secrets need ${record.encryptionKeys.map((k) => `${k.provider} ${k.name}`).join(', ')})`;
				say(snapshot);
			}
			// The new key is in the state directory before any node sees it.
			keepNewKey(state, from, to, newSecret(to.provider));
			journal = {version: 1, startedAt: new Date().toISOString(), from, to, phase: 'read-enable', passed: [], ...(snapshot ? {snapshot} : {})};
			state.write(ROTATION_JOURNAL_FILE, rotationJournalJson(journal));
			acceptPhases(journal, readKeptKeys(state));
			say(`new key ${to.provider} ${to.keyName} kept in ${state.file('encryption-keys.json')} (0600): back the state directory up now, it is the only copy off the nodes`);
		}

		const started = performance.now();
		let ui: {done: Promise<void>} | undefined;
		if (interactive) {
			const [{runRotateUi}, {initialRotationView}] = await importUi(() => Promise.all([import('../../ui/app-rotate.js'), import('../../ui/rotation-state.js')]));
			const listeners = new Set<(e: RotationEvent) => void>();
			grid = (e) => listeners.forEach((l) => l(e));
			ui = runRotateUi({
				initial: initialRotationView(`encryption rotate ${profile.name}: ${from.provider} ${from.keyName} → ${to.provider} ${to.keyName}`, profile.nodes.map((n) => n.name), journal.passed.map((p) => p.phase)),
				events: (sink) => {
					listeners.add(sink);
					return () => listeners.delete(sink);
				},
				onQuit: () => stop.stop('q'),
			});
		}
		const outcome = await rotateEncryption(
			{
				journal: {write: (text) => state.write(ROTATION_JOURNAL_FILE, text), remove: () => state.remove(ROTATION_JOURNAL_FILE)},
				writeState: (j, phase) => writePhaseState(state, j, phase, new Date()),
				converge: async (phase: RotationPhase) => {
					const prepared = await prepare({profile, stateDir, defer: true});
					say(`${phase}: every apiserver's encryption config to the state's (${describeSetting(prepared.pki.encryption)}), one node at a time`);
					const result = await runPlan({...(await runnerBase(prepared.plan, prepared.commit, false)), emit});
					return {ok: result.ok, failedNodes: result.failedNodes};
				},
				barrier: {api, masters, storedValue: () => readStoredValue(etcdClientUrls(profile), credentials, CANARY_ETCD_KEY, 10_000), say},
				api,
				count: async () => {
					const counted = await countStoredSecrets(etcdClientUrls(profile), credentials, 30_000);
					if (counted.endpoint === null) throw new UserError(`the Secrets in etcd could not be counted: ${counted.error}`, 'check the etcd endpoints; run the same command again');
					return counted;
				},
				ratePerSecond: options.rate,
				say,
				progress: (done, total) => (grid ? grid({type: 'rotation-progress', done, total}) : say(`rewrite: ${done}${total !== null ? ` of ${total}` : ''} Secrets`)),
				phaseChanged: (phase, phaseState) => grid?.({type: 'rotation-phase', phase, state: phaseState}),
				signal: stop.signal,
				now: () => new Date(),
			},
			journal,
		);
		const {code, lines} = report(outcome, (performance.now() - started) / 1000, stateDir, profile);
		if (grid && ui) {
			grid({type: 'rotation-finished', ok: code === EXIT.ok, lines});
			await ui.done;
		} else if (options.json) {
			// NDJSON to the end: the closing lines as one last event.
			process.stdout.write(`${JSON.stringify({type: 'rotation-finished', at: Date.now(), ok: code === EXIT.ok, exitCode: code, lines})}\n`);
		} else (code === EXIT.ok ? process.stdout : process.stderr).write(`\n${lines.join('\n')}\n`);
		return code;
	} finally {
		api.close();
		health.close();
	}
}

/** The exit code and the closing lines (the first says how it ended). */
function report(outcome: RotationOutcome, seconds: number, stateDir: string, profile: Profile): {code: number; lines: string[]} {
	if (outcome.result === 'interrupted') {
		return {code: EXIT.interrupted, lines: [`stopped in phase ${outcome.phase}; run the same command again to carry on (the journal is ${join(stateDir, ROTATION_JOURNAL_FILE)})`]};
	}
	if (outcome.result === 'failed') {
		return {code: EXIT.failed, lines: [`✗ encryption rotate failed in phase ${outcome.phase}: ${outcome.error.message}`, `  ${outcome.error.hint ?? 'run the same command again to carry on'}`]};
	}
	const {from, to} = outcome.journal;
	const lines = [
		`rotated: Secrets are written with ${to.provider} ${to.keyName} on ${profile.nodes.map((n) => n.name).join(', ')}, in ${seconds.toFixed(1)} s`,
		`  etcd: ${outcome.counts.total} Secrets, ${outcome.counts.byKey.map((k) => `${k.count} ${k.provider} ${k.keyName}`).join(', ')}, ${outcome.counts.plaintext} plaintext`,
		`  ${from.provider} ${from.keyName} is dropped from every config and kept in ${join(stateDir, 'encryption-keys.json')} as retired: snapshots taken before need it`,
	];
	if (profile.encryption.key !== undefined || (profile.encryption.provider !== undefined && profile.encryption.provider !== to.provider)) {
		lines.push(`  the profile still names the old ${profile.encryption.key !== undefined ? 'encryption.key' : `encryption.provider (${profile.encryption.provider})`}: the state's key is used; remove encryption.key and set encryption.provider: ${to.provider}`);
	}
	return {code: EXIT.ok, lines};
}

function describeSetting(setting: ReturnType<typeof phaseSetting>): string {
	const readers = setting.readers ?? [];
	return `writes with ${setting.provider} ${setting.keyName}${readers.length > 0 ? `, also reads ${readers.map((r) => `${r.provider} ${r.keyName}`).join(', ')}` : ''}`;
}

function sha256(text: string): string {
	return createHash('sha256').update(text).digest('hex');
}
