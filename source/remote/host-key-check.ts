import {homedir} from 'node:os';
import {join} from 'node:path';
import {shellQuote} from './shell.js';
import {
	appendKnownHost,
	checkHostKey,
	type HostKeyVerdict,
	fingerprint,
	keyTypeOf,
	knownHostsName,
	knownKeyTypes,
	preferredHostKeyAlgorithms,
	readKnownHosts,
	replaceKnownHost,
} from './known-hosts.js';
import {SshError} from './ssh-errors.js';

/**
 * The host key policy of a run: known and matching → go on; unknown → only with
 * `acceptNewHostKeys` (recorded) or a yes from `confirmHostKey` (the wizard's prompt);
 * changed or revoked → always refused. Never trust silently.
 */
export interface HostKeyPolicy {
	/** Default ~/.ssh/known_hosts (and /etc/ssh/ssh_known_hosts is read too). */
	knownHostsFile?: string;
	/** `--accept-new-host-keys`: record unknown hosts instead of refusing them. */
	acceptNewHostKeys?: boolean;
	/** Interactive runs: ask the user; resolve true to trust and record the key. */
	confirmHostKey?: (host: string, keyType: string, fingerprint: string) => Promise<boolean>;
	/** Write new entries hashed (default true, as Debian's HashKnownHosts). */
	hashKnownHosts?: boolean;
	/**
	 * `--accept-changed-host-key NODE`: for these nodes (a master reinstalled on purpose), a
	 * changed key replaces the known one in the user's known_hosts, both fingerprints told.
	 */
	acceptChangedHostKeyOf?: readonly string[];
	/** Told when a changed key was accepted (both fingerprints); default stderr. */
	onChangedKeyAccepted?: (message: string) => void;
}

export const GLOBAL_KNOWN_HOSTS = '/etc/ssh/ssh_known_hosts';

export interface PreparedHostKeyCheck {
	/** For ssh2's `hostVerifier` (async form: ssh2 waits for `verify`). */
	hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => void;
	/** For ssh2's `algorithms.serverHostKey`. */
	serverHostKey: string[];
	/** The refusal, when the verifier said no: connect() rejects with this. */
	refusal(): SshError | undefined;
}

/**
 * Read known_hosts once before the handshake (the host key algorithm order depends on
 * it), and build the verifier for one connection. `hostKeyAlias` is ssh_config's
 * HostKeyAlias: the name to look the key up under instead of the host.
 */
export async function prepareHostKeyCheck(
	node: string,
	host: string,
	port: number,
	policy: HostKeyPolicy,
	hostKeyAlias?: string,
): Promise<PreparedHostKeyCheck> {
	const userFile = policy.knownHostsFile ?? join(homedir(), '.ssh', 'known_hosts');
	const files = policy.knownHostsFile ? [userFile] : [userFile, GLOBAL_KNOWN_HOSTS];
	const texts = await Promise.all(files.map(async (file) => ({file, text: await readKnownHosts(file)})));
	const name = hostKeyAlias ?? knownHostsName(host, port);
	/** A revocation in any file wins; then a match in any file; then a changed key; else unknown. */
	const judge = (key: Buffer): HostKeyVerdict & {file: string} => {
		const verdicts = texts.map(({file, text}) => ({...checkHostKey(text, name, key), file}));
		const rank = (v: HostKeyVerdict) => ({revoked: 0, known: 1, changed: 2, unknown: 3})[v.kind];
		const best = verdicts.sort((a, b) => rank(a) - rank(b))[0]!;
		if (best.kind !== 'unknown') return best;
		return {kind: 'unknown', otherKeyTypes: verdicts.flatMap((v) => (v.kind === 'unknown' ? v.otherKeyTypes : [])), file: userFile};
	};
	let refusal: SshError | undefined;

	const hostVerifier = (key: Buffer, verify: (ok: boolean) => void) => {
		const keyType = keyTypeOf(key);
		const presented = fingerprint(key);
		const verdict = judge(key);
		switch (verdict.kind) {
			case 'known': {
				verify(true);
				return;
			}
			case 'changed': {
				if (policy.acceptChangedHostKeyOf?.includes(node) && verdict.file === userFile) {
					replaceKnownHost(userFile, verdict.line, name, key, {hashed: policy.hashKnownHosts}).then(
						() => {
							(policy.onChangedKeyAccepted ?? ((m: string) => process.stderr.write(`${m}\n`)))(
								`${node}: accepted its changed ${keyType} host key (--accept-changed-host-key): known_hosts had ${verdict.knownFingerprint}, it presents ${presented}; ${userFile} now holds the new one`,
							);
							verify(true);
						},
						(error: unknown) => {
							refusal = new SshError(node, 'config', `cannot replace the host key of ${name} in ${userFile}: ${(error as Error).message}`);
							verify(false);
						},
					);
					return;
				}
				refusal = new SshError(
					node,
					'host-key-changed',
					`the ${keyType} host key of ${name} has CHANGED: known_hosts (${verdict.file}:${verdict.line}) has ${verdict.knownFingerprint}, ` +
						`the server presented ${presented}. Someone may be intercepting the connection, or the node was reinstalled`,
					`if the node was reinstalled, confirm the new fingerprint on its console (ssh-keygen -lf /etc/ssh/ssh_host_${keyType.replace(/^ssh-|-.*$/g, '')}_key.pub), ` +
						`then run again with --accept-changed-host-key ${node}, or remove the old entry: ssh-keygen -R ${shellQuote(name)} -f ${shellQuote(verdict.file)}`,
				);
				verify(false);
				return;
			}
			case 'revoked': {
				refusal = new SshError(
					node,
					'host-key-revoked',
					`the ${keyType} host key of ${name} (${presented}) is marked @revoked in ${verdict.file}:${verdict.line}`,
					'the node must get a new host key; ask whoever revoked it',
				);
				verify(false);
				return;
			}
			case 'unknown': {
				const others = verdict.otherKeyTypes.length > 0 ? ` (known_hosts has only ${verdict.otherKeyTypes.join(', ')} keys for it)` : '';
				const refuseUnknown = () => {
					refusal = new SshError(
						node,
						'host-key-unknown',
						`the host ${name} is not in ${userFile}${others}; its ${keyType} key is ${presented}`,
						`check the fingerprint on the node (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then run again with --accept-new-host-keys, ` +
							`or add it yourself: ssh-keyscan -p ${port} ${host} >> ${userFile}`,
					);
					verify(false);
				};
				const record = () => {
					appendKnownHost(userFile, name, key, {hashed: policy.hashKnownHosts}).then(
						() => verify(true),
						(error: unknown) => {
							refusal = new SshError(node, 'config', `cannot record the host key of ${name} in ${userFile}: ${(error as Error).message}`);
							verify(false);
						},
					);
				};
				if (policy.acceptNewHostKeys) {
					record();
				} else if (policy.confirmHostKey) {
					policy.confirmHostKey(name, keyType, presented).then(
						(yes) => (yes ? record() : refuseUnknown()),
						() => refuseUnknown(),
					);
				} else {
					refuseUnknown();
				}
				return;
			}
		}
	};

	return {hostVerifier, serverHostKey: preferredHostKeyAlgorithms(texts.flatMap(({text}) => knownKeyTypes(text, name))), refusal: () => refusal};
}
