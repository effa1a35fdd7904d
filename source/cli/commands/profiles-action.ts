// `profiles …`: the saved profiles (profile/store.ts) as a user sees them. Output goes to
// stdout (for scripts), questions and notes to stderr; each function returns the exit code.
import {createInterface} from 'node:readline/promises';
import {dirname} from 'node:path';
import YAML from 'yaml';
import {UserError} from '../../errors.js';
import type {ProfileInput} from '../../profile/schema.js';
import {profileStorePath, readStoredProfile, removeStoredProfile, storedProfileNames} from '../../profile/store.js';
import {defaultCacheDir, defaultStateDir} from '../../state/state-dir.js';
import {wizardDraftPath} from '../shared/wizard-draft.js';

export interface ProfilesIo {
	env?: NodeJS.ProcessEnv;
	stdout?: {write: (s: string) => unknown};
	stderr?: {write: (s: string) => unknown};
	/** Asks a yes/no question; default: a [y/N] prompt on the terminal. */
	ask?: (question: string) => Promise<boolean>;
	/** Whether a question can be asked (stdin is a terminal). */
	interactive?: boolean;
}

const MASK = '•••••••• (hidden; in the profile store)';

/** The stored entry with its secrets masked (today the encryption key). */
export function maskedProfile(input: ProfileInput): ProfileInput {
	const copy = JSON.parse(JSON.stringify(input)) as ProfileInput;
	if (copy.encryption?.key !== undefined) copy.encryption = {...copy.encryption, key: MASK};
	return copy;
}

async function stored(name: string, env: NodeJS.ProcessEnv): Promise<ProfileInput> {
	const input = await readStoredProfile(name, env);
	if (input !== undefined) return input;
	const saved = await storedProfileNames(env);
	throw new UserError(
		`no saved profile named "${name}"${saved.length ? ` (saved: ${saved.join(', ')})` : ' (none saved yet)'}`,
		'`k8s-master-setup profiles list` lists the saved profiles; the wizard (k8s-master-setup) saves new ones',
	);
}

export async function profilesList(io: ProfilesIo = {}): Promise<number> {
	const env = io.env ?? process.env;
	const out = io.stdout ?? process.stdout;
	const names = await storedProfileNames(env);
	if (names.length === 0) {
		(io.stderr ?? process.stderr).write(`no saved profiles in ${await profileStorePath(env)}; the wizard (k8s-master-setup) saves one\n`);
		return 0;
	}
	const width = Math.max(...names.map((n) => n.length));
	for (const name of names) {
		const p = await readStoredProfile(name, env);
		const nodes = Array.isArray(p?.nodes) ? p.nodes.length : 0;
		out.write(`${name.padEnd(width)}  ${nodes} node${nodes === 1 ? '' : 's'}  Kubernetes ${String(p?.kubernetesVersion ?? '?')}\n`);
	}
	return 0;
}

export async function profilesShow(name: string, io: ProfilesIo = {}): Promise<number> {
	const env = io.env ?? process.env;
	const input = await stored(name, env);
	const header = `# profile "${name}" in ${await profileStorePath(env)}\n# state: ${defaultStateDir(name, env)}\n`;
	(io.stdout ?? process.stdout).write(header + YAML.stringify(maskedProfile(input)));
	return 0;
}

async function askOnTerminal(question: string): Promise<boolean> {
	const rl = createInterface({input: process.stdin, output: process.stderr});
	try {
		return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
	} catch {
		// Ctrl-C or end of input at the prompt: a no.
		return false;
	} finally {
		rl.close();
	}
}

export async function profilesRemove(name: string, options: {yes: boolean}, io: ProfilesIo = {}): Promise<number> {
	const env = io.env ?? process.env;
	const err = io.stderr ?? process.stderr;
	await stored(name, env);
	const stateDir = defaultStateDir(name, env);
	if (!options.yes) {
		if (!(io.interactive ?? process.stdin.isTTY === true)) {
			throw new UserError(`not removing profile "${name}" without a confirmation`, `run \`k8s-master-setup profiles rm ${name} --yes\` to remove it without a question`);
		}
		const yes = await (io.ask ?? askOnTerminal)(`remove profile "${name}" from ${await profileStorePath(env)}? (its state directory ${stateDir} is kept)`);
		if (!yes) {
			err.write(`kept profile "${name}"; nothing was removed\n`);
			return 0;
		}
	}
	await removeStoredProfile(name, env);
	err.write(`removed profile "${name}"; its state directory ${stateDir} (CA, keys, certificates) is kept: remove it yourself once no cluster uses it\n`);
	return 0;
}

export async function profilesPath(io: ProfilesIo = {}): Promise<number> {
	const env = io.env ?? process.env;
	(io.stdout ?? process.stdout).write(
		[
			`profiles: ${await profileStorePath(env)}`,
			`state:    ${dirname(defaultStateDir('x', env))}/<profile>`,
			`draft:    ${wizardDraftPath(env)}`,
			`cache:    ${defaultCacheDir(env)}`,
		].join('\n') + '\n',
	);
	return 0;
}
