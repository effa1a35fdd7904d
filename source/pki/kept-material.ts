// What a state directory keeps that a profile must never replace: the encryption key
// (every Secret stored so far is encrypted with it) and the CA its certificates were issued
// from (every certificate and kubeconfig of the cluster depends on it). A profile value that
// differs is refused before anything is written; changing either is a rotation, not an
// edit of the profile (a key or provider a rotation retired is accepted: the kept one wins). The checks only read the state directory.
import {X509Certificate} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {UserError} from '../errors.js';
import type {Profile} from '../profile/schema.js';
import type {StateDir} from '../state/state-dir.js';
import {apiserverStem} from './cert-specs.js';
import {DEFAULT_ENCRYPTION_PROVIDER, ENCRYPTION_SETTING_FILE, keptEncryptionSetting} from './encryption-setting.js';
import {isKeptSecret, readKeptKeys} from './encryption-keyring.js';
import {keyLengthsOf} from '../profile/constants.js';

/** The state file that holds the encryption key. */
export const ENCRYPTION_KEY_FILE = 'encryption-key';
/** The certificate of a CA the profile brought (pki.caCert), kept to recognise it next time. */
export const BROUGHT_CA_FILE = 'brought-ca.pem';

/** Throws (exit 2) when the profile would replace the kept encryption key or CA. */
export function refuseReplacingKeptMaterial(profile: Profile, state: StateDir): void {
	refuseOtherEncryptionKey(profile, state);
	refuseOtherEncryptionProvider(profile, state);
	refuseOtherCa(profile, state);
}

/** The provider a profile names is the kept one; on a new cluster its key (if given) fits it. */
function refuseOtherEncryptionProvider(profile: Profile, state: StateDir): void {
	const keyKept = Boolean(state.read(ENCRYPTION_KEY_FILE)?.trim());
	const kept = keyKept ? keptEncryptionSetting(state, true) : undefined;
	const wanted = profile.encryption.provider;
	if (kept !== undefined) {
		if (wanted === undefined || wanted === kept.provider) return;
		// The provider of a key this cluster rotated away from: the kept one wins, as for its key.
		if (readKeptKeys(state).some((k) => k.provider === wanted)) return;
		throw new UserError(
			`encryption.provider: ${wanted}, but this cluster's Secrets are written with ${kept.provider} (key ${kept.keyName}, kept in ${state.file(state.read(ENCRYPTION_SETTING_FILE) === undefined ? ENCRYPTION_KEY_FILE : ENCRYPTION_SETTING_FILE)}); a new provider alone would make them unreadable`,
			`set encryption.provider: ${kept.provider} or remove it (the kept one is used); to move to ${wanted}: k8s-master-setup encryption rotate --provider ${wanted}; nothing was written`,
		);
	}
	const provider = wanted ?? DEFAULT_ENCRYPTION_PROVIDER;
	const given = profile.encryption.key;
	if (given === undefined) return;
	const length = Buffer.from(given, 'base64').length;
	if (keyLengthsOf(provider).includes(length)) return;
	throw new UserError(
		`encryption.key: ${length} bytes, but ${provider}${wanted === undefined ? ' (the provider of a new cluster unless encryption.provider says otherwise)' : ''} needs ${keyLengthsOf(provider).join(', ')}`,
		'give a 32-byte key (`head -c 32 /dev/urandom | base64`), or set encryption.provider: aescbc or aesgcm; nothing was written',
	);
}

function refuseOtherEncryptionKey(profile: Profile, state: StateDir): void {
	const given = profile.encryption.key;
	const kept = state.read(ENCRYPTION_KEY_FILE)?.trim();
	if (given === undefined || !kept) return;
	// The key itself, or one a rotation retired (the profile still names it): the kept one is used.
	if (isKeptSecret(given, kept, readKeptKeys(state))) return;
	throw new UserError(
		`encryption.key: differs from the key kept in ${state.file(ENCRYPTION_KEY_FILE)}; the kept key stays (every Secret stored so far is encrypted with it, a new key alone would make them unreadable)`,
		'remove encryption.key from the profile to keep using the kept key; a new key is made by `k8s-master-setup encryption rotate`; nothing was written',
	);
}

function refuseOtherCa(profile: Profile, state: StateDir): void {
	const keptPem = state.read(BROUGHT_CA_FILE) ?? state.read('ca.pem');
	const kept = keptPem === undefined ? undefined : new X509Certificate(keptPem);
	// Any certificate the CA issued tells which CA it was: the first node's apiserver certificate, or the one of an older release.
	const issuedApiserver = state.read(`${apiserverStem(profile.nodes[0]!.name)}.pem`) ?? state.read('kubernetes.pem');
	if (profile.pki.caCert === undefined) {
		// A new CA would be created and every certificate re-issued from it.
		if (state.read('ca.pem') !== undefined || state.read('ca-key.pem') !== undefined) return;
		if (kept !== undefined) {
			throw new UserError(
				`pki.caCert: is not given, but the certificates in ${state.path} were issued by the CA brought before (SHA-256 ${kept.fingerprint256}); a new CA would replace every certificate of the cluster`,
				'give pki.caCert and pki.caKey of that CA again; nothing was written',
			);
		}
		if (issuedApiserver !== undefined) {
			throw new UserError(
				`pki.caCert: is not given, and ${state.path} has certificates but no CA (issuer of the apiserver certificate: ${new X509Certificate(issuedApiserver).issuer.replace(/\n/g, ', ')}); a new CA would replace every certificate of the cluster`,
				'give pki.caCert and pki.caKey of the CA that issued them, or restore ca.pem and ca-key.pem in the state directory; nothing was written',
			);
		}
		return;
	}
	const brought = new X509Certificate(readFileSync(profile.pki.caCert, 'utf8'));
	if (kept !== undefined) {
		if (sameCa(kept, brought)) return;
		throw new UserError(
			`pki.caCert: ${profile.pki.caCert} (SHA-256 ${brought.fingerprint256}) is not the CA the state in ${state.path} was built with (SHA-256 ${kept.fingerprint256}); the kept CA stays`,
			'CA rotation is not supported yet; give pki.caCert and pki.caKey of the CA the cluster was built with (or move the state directory aside for a new cluster); nothing was written',
		);
	}
	// A state directory made before the brought CA was recorded: its certificates tell.
	if (issuedApiserver !== undefined && !new X509Certificate(issuedApiserver).verify(brought.publicKey)) {
		throw new UserError(
			`pki.caCert: ${profile.pki.caCert} (SHA-256 ${brought.fingerprint256}) did not issue the certificates in ${state.path} (issuer of the apiserver certificate: ${new X509Certificate(issuedApiserver).issuer.replace(/\n/g, ', ')}); the kept certificates stay`,
			'CA rotation is not supported yet; give pki.caCert and pki.caKey of the CA the cluster was built with; nothing was written',
		);
	}
}

/**
 * One CA: the same subject and the same public key. A CA certificate renewed with its own
 * key (a new validity, a new fingerprint) still verifies every certificate issued before.
 */
export function sameCa(a: X509Certificate, b: X509Certificate): boolean {
	return a.subject === b.subject && a.publicKey.equals(b.publicKey);
}
