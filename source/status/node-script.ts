import {posix} from 'node:path';
import {SERVICES, type ServiceName} from '../cluster/services.js';
import {sh, shJoin, type ShellCommand} from '../remote/shell.js';
import {certificateFromPem} from './certificates.js';
import {encryptionLines, parseEncryptionSection} from './encryption.js';
import type {CertificateStatus, NodeEncryption, UnitStatus} from './json-schema.js';

/**
 * The one command each refresh runs on a node over SSH (pure: building it and parsing what
 * it prints). It batches the hostname, `systemctl show` for the three units, and the
 * certificate blocks of the files in the cert dir and of the kubeconfigs' client certs —
 * only `BEGIN CERTIFICATE` blocks ever leave the node, never key material.
 */

export const UNIT_PROPERTIES = [
	'Id',
	'LoadState',
	'ActiveState',
	'SubState',
	'Result',
	'NRestarts',
	'StateChangeTimestamp',
	'ActiveEnterTimestamp',
	'ExecMainStartTimestamp',
] as const;

/**
 * `certificates: false` leaves the certificate files out (they change only on apply; the
 * prober re-reads them once a minute and reuses them in between).
 */
export function buildNodeProbeCommand(paths: {certDir: string; configDir: string}, include: {certificates?: boolean} = {}): ShellCommand {
	const encryptionConfig = posix.join(paths.configDir, 'encryption-config.yaml');
	const props = UNIT_PROPERTIES.join(',');
	const script = shJoin(
		[
			sh`echo '### hostname'`,
			sh`hostname`,
			sh`echo '### systemd'`,
			// --timestamp=unix (systemd >= 248) gives "@1700000000"; older systemd prints local time.
			sh`systemctl show --timestamp=unix -p ${props} ${SERVICES} 2>/dev/null || systemctl show -p ${props} ${SERVICES}`,
			...(include.certificates === false ? [] : [...certificateLines(paths.certDir, paths.configDir), ...encryptionLines(encryptionConfig)]),
			sh`echo '### end'`,
		],
		'\n',
	);
	return sh`sh -c ${script}`;
}

function certificateLines(cert: string, conf: string): ShellCommand[] {
	return [
		sh`echo '### certificates'`,
		sh`for f in ${cert}/*.pem ${cert}/*.crt; do [ -f "$f" ] || continue; case "$f" in *-key.pem|*.key) continue;; esac; echo "## file $f"; awk '/-----BEGIN CERTIFICATE-----/{p=1} p{print} /-----END CERTIFICATE-----/{p=0}' "$f"; done`,
		sh`for f in ${conf}/*.kubeconfig; do [ -f "$f" ] || continue; echo "## kubeconfig $f"; sed -n 's/^[[:space:]]*client-certificate-data:[[:space:]]*//p' "$f"; done`,
	];
}

export interface NodeProbeOutput {
	hostname: string | null;
	units: Record<ServiceName, UnitStatus | null>;
	/** Undefined when the command left the certificate files out. */
	certificates: CertificateStatus[] | undefined;
	/** Read with the certificates (undefined when left out); null: the node has no config. */
	encryption: NodeEncryption | null | undefined;
	/** The output stopped early (e.g. cut by a timeout): what is missing is unknown. */
	complete: boolean;
}

export function parseNodeProbeOutput(stdout: string, now: number): NodeProbeOutput {
	const sections = splitSections(stdout);
	const hostname = sections.get('hostname')?.trim().split('\n')[0]?.trim() || null;
	const units = parseSystemctlShow(sections.get('systemd') ?? '');
	const certSection = sections.get('certificates');
	const certificates = certSection === undefined ? undefined : parseCertificateSection(certSection, now);
	const encryptionSection = sections.get('encryption');
	const encryption = encryptionSection === undefined ? undefined : parseEncryptionSection(encryptionSection);
	return {hostname, units, certificates, encryption, complete: sections.has('end')};
}

function splitSections(stdout: string): Map<string, string> {
	const out = new Map<string, string>();
	let current: string | undefined;
	let lines: string[] = [];
	for (const line of stdout.split('\n')) {
		const m = /^### (\w+)$/.exec(line);
		if (m) {
			if (current !== undefined) out.set(current, lines.join('\n'));
			current = m[1]!;
			lines = [];
		} else if (current !== undefined) lines.push(line);
	}
	if (current !== undefined) out.set(current, lines.join('\n'));
	return out;
}

/** `systemctl show -p ... A B C`: one block of KEY=VALUE lines per unit, blocks separated by a blank line. */
export function parseSystemctlShow(text: string): Record<ServiceName, UnitStatus | null> {
	const result = Object.fromEntries(SERVICES.map((s) => [s, null])) as Record<ServiceName, UnitStatus | null>;
	for (const block of text.split(/\n\s*\n/)) {
		const props = new Map<string, string>();
		for (const line of block.split('\n')) {
			const eq = line.indexOf('=');
			if (eq > 0) props.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
		}
		const id = props.get('Id')?.replace(/\.service$/, '');
		if (!id || !(SERVICES as readonly string[]).includes(id)) continue;
		const restarts = Number.parseInt(props.get('NRestarts') ?? '', 10);
		result[id as ServiceName] = {
			unit: id as ServiceName,
			loadState: props.get('LoadState') || 'unknown',
			activeState: props.get('ActiveState') || 'unknown',
			subState: props.get('SubState') || 'unknown',
			result: props.get('Result') || null,
			nRestarts: Number.isFinite(restarts) ? restarts : null,
			since: parseSystemdTimestamp(props.get('StateChangeTimestamp')) ?? parseSystemdTimestamp(props.get('ActiveEnterTimestamp')),
			mainStartedAt: parseSystemdTimestamp(props.get('ExecMainStartTimestamp')),
		};
	}
	return result;
}

/** "@1700000000" (--timestamp=unix), or "Mon 2024-01-01 12:00:00 UTC"; empty / "n/a" → null. */
export function parseSystemdTimestamp(value: string | undefined): string | null {
	if (!value || value === 'n/a' || value === '0') return null;
	const unix = /^@(\d+)$/.exec(value);
	if (unix) {
		const seconds = Number(unix[1]);
		return seconds > 0 ? new Date(seconds * 1000).toISOString() : null;
	}
	const m = /^(?:\w{3} )?(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?: (UTC|GMT|[+-]\d{2}:?\d{2}))?$/.exec(value);
	if (!m) return null;
	const zone = m[3] === undefined || m[3] === 'UTC' || m[3] === 'GMT' ? 'Z' : m[3];
	const ms = Date.parse(`${m[1]}T${m[2]}${zone}`);
	return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function parseCertificateSection(text: string, now: number): CertificateStatus[] {
	const certs: CertificateStatus[] = [];
	const parts = text.split(/^## /m).slice(1);
	for (const part of parts) {
		const nl = part.indexOf('\n');
		const header = nl === -1 ? part : part.slice(0, nl);
		const body = nl === -1 ? '' : part.slice(nl + 1);
		const m = /^(file|kubeconfig) (.+)$/.exec(header.trim());
		if (!m) continue;
		if (m[1] === 'file') {
			const c = certificateFromPem(body, m[2]!, 'file', now);
			if (c) certs.push(c);
		} else {
			const data = body.trim().split('\n')[0]?.trim();
			if (!data) continue;
			const pem = Buffer.from(data, 'base64').toString('utf8');
			const c = certificateFromPem(pem, `${m[2]!} (client)`, 'kubeconfig', now);
			if (c) certs.push(c);
		}
	}
	return certs;
}
