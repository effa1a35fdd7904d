import {createHash, createHmac, randomBytes} from 'node:crypto';
import {appendFile, readFile, rename, writeFile} from 'node:fs/promises';
import {dirname} from 'node:path';
import {makeDirectory} from '../make-directory.js';

/**
 * OpenSSH known_hosts, read and written the way `ssh` does: plain and hashed
 * (`|1|salt|hmac`) host fields, `[host]:port` for ports other than 22, wildcard and
 * negated patterns, `@revoked` keys refused. `@cert-authority` lines are ignored:
 * ssh2 does not verify host certificates, so a CA line can never vouch for a key here.
 */

/** OpenSSH's spelling: `SHA256:` + base64 of the key blob's SHA-256, without padding. */
export function fingerprint(keyBlob: Buffer): string {
	return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside an SSH public key blob (its first string), e.g. `ssh-ed25519`. */
export function keyTypeOf(keyBlob: Buffer): string {
	if (keyBlob.length < 4) {
		return 'unknown';
	}
	const length = keyBlob.readUInt32BE(0);
	if (length === 0 || length > 64 || 4 + length > keyBlob.length) {
		return 'unknown';
	}
	return keyBlob.subarray(4, 4 + length).toString('latin1');
}

/** The name a host is recorded under: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
	return port === 22 ? host : `[${host}]:${port}`;
}

interface KnownHostEntry {
	marker?: 'revoked' | 'cert-authority';
	patterns: string;
	keyType: string;
	key: Buffer;
	line: number;
}

export type HostKeyVerdict =
	| {kind: 'known'}
	| {kind: 'unknown'; otherKeyTypes: string[]}
	| {kind: 'changed'; knownFingerprint: string; line: number}
	| {kind: 'revoked'; line: number};

export function parseKnownHosts(text: string): KnownHostEntry[] {
	const entries: KnownHostEntry[] = [];
	const lines = text.split('\n');
	for (const [index, raw] of lines.entries()) {
		const line = raw.trim();
		if (line === '' || line.startsWith('#')) {
			continue;
		}
		const fields = line.split(/\s+/);
		let marker: KnownHostEntry['marker'];
		if (fields[0]?.startsWith('@')) {
			const name = fields.shift();
			if (name === '@revoked') {
				marker = 'revoked';
			} else if (name === '@cert-authority') {
				marker = 'cert-authority';
			} else {
				continue;
			}
		}
		const [patterns, keyType, keyBase64] = fields;
		if (!patterns || !keyType || !keyBase64) {
			continue;
		}
		entries.push({marker, patterns, keyType, key: Buffer.from(keyBase64, 'base64'), line: index + 1});
	}
	return entries;
}

function matchesHashed(field: string, name: string): boolean {
	const [, magic, salt, hash] = field.split('|');
	if (magic !== '1' || !salt || !hash) {
		return false;
	}
	return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
}

function globToRegExp(pattern: string): RegExp {
	const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
	return new RegExp(`^${escaped}$`, 'i');
}

/** Whether a host field (hashed, or a comma list of patterns) names this host. */
export function hostFieldMatches(field: string, name: string): boolean {
	if (field.startsWith('|')) {
		return matchesHashed(field, name);
	}
	let matched = false;
	for (const pattern of field.split(',')) {
		const negated = pattern.startsWith('!');
		if (globToRegExp(negated ? pattern.slice(1) : pattern).test(name)) {
			if (negated) {
				return false; // as in OpenSSH, a negated match rules the whole line out
			}
			matched = true;
		}
	}
	return matched;
}

/** Judge a presented key against known_hosts text for one host name. */
export function checkHostKey(text: string, name: string, keyBlob: Buffer): HostKeyVerdict {
	const presentedType = keyTypeOf(keyBlob);
	const entries = parseKnownHosts(text).filter((entry) => entry.marker !== 'cert-authority');
	for (const entry of entries) {
		if (entry.marker === 'revoked' && entry.key.equals(keyBlob)) {
			return {kind: 'revoked', line: entry.line};
		}
	}
	const forHost = entries.filter((entry) => entry.marker === undefined && hostFieldMatches(entry.patterns, name));
	if (forHost.some((entry) => entry.key.equals(keyBlob))) {
		return {kind: 'known'};
	}
	const sameType = forHost.find((entry) => keyTypeOf(entry.key) === presentedType);
	if (sameType) {
		return {kind: 'changed', knownFingerprint: fingerprint(sameType.key), line: sameType.line};
	}
	return {kind: 'unknown', otherKeyTypes: [...new Set(forHost.map((entry) => keyTypeOf(entry.key)))]};
}

/** Key types recorded for a host, so the handshake can ask for one we can check. */
export function knownKeyTypes(text: string, name: string): string[] {
	return [
		...new Set(
			parseKnownHosts(text)
				.filter((entry) => entry.marker === undefined && hostFieldMatches(entry.patterns, name))
				.map((entry) => keyTypeOf(entry.key)),
		),
	];
}

/** ssh2's default host key algorithms, in its order. */
const DEFAULT_HOST_KEY_ALGORITHMS = [
	'ssh-ed25519',
	'ecdsa-sha2-nistp256',
	'ecdsa-sha2-nistp384',
	'ecdsa-sha2-nistp521',
	'rsa-sha2-512',
	'rsa-sha2-256',
	'ssh-rsa',
];

/**
 * Host key algorithms with the ones already known for the host first, as OpenSSH
 * orders them: otherwise a server with an ed25519 and an RSA key could present the
 * ed25519 key while known_hosts holds the RSA one, and a known host would look new.
 */
export function preferredHostKeyAlgorithms(knownTypes: readonly string[]): string[] {
	const isKnown = (algorithm: string) =>
		knownTypes.includes(algorithm) || (algorithm.startsWith('rsa-sha2-') && knownTypes.includes('ssh-rsa'));
	return [...DEFAULT_HOST_KEY_ALGORITHMS.filter(isKnown), ...DEFAULT_HOST_KEY_ALGORITHMS.filter((a) => !isKnown(a))];
}

export async function readKnownHosts(file: string): Promise<string> {
	try {
		return await readFile(file, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
			return '';
		}
		throw error;
	}
}

/**
 * Record a host key. Hashed by default, like Debian's `HashKnownHosts yes`:
 * the file does not list the cluster's addresses; `ssh-keygen -R host` still finds it.
 */
export async function appendKnownHost(file: string, name: string, keyBlob: Buffer, options: {hashed?: boolean} = {}): Promise<void> {
	const hashed = options.hashed ?? true;
	let field = name;
	if (hashed) {
		const salt = randomBytes(20);
		field = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
	}
	makeDirectory(dirname(file), 0o700, 'known_hosts directory');
	const existing = await readKnownHosts(file);
	const separator = existing === '' || existing.endsWith('\n') ? '' : '\n';
	await appendFile(file, `${separator}${field} ${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}\n`, {mode: 0o600});
}

/**
 * Replace line `line` (1-based, the changed key checkHostKey found) with a record of the new
 * key: `--accept-changed-host-key NODE` for a master reinstalled on purpose. The file is
 * rewritten whole through a temporary file and a rename, keeping its mode.
 */
export async function replaceKnownHost(file: string, line: number, name: string, keyBlob: Buffer, options: {hashed?: boolean} = {}): Promise<void> {
	const lines = (await readKnownHosts(file)).split('\n');
	lines.splice(line - 1, 1);
	const temp = `${file}.tmp-${process.pid}`;
	await writeFile(temp, lines.join('\n'), {mode: 0o600});
	await rename(temp, file);
	await appendKnownHost(file, name, keyBlob, options);
}
