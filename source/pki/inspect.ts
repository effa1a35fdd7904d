import {X509Certificate, createPrivateKey} from 'node:crypto';
import {isIP} from 'node:net';
import {Address6} from 'ip-address';
import type {CertificateSpec} from './x509.js';

/** Read certificates with node:crypto (native; forge cannot parse ECDSA certificates). */
export interface CertificateInfo {
	x509: X509Certificate;
	commonName?: string;
	organizations: string[];
	dnsNames: string[];
	ipAddresses: string[];
	notBefore: Date;
	notAfter: Date;
}

export function inspectCertificate(pem: string): CertificateInfo {
	const x509 = new X509Certificate(pem);
	const subject = parseDistinguishedName(x509.subject);
	const sans = (x509.subjectAltName ?? '').split(', ').filter(Boolean);
	return {
		x509,
		commonName: subject.get('CN')?.[0],
		organizations: subject.get('O') ?? [],
		dnsNames: sans.filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4)),
		ipAddresses: sans.filter((s) => s.startsWith('IP Address:')).map((s) => s.slice(11)),
		notBefore: new Date(x509.validFrom),
		notAfter: new Date(x509.validTo),
	};
}

function parseDistinguishedName(text: string): Map<string, string[]> {
	const out = new Map<string, string[]>();
	for (const line of text.split('\n')) {
		const at = line.indexOf('=');
		if (at <= 0) continue;
		const key = line.slice(0, at);
		out.set(key, [...(out.get(key) ?? []), line.slice(at + 1)]);
	}
	return out;
}

/**
 * Days before expiry at which a kept certificate is re-issued: 30, or a third of the
 * configured validity when that is shorter (so a 30-day cert is not re-issued every run).
 */
export function renewWindowDays(validityDays: number): number {
	return Math.min(30, Math.floor(validityDays / 3));
}

/** What the spec comparison needs from a certificate that passed the crypto checks. */
export interface VerifiedFacts {
	commonName?: string;
	organizations: string[];
	dnsNames: string[];
	ipAddresses: string[];
	/** ISO time. */
	notAfter: string;
}

/**
 * The checks that need cryptography and depend only on the three PEMs: the certificate
 * parses, matches its key and is signed by the CA. Facts for reasonToReissue, or why not.
 */
export function verifyCertificate(existing: {cert: string; key: string}, caCertPem: string): VerifiedFacts | {reason: string} {
	let info: CertificateInfo;
	try {
		info = inspectCertificate(existing.cert);
	} catch {
		return {reason: 'the stored certificate cannot be parsed'};
	}
	try {
		if (!info.x509.checkPrivateKey(createPrivateKey(existing.key))) return {reason: 'the stored key does not match the certificate'};
	} catch {
		return {reason: 'the stored key cannot be parsed'};
	}
	const ca = parsedCa(caCertPem);
	if (!info.x509.checkIssued(ca) || !info.x509.verify(ca.publicKey)) return {reason: 'it is not signed by the current CA'};
	const {commonName, organizations, dnsNames, ipAddresses, notAfter} = info;
	return {...(commonName !== undefined ? {commonName} : {}), organizations, dnsNames, ipAddresses, notAfter: notAfter.toISOString()};
}

/**
 * Why an existing certificate cannot be kept for `spec`, or undefined when it can: it must
 * be signed by the current CA, match its key (verifyCertificate, or its remembered result),
 * say what the spec says (subject and SANs), and stay valid for more than the renew window.
 */
export function reasonToReissue(verified: VerifiedFacts | {reason: string}, spec: CertificateSpec, now: Date): string | undefined {
	if ('reason' in verified) return verified.reason;
	if (verified.commonName !== spec.commonName) return `its CN is ${verified.commonName ?? '(none)'}, expected ${spec.commonName}`;
	const wantO = spec.organization === undefined ? [] : [spec.organization];
	if (!sameSet(verified.organizations, wantO)) return `its O is ${verified.organizations.join(',') || '(none)'}, expected ${wantO.join(',') || '(none)'}`;
	const sanDiff = describeSetDiff([...verified.dnsNames, ...verified.ipAddresses], [...(spec.dnsNames ?? []), ...(spec.ipAddresses ?? [])]);
	if (sanDiff) return `its SANs differ (${sanDiff})`;
	const left = (new Date(verified.notAfter).getTime() - now.getTime()) / 86_400_000;
	if (left <= renewWindowDays(spec.validityDays)) return left <= 0 ? 'it has expired' : `it expires in ${Math.floor(left)} days`;
	return undefined;
}

let lastCa: {pem: string; x509: X509Certificate} | undefined;
/** The CA is checked against every certificate of a run: parse it once. */
function parsedCa(pem: string): X509Certificate {
	if (lastCa?.pem !== pem) lastCa = {pem, x509: new X509Certificate(pem)};
	return lastCa.x509;
}

function sameSet(a: string[], b: string[]): boolean {
	return a.length === b.length && a.every((x) => b.includes(x));
}

function describeSetDiff(haveRaw: string[], wantRaw: string[]): string {
	const have = haveRaw.map(normalizeSan);
	const want = wantRaw.map(normalizeSan);
	const added = want.filter((x) => !have.includes(x)).map((x) => `+${x}`);
	const removed = have.filter((x) => !want.includes(x)).map((x) => `-${x}`);
	return [...added, ...removed].join(' ');
}

/**
 * OpenSSL prints IPv6 SANs expanded (FE80:0:0:…); compare them in one canonical form.
 * Only a value with a colon can be IPv6: node's IPv6 check costs about a millisecond on
 * each DNS name otherwise (every render checks every SAN of every kept certificate).
 */
function normalizeSan(value: string): string {
	return value.includes(':') && isIP(value) === 6 ? new Address6(value).correctForm() : value;
}
