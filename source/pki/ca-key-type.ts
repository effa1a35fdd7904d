import type {KeyObject} from 'node:crypto';

// Which keys can sign this tool's certificates. x509.ts writes the signature algorithm
// itself (forge knows only RSA), as sha256WithRSAEncryption or ecdsa-with-SHA256: any
// other key type (Ed25519, Ed448, RSA-PSS, DSA) has no encoding there. The curves are
// the ones Go's crypto/x509 parses, since every Kubernetes component verifies with it;
// a CA on another curve would sign fine and then be refused by each of them.
const SUPPORTED_CURVES: Readonly<Record<string, string>> = {prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521'};

export const SUPPORTED_CA_KEYS = 'RSA, or ECDSA on P-256, P-384 or P-521';

/** Why `key` cannot sign as the cluster CA, or undefined when it can. */
export function caKeyTypeProblem(key: KeyObject): string | undefined {
	const type = key.asymmetricKeyType;
	if (type === 'rsa') return undefined;
	if (type === 'ec') {
		const curve = key.asymmetricKeyDetails?.namedCurve;
		if (curve !== undefined && curve in SUPPORTED_CURVES) return undefined;
		return `is an ECDSA key on curve ${curve ?? '(unnamed)'}, which cannot sign the cluster's certificates; bring a CA whose key is ${SUPPORTED_CA_KEYS}`;
	}
	return `is a key of type ${type ?? '(unknown)'}, which cannot sign the cluster's certificates; bring a CA whose key is ${SUPPORTED_CA_KEYS}`;
}
