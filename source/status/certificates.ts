import {X509Certificate} from 'node:crypto';
import type {CertificateStatus} from './json-schema.js';

/** Certificate expiry, computed locally from PEM or a TLS peer certificate (no openssl on nodes). */

const DAY_MS = 86_400_000;

export function daysLeft(notAfterMs: number, now: number): number {
	return Math.floor((notAfterMs - now) / DAY_MS);
}

/** The first certificate of a PEM bundle (the leaf, by convention). */
export function firstPemCertificate(pem: string): string | undefined {
	const m = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem);
	return m?.[0];
}

export function certificateFromPem(
	pem: string,
	source: string,
	kind: CertificateStatus['kind'],
	now: number,
): CertificateStatus | undefined {
	const block = firstPemCertificate(pem);
	if (block === undefined) return undefined;
	try {
		const cert = new X509Certificate(block);
		return fromValidTo(cert.validTo, subjectLine(cert.subject), source, kind, now);
	} catch {
		return undefined;
	}
}

/** From `tls.PeerCertificate` fields (`valid_to` is like "Jan  1 00:00:00 2027 GMT"). */
export function certificateFromPeer(
	peer: {valid_to?: string; subject?: Record<string, string | string[] | undefined>} | undefined,
	source: string,
	now: number,
): CertificateStatus | undefined {
	if (!peer?.valid_to) return undefined;
	const cn = peer.subject?.CN;
	return fromValidTo(peer.valid_to, cn === undefined ? null : `CN=${Array.isArray(cn) ? cn.join('+') : cn}`, source, 'served', now);
}

function fromValidTo(validTo: string, subject: string | null, source: string, kind: CertificateStatus['kind'], now: number): CertificateStatus | undefined {
	const ms = Date.parse(validTo);
	if (!Number.isFinite(ms)) return undefined;
	return {source, kind, subject, notAfter: new Date(ms).toISOString(), daysLeft: daysLeft(ms, now)};
}

/** X509Certificate.subject is "CN=x\nO=y"; one line reads better. */
function subjectLine(subject: string): string {
	return subject.split('\n').filter(Boolean).join(', ');
}

/** The certificate that expires first, or undefined for an empty list. */
export function nearestExpiry(certs: readonly CertificateStatus[]): CertificateStatus | undefined {
	let nearest: CertificateStatus | undefined;
	for (const c of certs) if (nearest === undefined || c.daysLeft < nearest.daysLeft) nearest = c;
	return nearest;
}
