import {createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject} from 'node:crypto';

/**
 * Keys come from node:crypto (native). Every key this tool generates is ECDSA P-256:
 * generating one takes well under a millisecond, where an RSA-2048 key takes 50-400 ms on
 * these machines (measured: 10 keys = 3.9 s under load), which alone would blow the render
 * budget. Every Kubernetes component (Go crypto/tls, the service-account token signer:
 * ES256) accepts P-256 keys. A CA brought by the user may be RSA or ECDSA; both can sign.
 */
export interface KeyPairPem {
	/** PKCS#8 PEM. Secret: never printed. */
	privateKey: string;
	/** SPKI PEM. */
	publicKey: string;
}

export function generateEcKeyPair(): KeyPairPem {
	const {privateKey, publicKey} = generateKeyPairSync('ec', {
		namedCurve: 'P-256',
		publicKeyEncoding: {type: 'spki', format: 'pem'},
		privateKeyEncoding: {type: 'pkcs8', format: 'pem'},
	});
	return {privateKey, publicKey};
}

export function publicKeyOf(privateKeyPem: string): KeyObject {
	return createPublicKey(createPrivateKey(privateKeyPem));
}

/** The public key PEM (SPKI) of a private key. */
export function publicKeyPemOf(privateKeyPem: string): string {
	return publicKeyOf(privateKeyPem).export({type: 'spki', format: 'pem'}).toString();
}
