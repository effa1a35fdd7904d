import {createHash, createPrivateKey, createPublicKey, randomBytes, sign, type KeyObject} from 'node:crypto';
import {createRequire} from 'node:module';
import type Forge from 'node-forge';

/**
 * Builds X.509 v3 certificates. node-forge assembles the ASN.1 (names, validity,
 * extensions); node:crypto signs the TBSCertificate. forge can only encode and sign with
 * RSA keys, and our keys are ECDSA P-256 (see keys.ts), so the SubjectPublicKeyInfo and
 * the signature algorithm are spliced in from node:crypto's DER: the result is a plain
 * RFC 5280 certificate that OpenSSL and Go verify (tests check both).
 */
export interface CertificateSpec {
	commonName: string;
	organization?: string;
	dnsNames?: string[];
	ipAddresses?: string[];
	serverAuth?: boolean;
	clientAuth?: boolean;
	validityDays: number;
}

export interface Signer {
	/** The issuing CA's certificate (PEM) and private key (PEM). */
	certPem: string;
	keyPem: string;
}

// Loaded on first use: a re-render that keeps every certificate never needs forge, and
// its import is a noticeable part of the CLI's start-up.
let loaded: typeof Forge | undefined;
function forgeLib(): typeof Forge {
	loaded ??= createRequire(import.meta.url)('node-forge') as typeof Forge;
	return loaded;
}
const OID_EC_SHA256 = '1.2.840.10045.4.3.2';
const OID_RSA_SHA256 = '1.2.840.113549.1.1.11';

/** A leaf certificate for `publicKeyPem`, signed by `signer`. */
export function issueCertificate(spec: CertificateSpec, publicKeyPem: string, signer: Signer, now = new Date()): string {
	const ca = parsedSigner(signer);
	const extensions: unknown[] = [
		{name: 'basicConstraints', cA: false, critical: true},
		{name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: isRsa(createPublicKey(publicKeyPem))},
		{name: 'extKeyUsage', serverAuth: spec.serverAuth === true, clientAuth: spec.clientAuth === true},
		subjectKeyIdentifier(publicKeyPem),
		// Must equal the issuer's own subjectKeyIdentifier, or OpenSSL and Go cannot build the chain.
		{name: 'authorityKeyIdentifier', keyIdentifier: ca.keyIdentifier},
	];
	const altNames = [
		...(spec.dnsNames ?? []).map((value) => ({type: 2, value})),
		...(spec.ipAddresses ?? []).map((ip) => ({type: 7, ip})),
	];
	if (altNames.length > 0) extensions.push({name: 'subjectAltName', altNames});
	return build({
		subject: subjectAttributes(spec),
		issuer: ca.subject,
		publicKeyPem,
		signingKey: ca.signingKey,
		extensions,
		validityDays: spec.validityDays,
		now,
	});
}

interface ParsedSigner {
	subject: Forge.asn1.Asn1;
	keyIdentifier: string;
	signingKey: KeyObject;
}

// A run issues a dozen certificates from one CA: its certificate and key are parsed once
// (an RSA key import and two ASN.1 parses each time were a third of issuing one).
let lastSigner: {certPem: string; keyPem: string; parsed: ParsedSigner} | undefined;
function parsedSigner(signer: Signer): ParsedSigner {
	if (lastSigner?.certPem === signer.certPem && lastSigner.keyPem === signer.keyPem) return lastSigner.parsed;
	const parsed = {
		// Never mutated: build() places it into each TBSCertificate as it is.
		subject: subjectOfCertificate(signer.certPem),
		keyIdentifier: issuerKeyIdentifier(signer.certPem) ?? keyIdentifierBytes(createPublicKey(signer.certPem)),
		signingKey: createPrivateKey(signer.keyPem),
	};
	lastSigner = {certPem: signer.certPem, keyPem: signer.keyPem, parsed};
	return parsed;
}

