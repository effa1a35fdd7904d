import {copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync} from 'node:fs';
import {homedir, tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {importUi} from '../shared/import-ui.js';
import {loadWizardDraft, removeWizardDraft, saveWizardDraft} from '../shared/wizard-draft.js';
import {localPathProblem, verifyAnswers} from '../shared/wizard-checks.js';
import {makeDirectory} from '../../make-directory.js';
import {EXIT} from '../../exit-codes.js';
import {UserError} from '../../errors.js';
import {handleStopSignals} from '../shared/stop-signals.js';
import {connectTimeoutMs} from '../shared/option-values.js';
import {DEFAULT_CONNECT_TIMEOUT_MS} from '../shared/connect.js';
import type {NodeCheckResult, NodeToCheck} from '../../ui/index.js';
import type {ApplyOptions} from './apply-action.js';

export interface InitOptions {
	stateDir?: string;
	knownHosts?: string;
	acceptNewHostKeys?: boolean;
	sshConfig?: string;
	/** --connect-timeout, for the node checks and the apply that follows. */
	connectTimeoutMs?: number;
	/** Only save the profile; do not apply it. */
	saveOnly?: boolean;
	/** Also write the answers to this profile file (YAML). */
	export?: string;
	/** Open this saved profile in the wizard to change it. */
	edit?: string;
}

/** Commander's raw values → InitOptions (option-values.ts). */
export function initOptions(raw: Record<string, unknown>): InitOptions {
	return {...(raw as InitOptions), connectTimeoutMs: connectTimeoutMs(raw)};
}

/**
 * The guided first install: the wizard's answers are saved as a named profile before
 * anything touches a node, then applied with the live grid, ending on the status screen.
 */
export async function runInit(options: InitOptions): Promise<number> {
	// Checked here, before ink is loaded: the wizard cannot run without a terminal.
	if (!process.stdin.isTTY) {
		throw new UserError(
			'the setup wizard needs an interactive terminal, and stdin is not one',
			'install without questions with `k8s-master-setup apply --profile-file FILE` (YAML or JSON) or `apply --profile NAME` (saved by the wizard)',
		);
	}
	// Only what draws the first frame is loaded before it: ssh2 (node checks), the profile
	// store (conf, yaml) and the binaries reader are imported when first used.
	const {runWizard} = await importUi(() => import('../../ui/wizard/run-wizard.js'));
	const knownHosts = options.knownHosts ?? join(homedir(), '.ssh', 'known_hosts');
	const scratch = mkdtempSync(join(tmpdir(), 'k8s-master-setup-hostkeys-'));
	const pendingLines = new Map<string, string[]>();
	// SIGINT/SIGTERM end the wizard as its Ctrl-C key does (exit 130); node checks still
	// connecting are given up then, so a hung node never keeps the process alive.
	const stop = handleStopSignals({});
	const checks = new AbortController();
	stop.signal.addEventListener('abort', () => checks.abort(), {once: true});
	try {
		const kept = loadWizardDraft();
		let keptAt: string | undefined;
		const {editing, resumeBase} = await profilesToEdit(options.edit, kept?.editing);
		const answers = await runWizard({
			...(kept ? {resume: kept} : {}),
			...(editing ? {initial: editing, base: editing, editing: options.edit} : {}),
			...(resumeBase ? {resumeBase} : {}),
			loadSavedNames: async () => (await import('../../profile/store.js')).storedProfileNames(),
			onDraft: (draft) => saveWizardDraft(draft),
			signal: stop.signal,
			checkNode: (node) => checkNode(node, knownHosts, scratch, pendingLines, options, checks.signal),
			readBinariesVersion: async (path) => (await import('../../plan/binaries.js')).readBinariesRelease(path),
			checkLocalPath: (key, path) => localPathProblem(key, path),
			verify: verifyAnswers,
			onHostKeys: (keys) => {
				// Only the keys the user accepted on the host-key screen reach known_hosts.
				const lines = keys.flatMap((k) => pendingLines.get(k.node) ?? []);
				if (lines.length === 0) return;
				makeDirectory(dirname(knownHosts), 0o700, 'known_hosts directory');
				appendFileSync(knownHosts, lines.map((l) => `${l}\n`).join(''), {mode: 0o600});
			},
			onCancel: (draft) => {
				keptAt = saveWizardDraft(draft);
			},
		});
		// Said once ink has let go of the terminal: written while it still draws, its last
		// frame can be drawn over the line (seen under load in the tmux test).
		if (keptAt) process.stderr.write(`cancelled; nothing was written to any node. Your answers so far (without a pasted key) are kept in ${keptAt}; the next start offers to resume them.\n`);
		checks.abort();
		stop.dispose();
		if (!answers || stop.signal.aborted) return EXIT.interrupted;
		const {saveProfile} = await import('../../profile/load.js');
		const {readStoredProfile} = await import('../../profile/store.js');
		const replaced = await readStoredProfile(answers.name);
		const where = await saveProfile(answers);
		process.stderr.write(`saved profile "${answers.name}" in ${where}\n`);
		removeWizardDraft();
		if (options.export) {
			const YAML = (await import('yaml')).default;
			writeFileSync(options.export, YAML.stringify(answers), {mode: 0o600});
			process.stderr.write(`exported to ${options.export}\n`);
		}
		if (options.saveOnly) {
			process.stderr.write(`apply it with: k8s-master-setup apply --profile ${answers.name}\n`);
			return 0;
		}
		const {runApply} = await import('./apply-action.js');
		// A master taken out of the profile is removed only when apply asked (apply-removal.ts):
		// then its own question, which names the removal, comes before anything is changed.
		const removes = (replaced?.nodes ?? []).some((n) => !answers.nodes.some((a) => a.name === n.name));
		const applyOptions: ApplyOptions = {
			profile: answers.name,
			yes: !removes,
			concurrency: 10,
			stabilityWindow: 10,
			...(options.stateDir ? {stateDir: options.stateDir} : {}),
			knownHosts: options.knownHosts,
			acceptNewHostKeys: options.acceptNewHostKeys,
			sshConfig: options.sshConfig,
			connectTimeoutMs: options.connectTimeoutMs,
		};
		return await runApply(applyOptions);
	} finally {
		checks.abort();
		stop.dispose();
		rmSync(scratch, {recursive: true, force: true});
	}
}

/** The saved profile `--edit` names (refused when there is none), and the one a kept draft was editing. */
async function profilesToEdit(edit: string | undefined, keptEditing: string | undefined) {
	if (edit === undefined && keptEditing === undefined) return {};
	const {readStoredProfile, storedProfileNames} = await import('../../profile/store.js');
	const editing = edit === undefined ? undefined : await readStoredProfile(edit);
	if (edit !== undefined && editing === undefined) {
		const saved = await storedProfileNames();
		throw new UserError(`no saved profile named "${edit}"${saved.length ? ` (saved: ${saved.join(', ')})` : ''}`, '`k8s-master-setup profiles list` lists the saved profiles');
	}
	const resumeBase = keptEditing === undefined ? undefined : await readStoredProfile(keptEditing);
	return {editing, resumeBase};
}

/**
 * Connects to a node as soon as it is entered: proves the address, the credentials and
 * shows the host key. An unknown key is recorded in a scratch copy of known_hosts only;
 * the real file gets it once the user accepts it on the host-key screen.
 */
async function checkNode(
	node: NodeToCheck,
	knownHosts: string,
	scratch: string,
	pendingLines: Map<string, string[]>,
	access: InitOptions,
	signal: AbortSignal,
): Promise<NodeCheckResult> {
	const copy = join(scratch, `${node.name}-known_hosts`);
	if (existsSync(knownHosts)) copyFileSync(knownHosts, copy);
	else writeFileSync(copy, '');
	const before = readFileSync(copy, 'utf8');
	let seen: {keyType: string; fingerprint: string} | undefined;
	const [{connectSsh}, {SshError}] = await Promise.all([import('../../remote/ssh-transport.js'), import('../../remote/ssh-errors.js')]);
	try {
		const transport = await connectSsh(
			{node: node.name, host: node.ip, user: node.ssh.user, port: node.ssh.port, identityFile: node.ssh.identityFile},
			{
				hostKeys: {
					knownHostsFile: copy,
					confirmHostKey: async (_host, keyType, fingerprint) => {
						seen = {keyType, fingerprint};
						return true;
					},
				},
				...(access.sshConfig ? {sshConfig: {file: access.sshConfig}} : {}),
				readyTimeoutMs: access.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
				signal,
			},
		);
		await transport.close();
		const added = readFileSync(copy, 'utf8').slice(before.length).split('\n').filter(Boolean);
		pendingLines.set(node.name, added);
		return seen ? {ok: true, ...seen} : {ok: true, fingerprint: 'known (in known_hosts)'};
	} catch (error) {
		const hint = error instanceof SshError ? error.hint : undefined;
		return {ok: false, error: String((error as Error).message ?? error), ...(hint ? {hint} : {}), ...(seen ?? {})};
	}
}
