import {X509Certificate, createHash, randomBytes} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {UserError} from '../errors.js';
import type {Profile} from '../profile/schema.js';
import type {StateDir} from '../state/state-dir.js';
import {apiserverStem, certificateSpecs, componentStem} from './cert-specs.js';
import {APISERVER_ETCD_CLIENT_STEM, ETCD_CA, TOOL_ETCD_CLIENT_STEM, etcdCertificateSpecs, etcdPeerStem, etcdServerStem} from './etcd-specs.js';
import {reasonToReissue, verifyCertificate, type VerifiedFacts} from './inspect.js';
import {DEFAULT_ENCRYPTION_PROVIDER, ENCRYPTION_SETTING_FILE, encryptionSettingJson, keptEncryptionSetting, newKeyName, type EncryptionSetting} from './encryption-setting.js';
import {keptKeyring, type EncryptionKey} from './encryption-keyring.js';
import {BROUGHT_CA_FILE, ENCRYPTION_KEY_FILE, refuseReplacingKeptMaterial} from './kept-material.js';
import {generateEcKeyPair, publicKeyPemOf} from './keys.js';
import type {CertKeyPair, Pki, PkiChange, StackedEtcdPki} from './types.js';
import {createCaCertificate, issueCertificate} from './x509.js';

const DAY_MS = 86_400_000;

/**
 * Load the PKI from the state directory, creating what is missing and re-issuing only
 * what no longer fits (see reasonToReissue). Nothing is replaced silently: every creation
 * and re-issue is returned as a change, and a replaced file is first copied to backup/.
 * The kept encryption key and CA are never replaced (kept-material.ts): a profile that would
 * is refused before anything is written.
 * Call only with a validated profile (load.ts has checked the files it names).
 */
export async function ensurePki(profile: Profile, state: StateDir, now = new Date()): Promise<{pki: Pki; changes: PkiChange[]}> {
	refuseReplacingKeptMaterial(profile, state);
	const changes: PkiChange[] = [];
	const clusterCa = ensureCa(profile, state, changes, now);
	const frontProxyCa = keptOrCreatedCa(state, FRONT_PROXY_CA, profile.pki, changes, now);
	// Only a stacked etcd has a CA of the tool's; an external one is trusted through the profile.
	const etcdCa = profile.etcd.mode === 'stacked' ? ensureEtcdCa(profile, state, changes, now) : undefined;
	const issued = new Map<string, CertKeyPair>();
	const verified = new VerifiedMemo(state);
	for (const {item, stem, spec, signer} of [...certificateSpecs(profile), ...etcdCertificateSpecs(profile)]) {
		const ca = signer === 'front-proxy' ? frontProxyCa : signer === 'etcd' ? etcdCa! : clusterCa;
		const cert = state.read(`${stem}.pem`);
		const key = state.read(`${stem}-key.pem`);
		if (cert !== undefined && key !== undefined) {
			const reason = reasonToReissue(verified.check(cert, key, ca.cert), spec, now);
			if (reason === undefined) {
				issued.set(stem, {cert, key});
				continue;
			}
			await otherWorkFirst();
			const backup = state.backup(`${stem}.pem`, now);
			state.backup(`${stem}-key.pem`, now);
			issued.set(stem, verified.remember(issue(state, stem, spec, ca, now), ca.cert));
			changes.push({item, action: 'reissued', reason, ...(backup ? {backup} : {})});
		} else {
			await otherWorkFirst();
			if (cert !== undefined || key !== undefined) state.backup(`${stem}${cert === undefined ? '-key' : ''}.pem`, now);
			issued.set(stem, verified.remember(issue(state, stem, spec, ca, now), ca.cert));
			changes.push({item, action: 'created'});
		}
	}
	verified.save();
	const pick = (stem: string): CertKeyPair => issued.get(stem)!;
	const perNode = (component: 'kube-controller-manager' | 'kube-scheduler') =>
		Object.fromEntries(profile.nodes.map((n) => [n.name, pick(componentStem(n.name, component))]));
	return {
		pki: {
			ca: clusterCa,
			frontProxyCa,
			caFromProfile: profile.pki.caCert !== undefined,
			apiserver: Object.fromEntries(profile.nodes.map((n) => [n.name, pick(apiserverStem(n.name))])),
			proxyClient: pick('proxy-client'),
			admin: pick('admin'),
			controllerManager: perNode('kube-controller-manager'),
			scheduler: perNode('kube-scheduler'),
			serviceAccount: ensureServiceAccountKey(state, changes),
			...ensureEncryption(profile, state, changes, now),
			etcd: broughtEtcdFiles(profile),
			...(etcdCa !== undefined ? {stackedEtcd: stackedEtcdPki(profile, etcdCa, pick)} : {}),
		},
		changes,
	};
}