/** A self-signed CA certificate. */
export function createCaCertificate(commonName: string, keyPem: string, validityDays: number, now = new Date()): string {
	const privateKey = createPrivateKey(keyPem);
	const publicKeyPem = createPublicKey(privateKey).export({type: 'spki', format: 'pem'}).toString();
	return build({
		subject: [{name: 'commonName', value: commonName}],
		issuer: 'self',
		publicKeyPem,
		signingKey: privateKey,
		extensions: [
			{name: 'basicConstraints', cA: true, critical: true},
			{name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true, digitalSignature: true},
			subjectKeyIdentifier(publicKeyPem),
		],
		validityDays,
		now,
	});
}

/**
 * A certificate serial from 16 random bytes. forge writes the hex as the DER INTEGER's
 * content octets and drops at most one leading 0x00, so random bytes 00 00 0x.. came out
 * as 00 0x..: "illegal padding", which Node's OpenSSL refuses to parse (CI hit it, about
 * one cert in 65,000). RFC 5280 wants it positive too. So the top bit is cleared and the
 * next one set: never a leading zero, 126 random bits, always 16 octets.
 */
export function serialHex(random: Uint8Array): string {
	const bytes = Buffer.from(random);
	bytes[0] = (bytes[0]! & 0x3f) | 0x40;
	return bytes.toString('hex');
}

function build(input: {
	subject: unknown[];
	/** The issuer Name as DER-parsed ASN.1 (copied byte-exact from the CA), or self-signed. */
	issuer: Forge.asn1.Asn1 | 'self';
	publicKeyPem: string;
	signingKey: KeyObject;
	extensions: unknown[];
	validityDays: number;
	now: Date;
}): string {
	const forge = forgeLib();
	const {asn1} = forge;
	const cert = forge.pki.createCertificate();
	cert.serialNumber = serialHex(randomBytes(16));
	// Back-date a little so a node whose clock lags does not reject a fresh cert.
	cert.validity.notBefore = new Date(Math.floor(input.now.getTime() / 1000) * 1000 - 5 * 60_000);
	cert.validity.notAfter = new Date(Math.floor(input.now.getTime() / 1000) * 1000 + input.validityDays * 86_400_000);
	cert.setSubject(input.subject as Forge.pki.CertificateField[]);
	cert.setIssuer(input.subject as Forge.pki.CertificateField[]);
	cert.setExtensions(input.extensions as never[]);
	// forge's TBS builder needs an RSA public key object; a placeholder is encoded and
	// then replaced by the real SubjectPublicKeyInfo below.
	const one = new forge.jsbn.BigInteger('1');
	cert.publicKey = forge.pki.setRsaPublicKey(one, one);
	const ec = input.signingKey.asymmetricKeyType === 'ec';
	if (!ec && input.signingKey.asymmetricKeyType !== 'rsa') {
		// A guard only: a brought CA with such a key is refused when the profile is loaded (ca-key-type.ts).
		throw new Error(`CA key type ${input.signingKey.asymmetricKeyType} is not supported (use an RSA or ECDSA CA)`);
	}
	const algorithmOid = ec ? OID_EC_SHA256 : OID_RSA_SHA256;
	cert.siginfo.algorithmOid = algorithmOid;
	const tbs = (forge.pki as unknown as {getTBSCertificate(c: Forge.pki.Certificate): Forge.asn1.Asn1}).getTBSCertificate(cert);
	const fields = tbs.value as Forge.asn1.Asn1[];
	// TBSCertificate: [0] version, serial, signature, issuer, validity, subject, spki, [3] extensions
	fields[2] = signatureAlgorithm(algorithmOid, ec);
	if (input.issuer !== 'self') fields[3] = input.issuer;
	fields[6] = asn1.fromDer(derOfPem(input.publicKeyPem).toString('binary'));
	const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
	const signature = sign('sha256', tbsDer, input.signingKey);
	const certificate = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
		tbs,
		signatureAlgorithm(algorithmOid, ec),
		asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, '\x00' + signature.toString('binary')),
	]);
	return toPem('CERTIFICATE', Buffer.from(asn1.toDer(certificate).getBytes(), 'binary'));
}

