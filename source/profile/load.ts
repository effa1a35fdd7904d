import {X509Certificate, createPrivateKey, type KeyObject} from 'node:crypto';
import {readFileSync, statSync} from 'node:fs';
import {homedir} from 'node:os';
import {dirname, isAbsolute, resolve} from 'node:path';
import {LineCounter, parseDocument, type Document} from 'yaml';
import {ProfileError, UserError} from '../errors.js';
import {caKeyTypeProblem} from '../pki/ca-key-type.js';
import {extraArgProblems, ownedFlagRule} from './extra-args-rules.js';
import {ProfileSchema, type Profile, type ProfileInput} from './schema.js';
import {profileStorePath, readStoredProfile, storedProfileNames, writeStoredProfile} from './store.js';

/**
 * Loading a profile: from a YAML/JSON file or from the named store, then validated by the
 * schema, then the checks that need the disk (CA files, etcd client files, binaries path).
 * Every problem becomes one line naming its field; nothing is written before all pass.
 */
type Problem = {field: string; message: string};

/** `nodes[1].ip` from ['nodes', 1, 'ip']. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
	return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('') || '(profile)';
}

export async function loadProfileFile(file: string): Promise<Profile> {
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch (error) {
		throw new UserError(`cannot read profile file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 'check the --profile-file path');
	}
	const lineCounter = new LineCounter();
	// YAML 1.2 is a superset of JSON: one parser for both, with line numbers for either.
	const doc = parseDocument(text, {lineCounter, prettyErrors: false, uniqueKeys: true});
	// A tag the YAML schema does not know (`!foo`, `!!js/function`) is only a warning to the
	// parser, which would read the value as a plain string: refused like a syntax error.
	const problems = [...doc.errors, ...doc.warnings];
	if (problems.length > 0) {
		const lines = problems.map((e) => {
			const pos = lineCounter.linePos(e.pos[0]);
			return `  line ${pos.line}, column ${pos.col}: ${e.message.split('\n')[0]}`;
		});
		throw new UserError(
			`${file}: malformed ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}\n${lines.join('\n')}`,
			'fix the syntax at the line shown and run again; nothing was written',
		);
	}
	let input: unknown;
	try {
		input = doc.toJS({maxAliasCount: 100});
	} catch (error) {
		// yaml refuses documents whose aliases expand without bound ("billion laughs").
		throw new UserError(`${file}: ${error instanceof Error ? error.message : String(error)}`, 'write the values out instead of nesting aliases (*name); nothing was written');
	}
	const profile = validateProfile(input, file, (path) => lineOf(doc, lineCounter, path), dirname(resolve(file)));
	checkProfileFiles(profile, file);
	return profile;
}

/**
 * Validate any input (a parsed file, a stored profile, the wizard's answers): the schema,
 * then the rules about flags the schema does not know. Relative local paths are resolved
 * against `baseDir` (the profile file's directory) and "~/" against the home directory.
 */
export function validateProfile(
	input: unknown,
	source: string,
	locate: (path: ReadonlyArray<PropertyKey>) => number | undefined = () => undefined,
	baseDir = process.cwd(),
): Profile {
	const parsed = ProfileSchema.safeParse(input);
	const problems: Problem[] = [];
	const push = (path: ReadonlyArray<PropertyKey>, message: string) => {
		const line = locate(path);
		problems.push({field: `${fieldPath(path)}${line ? ` (line ${line})` : ''}`, message});
	};
	if (!parsed.success) {
		for (const issue of parsed.error.issues) {
			if (issue.code === 'unrecognized_keys') {
				for (const key of issue.keys) push([...issue.path, key], 'is not a profile field (check the spelling; fields are listed in readme.md)');
			} else if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
				push(issue.path, `is required (${issue.expected})`);
			} else {
				push(issue.path, issue.message);
			}
		}
		throw new ProfileError(problems, source);
	}
	const profile = parsed.data;
	for (const [section, component] of [['apiserver', 'kube-apiserver'], ['controllerManager', 'kube-controller-manager'], ['scheduler', 'kube-scheduler']] as const) {
		for (const [flag, value] of Object.entries(profile[section].extraArgs)) {
			for (const problem of extraArgProblems(component, flag, value)) push([section, 'extraArgs', flag], problem);
			// A flag naming a file the tool places needs the rendered flags: checked where the
			// profile is loaded for a command (cli/shared/load-profile.ts, render/owned-flags.ts).
			const owned = ownedFlagRule(component, flag, value);
			if (owned) push([section, 'extraArgs', flag], `${owned}; remove it from extraArgs`);
		}
	}
	if (problems.length > 0) throw new ProfileError(problems, source);
	return resolveLocalPaths(profile, baseDir);
}

