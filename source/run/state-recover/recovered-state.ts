// `state recover`, the pure part: from the files read off the masters to the files of a
// state directory, with what could not be recovered named. The shared material (CA and its
// key, front-proxy CA and its key, service-account key pair, the proxy-client certificate,
// the encryption key) comes from the node the user named; each master's own apiserver,
// controller-manager and scheduler certificates from that master, when it answered and
// holds the same CA. Every pair is checked (a certificate with its key, a public key with its
// private key) before anything is written: a half-recovered state would plan new keys.
import {ENCRYPTION_PROVIDERS, keyLengthsOf, type EncryptionProvider} from '../../profile/constants.js';
import {ENCRYPTION_SETTING_FILE, LEGACY_ENCRYPTION, encryptionSettingJson, parseEncryptionSetting, type EncryptionSetting} from '../../pki/encryption-setting.js';
import {X509Certificate, createPrivateKey} from 'node:crypto';
import {ENCRYPTION_KEYS_FILE, keptKeysJson, type EncryptionKey} from '../../pki/encryption-keyring.js';
import {parse} from 'yaml';
import {apiserverStem, componentStem} from '../../pki/cert-specs.js';
import {publicKeyPemOf} from '../../pki/keys.js';
import type {Profile} from '../../profile/schema.js';
import {targetPaths} from '../../render/paths.js';

/** What was read off one master: path on the node → content (undefined: not there). */
export interface NodeFiles {
	node: string;
	files: ReadonlyMap<string, Buffer | undefined>;
}

export interface RecoveredState {
	/** State file name → content, in the order to write (a key before its certificate). */
	files: Map<string, string>;
	/** One line per thing recovered, for the user. */
	recovered: string[];
	/** What the nodes did not give, and what the next apply does about it. */
	missing: string[];
	/** What stops the recovery (exit 2): nothing is written when there is any. */
	problems: string[];
}

/** The paths `state recover` reads on every master (the same list on each: its own leaf certificates are among them). */
export function pathsToRead(profile: Profile): string[] {
	const c = targetPaths(profile).cert;
	return [
		c.ca,
		c.caKey,
		c.frontProxyCa,
		c.frontProxyCaKey,
		c.serviceAccountKey,
		c.serviceAccountPub,
		c.apiserver,
		c.apiserverKey,
		c.proxyClient,
		c.proxyClientKey,
		c.controllerManager,
		c.controllerManagerKey,
		c.scheduler,
		c.schedulerKey,
		targetPaths(profile).encryptionConfig,
	];
}

export function recoverState(profile: Profile, from: NodeFiles, others: readonly NodeFiles[], broughtCaPem?: string): RecoveredState {
	const paths = targetPaths(profile);
	const c = paths.cert;
	const out: RecoveredState = {files: new Map(), recovered: [], missing: [], problems: []};
	const text = (node: NodeFiles, path: string) => node.files.get(path)?.toString('utf8');

	// The cluster CA: its key is on every master (the controller-manager signs with it).
	const caPem = text(from, c.ca);
	if (caPem === undefined) out.problems.push(`${from.node} has no ${c.ca}: it was not installed by this tool, or with other paths (the profile's paths.certDir)`);
	else if (broughtCaPem !== undefined) {
		if (!sameCertificate(caPem, broughtCaPem)) out.problems.push(`pki.caCert: is not the CA ${from.node} holds in ${c.ca} (SHA-256 ${fingerprint(caPem)}); give the CA the cluster was built with`);
		else {
			out.files.set('brought-ca.pem', broughtCaPem);
			out.recovered.push(`the CA brought in pki.caCert, checked against ${from.node}'s ${c.ca}`);
		}
	} else pair(out, from, {what: 'cluster CA', cert: c.ca, key: c.caKey, stem: 'ca', required: true});

	pair(out, from, {what: 'front-proxy CA', cert: c.frontProxyCa, key: c.frontProxyCaKey, stem: 'front-proxy-ca', required: true});
	serviceAccount(out, from, c.serviceAccountKey, c.serviceAccountPub);
	pair(out, from, {what: 'proxy-client certificate', cert: c.proxyClient, key: c.proxyClientKey, stem: 'proxy-client'});
	encryptionKey(out, from, paths.encryptionConfig);

	for (const node of [from, ...others]) {
		const theirCa = text(node, c.ca);
		if (node !== from && caPem !== undefined && theirCa !== undefined && !sameCertificate(theirCa, caPem)) {
			out.problems.push(`${node.node} holds another CA in ${c.ca} (SHA-256 ${fingerprint(theirCa)}) than ${from.node} (SHA-256 ${fingerprint(caPem)}): these masters are not one cluster; recover from one of them and remove the others from the profile`);
			continue;
		}
		pair(out, node, {what: `${node.node}'s kube-apiserver certificate`, cert: c.apiserver, key: c.apiserverKey, stem: apiserverStem(node.node)});
		for (const component of ['kube-controller-manager', 'kube-scheduler'] as const) {
			const files = component === 'kube-controller-manager' ? {cert: c.controllerManager, key: c.controllerManagerKey} : {cert: c.scheduler, key: c.schedulerKey};
			pair(out, node, {what: `${node.node}'s ${component} certificate`, ...files, stem: componentStem(node.node, component)});
		}
	}
	const answered = new Set([from, ...others].map((n) => n.node));
	for (const n of profile.nodes) {
		if (!answered.has(n.name)) out.missing.push(`${n.name} did not answer: its apiserver, controller-manager and scheduler certificates are issued anew by the next apply (which restarts its services)`);
	}
	out.missing.push('the admin certificate is on no node: the next apply issues a new one for this machine (the cluster is not changed by it)');
	return out;
}