/** Contents of profile etcd.caFile / certFile / keyFile of an external etcd, when given. */
function broughtEtcdFiles(profile: Profile): Pki['etcd'] {
	if (profile.etcd.mode !== 'external') return {};
	return {
		...(profile.etcd.caFile ? {ca: readFileSync(profile.etcd.caFile, 'utf8')} : {}),
		...(profile.etcd.certFile ? {cert: readFileSync(profile.etcd.certFile, 'utf8')} : {}),
		...(profile.etcd.keyFile ? {key: readFileSync(profile.etcd.keyFile, 'utf8')} : {}),
	};
}

/**
 * The etcd CA, kept or created like the front-proxy CA. A state directory that holds a
 * member's certificate but no etcd CA is refused: a new CA would make every running member
 * distrust the others and every apiserver.
 */
function ensureEtcdCa(profile: Profile, state: StateDir, changes: PkiChange[], now: Date): CertKeyPair {
	const caFile = `${ETCD_CA.stem}.pem`;
	if (state.read(caFile) === undefined && state.read(`${ETCD_CA.stem}-key.pem`) === undefined) {
		const issuedBefore = profile.nodes.map((n) => `${etcdServerStem(n.name)}.pem`).find((f) => state.read(f) !== undefined);
		if (issuedBefore !== undefined) {
			throw new UserError(
				`${state.file(issuedBefore)} exists but the etcd CA that issued it (${state.file(caFile)}) does not; a new etcd CA would split the running members from each other and from the apiservers`,
				`restore ${caFile} and ${ETCD_CA.stem}-key.pem in the state directory; nothing was written`,
			);
		}
	}
	return keptOrCreatedCa(state, ETCD_CA, profile.pki, changes, now);
}

function stackedEtcdPki(profile: Profile, ca: CertKeyPair, pick: (stem: string) => CertKeyPair): StackedEtcdPki {
	const perNode = (stem: (name: string) => string) => Object.fromEntries(profile.nodes.map((n) => [n.name, pick(stem(n.name))]));
	return {ca, server: perNode(etcdServerStem), peer: perNode(etcdPeerStem), apiserverClient: pick(APISERVER_ETCD_CLIENT_STEM), toolClient: pick(TOOL_ETCD_CLIENT_STEM)};
}

/**
 * Issuing a certificate takes 10-20 ms of CPU (the CA's signature); a first run issues a
 * dozen. Between two, the event loop gets a turn, so SSH handshakes begun beside the
 * preparation (early-connections.ts) go on instead of waiting for the whole PKI.
 */
function otherWorkFirst(): Promise<void> {
	return new Promise((resolve) => setImmediate(resolve));
}

function issue(state: StateDir, stem: string, spec: Parameters<typeof issueCertificate>[0], ca: CertKeyPair, now: Date): CertKeyPair {
	const keys = generateEcKeyPair();
	const cert = issueCertificate(spec, keys.publicKey, {certPem: ca.cert, keyPem: ca.key}, now);
	// Key first: a cert without its key would be unusable after a crash in between.
	state.write(`${stem}-key.pem`, keys.privateKey);
	state.write(`${stem}.pem`, cert);
	return {cert, key: keys.privateKey};
}