function resolveLocalPaths(profile: Profile, baseDir: string): Profile {
	const local = (p: string) => (p === '~' || p.startsWith('~/') ? resolve(homedir(), p.slice(2)) : isAbsolute(p) ? p : resolve(baseDir, p));
	const opt = (p: string | undefined) => (p === undefined ? undefined : local(p));
	return {
		...profile,
		binaries: local(profile.binaries),
		pki: {...profile.pki, caCert: opt(profile.pki.caCert), caKey: opt(profile.pki.caKey)},
		etcd:
			profile.etcd.mode === 'stacked'
				? {...profile.etcd, binaries: local(profile.etcd.binaries)}
				: {...profile.etcd, caFile: opt(profile.etcd.caFile), certFile: opt(profile.etcd.certFile), keyFile: opt(profile.etcd.keyFile)},
	};
}

/** Checks that need the files a profile names: readable, parseable, matching, not expired. */
export function checkProfileFiles(profile: Profile, source: string, now = new Date()): void {
	const problems: Problem[] = [];
	const fail = (field: string, message: string) => problems.push({field, message});
	try {
		statSync(profile.binaries);
	} catch (error) {
		fail('binaries', `${profile.binaries}: ${describeFsError(error)}; give a directory with the four binaries or a kubernetes-server-linux-*.tar.gz`);
	}
	const ca = readCertificate(profile.pki.caCert, 'pki.caCert', fail);
	if (ca) {
		if (!ca.ca) fail('pki.caCert', `${profile.pki.caCert} is not a CA certificate (basicConstraints CA:TRUE is missing)`);
		const notAfter = new Date(ca.validTo);
		if (notAfter <= now) fail('pki.caCert', `${profile.pki.caCert} expired on ${notAfter.toISOString()}; bring a valid CA, or omit pki.caCert and pki.caKey to create one`);
		else if (new Date(ca.validFrom) > now) fail('pki.caCert', `${profile.pki.caCert} is not valid before ${new Date(ca.validFrom).toISOString()}; check this machine's clock`);
		else {
			// A certificate outliving its CA stops verifying the day the CA expires.
			const leafEnd = new Date(now.getTime() + profile.pki.certValidityDays * 86_400_000);
			const fits = Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000);
			if (notAfter < leafEnd) {
				fail(
					'pki.caCert',
					`${profile.pki.caCert} expires on ${notAfter.toISOString()}, before the certificates it would issue (pki.certValidityDays: ${profile.pki.certValidityDays}, until ${leafEnd.toISOString()}); renew the CA${fits >= 1 ? `, or set pki.certValidityDays to at most ${fits}` : ''}`,
				);
			}
		}
	}
	// Checked here, not first when signing: a CA key that cannot sign is refused before anything is written.
	checkKeyMatches(ca, profile.pki.caKey, 'pki.caKey', 'pki.caCert', fail, caKeyTypeProblem);
	if (profile.etcd.mode === 'stacked') {
		try {
			statSync(profile.etcd.binaries);
		} catch (error) {
			fail('etcd.binaries', `${profile.etcd.binaries}: ${describeFsError(error)}; give an etcd-vX.Y.Z-linux-amd64.tar.gz or a directory holding etcd`);
		}
	} else {
		readCertificate(profile.etcd.caFile, 'etcd.caFile', fail);
		const etcdClient = readCertificate(profile.etcd.certFile, 'etcd.certFile', fail);
		checkKeyMatches(etcdClient, profile.etcd.keyFile, 'etcd.keyFile', 'etcd.certFile', fail);
	}
	if (problems.length > 0) throw new ProfileError(problems, source);
}