interface PairFiles {
	what: string;
	cert: string;
	key: string;
	stem: string;
	/** Its absence stops the recovery (a CA): without it the next apply would make a new one. */
	required?: boolean;
}

function pair(out: RecoveredState, node: NodeFiles, p: PairFiles): void {
	const cert = node.files.get(p.cert)?.toString('utf8');
	const key = node.files.get(p.key)?.toString('utf8');
	if (cert === undefined || key === undefined) {
		const absent = [cert === undefined ? p.cert : undefined, key === undefined ? p.key : undefined].filter(Boolean).join(' and ');
		(p.required ? out.problems : out.missing).push(
			p.required
				? `${node.node} has no ${absent}: the ${p.what} cannot be recovered, and a new one would replace the cluster's`
				: `${node.node} has no ${absent}: the next apply issues a new ${p.what}`,
		);
		return;
	}
	if (!keyMatches(cert, key)) {
		out.problems.push(`${node.node}: ${p.key} is not the key of ${p.cert} (the ${p.what}); fix the node's files or recover from another master`);
		return;
	}
	// Key first, as the PKI writes them: a certificate without its key is unusable.
	out.files.set(`${p.stem}-key.pem`, key);
	out.files.set(`${p.stem}.pem`, cert);
	out.recovered.push(`${p.what} (${p.cert}) from ${node.node}`);
}

function serviceAccount(out: RecoveredState, node: NodeFiles, keyPath: string, pubPath: string): void {
	const key = node.files.get(keyPath)?.toString('utf8');
	const pub = node.files.get(pubPath)?.toString('utf8');
	if (key === undefined) {
		out.problems.push(`${node.node} has no ${keyPath}: the service-account key cannot be recovered, and a new one would invalidate every token of the cluster`);
		return;
	}
	let derived: string;
	try {
		derived = publicKeyPemOf(key);
	} catch {
		out.problems.push(`${node.node}: ${keyPath} is not a private key`);
		return;
	}
	if (pub !== undefined && pub.trim() !== derived.trim()) {
		out.problems.push(`${node.node}: ${pubPath} is not the public key of ${keyPath}; fix the node's files or recover from another master`);
		return;
	}
	out.files.set('sa.key', key);
	out.files.set('sa.pub', derived);
	out.recovered.push(`service-account key pair (${keyPath}) from ${node.node}`);
}