function ensureCa(profile: Profile, state: StateDir, changes: PkiChange[], now: Date): CertKeyPair {
	if (profile.pki.caCert !== undefined && profile.pki.caKey !== undefined) {
		const cert = readFileSync(profile.pki.caCert, 'utf8');
		// Recorded, so that a later profile bringing another CA is recognised and refused.
		if (state.read(BROUGHT_CA_FILE) !== cert) state.write(BROUGHT_CA_FILE, cert);
		return {cert, key: readFileSync(profile.pki.caKey, 'utf8')};
	}
	return keptOrCreatedCa(state, CLUSTER_CA, profile.pki, changes, now);
}

interface CaFiles {
	/** Shown to the user. */
	item: string;
	stem: string;
	commonName: string;
}

const CLUSTER_CA: CaFiles = {item: 'CA', stem: 'ca', commonName: 'kubernetes-ca'};
/**
 * Signs only the proxy-client certificate, and is the apiserver's --requestheader-client-ca-file:
 * a client certificate it signed may name any user in X-Remote-User, so it must sign nothing
 * else (with the cluster CA there, any CA-signed certificate with CN aggregator could
 * impersonate anyone). Always the tool's own, kept here, as kubeadm's front-proxy-ca; a CA
 * brought in the profile keeps its role for every other certificate.
 */
const FRONT_PROXY_CA: CaFiles = {item: 'front-proxy CA', stem: 'front-proxy-ca', commonName: 'front-proxy-ca'};

/**
 * The CA kept in the state directory, or a new one; an expired or half-present one is refused,
 * never replaced. So is a kept CA that ends before the certificates it would issue (as a
 * brought CA is, in load.ts): a leaf outliving its CA stops verifying the day the CA expires.
 * Refused rather than capped: a capped leaf would be re-issued on every run near the CA's end.
 */
function keptOrCreatedCa(state: StateDir, files: CaFiles, days: Profile['pki'], changes: PkiChange[], now: Date): CertKeyPair {
	const certName = `${files.stem}.pem`;
	const keyName = `${files.stem}-key.pem`;
	const cert = state.read(certName);
	const key = state.read(keyName);
	if (cert !== undefined && key !== undefined) {
		const notAfter = new Date(new X509Certificate(cert).validTo);
		if (notAfter <= now) {
			throw new UserError(
				`the ${files.item} in ${state.file(certName)} expired on ${notAfter.toISOString()}`,
				'a CA is never replaced automatically (every certificate and kubeconfig of the cluster depends on it); move the state directory aside to start a new cluster PKI, or give pki.caCert and pki.caKey',
			);
		}
		const leafEnd = new Date(now.getTime() + days.certValidityDays * DAY_MS);
		if (notAfter < leafEnd) {
			const fits = Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
			throw new UserError(
				`pki.certValidityDays: the ${files.item} in ${state.file(certName)} expires on ${notAfter.toISOString()}, before the certificates it would issue (pki.certValidityDays: ${days.certValidityDays}, until ${leafEnd.toISOString()})`,
				`${fits >= 1 ? `set pki.certValidityDays to at most ${fits}; ` : ''}a CA is never replaced automatically and rotating one is not supported yet`,
			);
		}
		return {cert, key};
	}
	if (cert !== undefined || key !== undefined) {
		throw new UserError(
			`${state.file(cert === undefined ? keyName : certName)} exists without its ${cert === undefined ? `certificate ${certName}` : `key ${keyName}`}`,
			`restore the missing file, or move the state directory aside to create a new ${files.item} (the existing one is not replaced silently)`,
		);
	}
	const keys = generateEcKeyPair();
	const created = createCaCertificate(files.commonName, keys.privateKey, days.caValidityDays, now);
	state.write(keyName, keys.privateKey);
	state.write(certName, created);
	changes.push({item: files.item, action: 'created'});
	return {cert: created, key: keys.privateKey};
}

