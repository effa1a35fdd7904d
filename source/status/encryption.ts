// Which provider and key each apiserver's encryption config writes Secrets with, for status:
// read on the node as the file's sha256 and its provider and key-name lines only (a
// `secret:` line never leaves the node), compared with the config the state directory
// renders. A node whose file differs (edited by hand, or left behind by a failed change)
// may write Secrets the other apiservers cannot read: a warning with the fix.
import {createHash} from 'node:crypto';
import {keptEncryptionConfig} from '../pki/kept-encryption-config.js';
import {sh, type ShellCommand} from '../remote/shell.js';
import type {NodeEncryption, Problem, StateEncryption, StatusSnapshot} from './json-schema.js';

const PROVIDER_LINE = /^\s*- (secretbox|aescbc|aesgcm|kms|identity):/;
const NAME_LINE = /^\s*- name:\s*"?([^"\s]+)"?\s*$/;

/** The probe's section: nothing when the file is missing, else its sha256 then the provider and key-name lines. */
export function encryptionLines(configPath: string): ShellCommand[] {
	return [
		sh`echo '### encryption'`,
		sh`if [ -f ${configPath} ]; then sha256sum ${configPath} | cut -c1-64; grep -E '^[[:space:]]*- (secretbox|aescbc|aesgcm|kms|identity):|^[[:space:]]*- name:' ${configPath}; fi`,
	];
}

/** null: no config on the node. The writer is the first provider and, unless identity, its first key. */
export function parseEncryptionSection(text: string): NodeEncryption | null {
	const lines = text.split('\n').filter((l) => l.trim() !== '');
	const sha256 = /^[0-9a-f]{64}$/.exec(lines[0]?.trim() ?? '')?.[0];
	if (sha256 === undefined) return null;
	let provider: string | null = null;
	let keyName: string | null = null;
	for (const line of lines.slice(1)) {
		const p = PROVIDER_LINE.exec(line);
		if (p) {
			if (provider !== null) break;
			provider = p[1]!;
			continue;
		}
		const n = NAME_LINE.exec(line);
		if (n && provider !== null && keyName === null) keyName = n[1]!;
	}
	return {sha256, provider, keyName: provider === 'identity' ? null : keyName};
}

/** What the state directory's config is: undefined when no key is kept (nothing installed yet). */
export function stateEncryption(stateDir: string): StateEncryption | undefined {
	const kept = keptEncryptionConfig(stateDir);
	if (kept === undefined) return undefined;
	return {provider: kept.setting.provider, keyName: kept.setting.keyName, sha256: createHash('sha256').update(kept.config).digest('hex')};
}

function writer(e: {provider: string | null; keyName: string | null}): string {
	return e.provider === null ? 'no provider' : e.keyName === null ? e.provider : `${e.provider} ${e.keyName}`;
}

/** The line under the table. */
export function encryptionLine(snapshot: StatusSnapshot): string | null {
	const expected = snapshot.encryption;
	const read = snapshot.nodes.filter((n) => n.encryption !== undefined);
	if (expected === undefined || read.length === 0) return null;
	const differing = read.filter((n) => n.encryption?.sha256 !== expected.sha256);
	const rotation = expected.rotation;
	const open = rotation
		? `; a rotation ${rotation.from.provider} ${rotation.from.keyName} → ${rotation.to.provider} ${rotation.to.keyName} is in phase ${rotation.phase}${rotation.rewritten !== null ? ` (${rotation.rewritten}${rotation.total !== null ? ` of ${rotation.total}` : ''} Secrets rewritten)` : ''}: \`encryption rotate\` carries it on`
		: '';
	if (differing.length === 0) return `encryption: every master writes Secrets with ${writer(expected)} (the state's config)${open}`;
	const what = differing.map((n) => `${n.name} ${n.encryption === null ? 'has no config' : `writes with ${writer(n.encryption!)}`}`).join(', ');
	return `encryption: the state's config writes with ${writer(expected)}; ${what} (differs)${open}`;
}

/** A warning per node whose config differs from the state's. */
export function encryptionProblems(snapshot: StatusSnapshot): Problem[] {
	const expected = snapshot.encryption;
	if (expected === undefined) return [];
	return snapshot.nodes
		.filter((n) => n.encryption !== undefined && n.encryption?.sha256 !== expected.sha256)
		.map((n) => ({
			severity: 'warning' as const,
			node: n.name,
			component: 'apiserver' as const,
			message:
				n.encryption === null
					? `${n.name}: no encryption config, where the state's writes with ${writer(expected)}`
					: `${n.name}: its encryption config differs from the state's (it writes with ${writer(n.encryption!)}, the state's with ${writer(expected)}): Secrets it writes other apiservers may not read`,
			hint: expected.rotation
				? `an encryption rotation is in phase ${expected.rotation.phase} (a node one phase behind is expected after a stop): \`encryption rotate\` carries it on`
				: `apply puts the state's config back (apply --dry-run shows the change first); a hand edit there is lost`,
		}));
}