/** The subject Name of a certificate, as ASN.1 (forge cannot parse non-RSA certificates). */
function subjectOfCertificate(certPem: string): Forge.asn1.Asn1 {
	const {asn1} = forgeLib();
	const certificate = asn1.fromDer(derOfPem(certPem).toString('binary'));
	const tbs = (certificate.value as Forge.asn1.Asn1[])[0]!;
	return (tbs.value as Forge.asn1.Asn1[])[5]!;
}

/** AlgorithmIdentifier: RSA carries NULL parameters, ECDSA none (RFC 5758). */
function signatureAlgorithm(oid: string, ec: boolean): Forge.asn1.Asn1 {
	const {asn1} = forgeLib();
	const parts = [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes())];
	if (!ec) parts.push(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''));
	return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, parts);
}

function subjectAttributes(spec: CertificateSpec): unknown[] {
	const attrs: unknown[] = [];
	if (spec.organization !== undefined) attrs.push({name: 'organizationName', value: spec.organization});
	attrs.push({name: 'commonName', value: spec.commonName});
	return attrs;
}

function subjectKeyIdentifier(publicKeyPem: string): unknown {
	const {asn1} = forgeLib();
	const id = keyIdentifierBytes(createPublicKey(publicKeyPem));
	return {name: 'subjectKeyIdentifier', value: asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, id)};
}

// forge's fromDer takes an options object at run time; its type definitions only know `strict`.
const NO_BIT_STRING_DECODING = {decodeBitStrings: false} as unknown as boolean;

/** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's bytes. */
function keyIdentifierBytes(key: KeyObject): string {
	const {asn1} = forgeLib();
	// decodeBitStrings off: an RSA key's BIT STRING holds DER that forge would otherwise
	// parse into children, leaving no bytes to hash.
	const spki = asn1.fromDer(key.export({type: 'spki', format: 'der'}).toString('binary'), NO_BIT_STRING_DECODING);
	const bitString = (spki.value as Forge.asn1.Asn1[])[1]!.value as string;
	// Drop the leading "unused bits" octet.
	return createHash('sha1').update(Buffer.from(bitString.slice(1), 'binary')).digest().toString('binary');
}

const OID_SUBJECT_KEY_IDENTIFIER = '2.5.29.14';

/** The subjectKeyIdentifier extension of a certificate (a CA brought by the user), if it has one. */
function issuerKeyIdentifier(certPem: string): string | undefined {
	const {asn1} = forgeLib();
	const cert = asn1.fromDer(derOfPem(certPem).toString('binary'), NO_BIT_STRING_DECODING);
	const tbs = (cert.value as Forge.asn1.Asn1[])[0]!.value as Forge.asn1.Asn1[];
	// Extensions are the [3] explicitly tagged field of the TBSCertificate.
	const wrapper = tbs.find((part) => part.tagClass === asn1.Class.CONTEXT_SPECIFIC && part.type === 3);
	const extensions = ((wrapper?.value as Forge.asn1.Asn1[] | undefined)?.[0]?.value ?? []) as Forge.asn1.Asn1[];
	for (const extension of extensions) {
		const [oid, ...rest] = extension.value as Forge.asn1.Asn1[];
		if (!oid || asn1.derToOid(oid.value as string) !== OID_SUBJECT_KEY_IDENTIFIER) continue;
		const octets = rest.at(-1)?.value as string;
		const inner = asn1.fromDer(octets);
		return inner.value as string;
	}
	return undefined;
}

function isRsa(key: KeyObject): boolean {
	return key.asymmetricKeyType === 'rsa';
}

function derOfPem(pem: string): Buffer {
	return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

function toPem(label: string, der: Buffer): string {
	const body = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
	return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}