function ensureServiceAccountKey(state: StateDir, changes: PkiChange[]): Pki['serviceAccount'] {
	const existing = state.read('sa.key');
	if (existing !== undefined) {
		const publicKey = publicKeyPemOf(existing);
		if (state.read('sa.pub') !== publicKey) state.write('sa.pub', publicKey);
		return {privateKey: existing, publicKey};
	}
	const keys = generateEcKeyPair();
	state.write('sa.key', keys.privateKey);
	state.write('sa.pub', keys.publicKey);
	changes.push({item: 'service-account key pair', action: 'created'});
	return keys;
}

/**
 * The kept key and setting; else the profile's key, or one generated (the guide re-created it
 * on every run), kept from now on either way: removing encryption.key from the profile later
 * keeps the cluster's key instead of generating another. A new cluster writes with the
 * profile's provider (secretbox when unset) under a key named for today. (A profile key or
 * provider that differs from the kept one was refused before, see kept-material.ts.)
 */
function ensureEncryption(
	profile: Profile,
	state: StateDir,
	changes: PkiChange[],
	now: Date,
): {encryptionKey: string; encryption: EncryptionSetting; encryptionReaders: EncryptionKey[]} {
	const existing = state.read(ENCRYPTION_KEY_FILE)?.trim();
	if (existing) {
		// The writer's secret from the keys file when it names it: mid-rotation that file is written first.
		const {writer, readers} = keptKeyring(state, existing)!;
		return {encryptionKey: writer.secret, encryption: keptEncryptionSetting(state, true)!, encryptionReaders: readers};
	}
	const key = profile.encryption.key ?? randomBytes(32).toString('base64');
	const encryption: EncryptionSetting = {provider: profile.encryption.provider ?? DEFAULT_ENCRYPTION_PROVIDER, keyName: newKeyName(now)};
	state.write(ENCRYPTION_KEY_FILE, `${key}\n`);
	state.write(ENCRYPTION_SETTING_FILE, encryptionSettingJson(encryption));
	changes.push(profile.encryption.key === undefined ? {item: 'encryption key', action: 'created'} : {item: 'kept copy of encryption.key', action: 'created'});
	return {encryptionKey: key, encryption, encryptionReaders: []};
}

/**
 * The crypto checks of a kept certificate (parse, key match, CA signature) depend only on
 * the certificate, key and CA PEMs, so their result is remembered in the state directory
 * under a digest of the three: a re-run reads a small JSON file instead of parsing a dozen
 * keys (about a fifth of a re-render's own work). Any change to a PEM changes the digest
 * and the checks run again; the subject, SANs and expiry are still compared every run.
 */
class VerifiedMemo {
	static readonly FILE = 'pki-verified.json';
	readonly #before: Record<string, VerifiedFacts>;
	readonly #now: Record<string, VerifiedFacts> = {};

	constructor(private readonly state: StateDir) {
		let before: Record<string, VerifiedFacts> = {};
		try {
			before = JSON.parse(state.read(VerifiedMemo.FILE) ?? '{}') as Record<string, VerifiedFacts>;
		} catch {
			// unreadable: every certificate is checked again and the file rewritten
		}
		this.#before = before;
	}

	check(cert: string, key: string, caCert: string): VerifiedFacts | {reason: string} {
		const digest = createHash('sha256').update(cert).update('\0').update(key).update('\0').update(caCert).digest('hex');
		const facts = this.#before[digest] ?? verifyCertificate({cert, key}, caCert);
		if (!('reason' in facts)) this.#now[digest] = facts;
		return facts;
	}

	/** A certificate just issued: checked once now, so the next run finds it remembered. */
	remember(pair: CertKeyPair, caCert: string): CertKeyPair {
		this.check(pair.cert, pair.key, caCert);
		return pair;
	}

	/** Keeps only the certificates of this run; writes only when that differs from the file. */
	save(): void {
		const text = `${JSON.stringify(this.#now, null, 1)}\n`;
		if (text !== `${JSON.stringify(this.#before, null, 1)}\n`) this.state.write(VerifiedMemo.FILE, text);
	}
}