function readCertificate(path: string | undefined, field: string, fail: (f: string, m: string) => void): X509Certificate | undefined {
	if (path === undefined) return undefined;
	let text: string;
	try {
		text = readFileSync(path, 'utf8');
	} catch (error) {
		fail(field, `${path}: ${describeFsError(error)}`);
		return undefined;
	}
	try {
		return new X509Certificate(text);
	} catch {
		fail(field, `${path} is not a PEM certificate`);
		return undefined;
	}
}

function checkKeyMatches(
	cert: X509Certificate | undefined,
	keyPath: string | undefined,
	field: string,
	certField: string,
	fail: (f: string, m: string) => void,
	keyProblem: (key: KeyObject) => string | undefined = () => undefined,
): void {
	if (keyPath === undefined) return;
	let key;
	try {
		key = createPrivateKey(readFileSync(keyPath));
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		fail(field, code && !code.startsWith('ERR_') ? `${keyPath}: ${describeFsError(error)}` : `${keyPath} is not a PEM private key (an encrypted key is not supported)`);
		return;
	}
	const problem = keyProblem(key);
	if (problem) fail(field, `${keyPath} ${problem}`);
	else if (cert && !cert.checkPrivateKey(key)) fail(field, `${keyPath} does not match ${certField} (they are not a key pair)`);
}

function describeFsError(error: unknown): string {
	const code = (error as NodeJS.ErrnoException).code;
	if (code === 'ENOENT') return 'does not exist';
	if (code === 'EACCES') return 'cannot be read (permission denied)';
	if (code === 'EISDIR') return 'is a directory, not a file';
	return code ?? String(error);
}

function lineOf(doc: Document, counter: LineCounter, path: ReadonlyArray<PropertyKey>): number | undefined {
	for (let n = path.length; n > 0; n--) {
		const node = doc.getIn(path.slice(0, n) as Array<string | number>, true) as {range?: [number, number, number]} | undefined;
		if (node && typeof node === 'object' && node.range) return counter.linePos(node.range[0]).line;
	}
	return undefined;
}

export async function loadProfileByName(name: string): Promise<Profile> {
	const stored = await readStoredProfile(name);
	if (stored === undefined) {
		const saved = await storedProfileNames();
		throw new UserError(
			`no saved profile named "${name}"${saved.length ? ` (saved: ${saved.join(', ')})` : ''}`,
			'run the wizard (k8s-master-setup) to create one, or pass --profile-file FILE; `k8s-master-setup profiles list` lists the saved ones',
		);
	}
	const profile = validateProfile(stored, `profile "${name}" in ${await profileStorePath()}`);
	checkProfileFiles(profile, `profile "${name}"`);
	return profile;
}

/** Validate and store a profile under its name; local paths are stored absolute. Returns where. */
export async function saveProfile(input: ProfileInput, baseDir = process.cwd()): Promise<string> {
	const profile = validateProfile(input, `profile "${String((input as {name?: unknown}).name)}"`, undefined, baseDir);
	const stored: ProfileInput = {...input, binaries: profile.binaries};
	if (input.pki) stored.pki = {...input.pki, caCert: profile.pki.caCert, caKey: profile.pki.caKey};
	stored.etcd =
		profile.etcd.mode === 'stacked'
			? {...input.etcd, binaries: profile.etcd.binaries}
			: {...input.etcd, caFile: profile.etcd.caFile, certFile: profile.etcd.certFile, keyFile: profile.etcd.keyFile};
	return writeStoredProfile(profile.name, stored);
}

export async function listProfiles(): Promise<string[]> {
	return storedProfileNames();
}