/** The key the apiserver writes with: the first key of the first provider, which must be a local-key one. */
function encryptionKey(out: RecoveredState, node: NodeFiles, path: string): void {
	const text = node.files.get(path)?.toString('utf8');
	if (text === undefined) {
		out.problems.push(`${node.node} has no ${path}: the encryption key cannot be recovered, and without it no Secret of the cluster can be read`);
		return;
	}
	const written = writeKey(text);
	if ('problem' in written) {
		out.problems.push(`${node.node}: ${path} ${written.problem}`);
		return;
	}
	out.files.set('encryption-key', `${written.key}\n`);
	// Keys after the writer's: a rotation in progress when the state was lost. Kept by name, so
	// the state renders the same config and `encryption rotate` can carry on (its journal is lost:
	// it starts a new rotation from the writer, once the node's config is the state's again).
	const readers = readerKeys(text);
	if (readers.length > 0) {
		out.files.set(ENCRYPTION_KEYS_FILE, keptKeysJson([{...written.setting, secret: written.key}, ...readers]));
		out.files.set(ENCRYPTION_SETTING_FILE, encryptionSettingJson({...written.setting, readers: readers.map((r) => ({provider: r.provider, keyName: r.keyName}))}));
	} else if (written.setting.provider !== LEGACY_ENCRYPTION.provider || written.setting.keyName !== LEGACY_ENCRYPTION.keyName) {
		// A legacy config (aescbc key1) needs no setting file: the state reads as that release's.
		out.files.set(ENCRYPTION_SETTING_FILE, encryptionSettingJson(written.setting));
	}
	out.recovered.push(`encryption key (${path}) from ${node.node}`);
}

/** The key, provider and key name the config writes with: the first key of its first provider, a local-key one. */
export function writeKey(configText: string): {key: string; setting: EncryptionSetting} | {problem: string} {
	let config: unknown;
	try {
		config = parse(configText);
	} catch {
		return {problem: 'is not YAML'};
	}
	const resources = (config as {resources?: Array<{providers?: Array<Record<string, {keys?: Array<{name?: unknown; secret?: unknown}>}>>}>})?.resources;
	const provider = resources?.[0]?.providers?.[0];
	const [name, settings] = provider ? (Object.entries(provider)[0] ?? []) : [];
	if (!ENCRYPTION_PROVIDERS.includes(name as EncryptionProvider)) {
		return {problem: `writes with ${name ?? 'no provider'}, where this tool writes with ${ENCRYPTION_PROVIDERS.join(', ')}: recovering it is not supported`};
	}
	const first = settings?.keys?.[0];
	const lengths = keyLengthsOf(name as EncryptionProvider);
	if (typeof first?.secret !== 'string' || !lengths.includes(Buffer.from(first.secret, 'base64').length)) return {problem: `has no base64 ${name} key of ${lengths.join(', ')} bytes first`};
	const setting = parseEncryptionSetting(JSON.stringify({provider: name, keyName: first.name}));
	if (setting === undefined) return {problem: `names its first ${name} key ${JSON.stringify(first.name)}, not a name this tool gives (lower-case letters, digits, "-")`};
	return {key: first.secret, setting};
}

/** Every local key of the config after the first (the writer), in order; identity and others left out. */
export function readerKeys(configText: string): EncryptionKey[] {
	const resources = (parse(configText) as {resources?: Array<{providers?: Array<Record<string, {keys?: Array<{name?: unknown; secret?: unknown}>}>>}>})?.resources;
	const all: EncryptionKey[] = [];
	for (const provider of resources?.[0]?.providers ?? []) {
		for (const [name, settings] of Object.entries(provider)) {
			if (!ENCRYPTION_PROVIDERS.includes(name as EncryptionProvider)) continue;
			for (const key of settings?.keys ?? []) {
				const ref = parseEncryptionSetting(JSON.stringify({provider: name, keyName: key.name}));
				if (ref && typeof key.secret === 'string') all.push({provider: ref.provider, keyName: ref.keyName, secret: key.secret});
			}
		}
	}
	return all.slice(1);
}

function keyMatches(certPem: string, keyPem: string): boolean {
	try {
		return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
	} catch {
		return false;
	}
}

function sameCertificate(a: string, b: string): boolean {
	try {
		return new X509Certificate(a).fingerprint256 === new X509Certificate(b).fingerprint256;
	} catch {
		return false;
	}
}

function fingerprint(pem: string): string {
	try {
		return new X509Certificate(pem).fingerprint256;
	} catch {
		return 'not a certificate';
	}
}
