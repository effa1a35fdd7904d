// The rules for single profile values that zod has no word for: which IPv4 addresses a
// master may have, DNS names and the IP addresses mistyped as one, etcd endpoints, paths on
// the nodes, flag values that would break a systemd unit. Each checker returns the problem
// as the rest of a message ("is the loopback address ...") or undefined when the value is fine;
// schema.ts turns that into an issue at the field.
import {isIP} from 'node:net';
import {posix} from 'node:path';
import {Address4} from 'ip-address';

/** Why an IPv4 address cannot be a master's address, or undefined when it can. */
export function unusableNodeIp(ip: string): string | undefined {
	if (isIP(ip) !== 4) return undefined;
	const a = new Address4(ip);
	if (a.isInSubnet(new Address4('0.0.0.0/8'))) return 'is "this network" (0.0.0.0/8), not an address other hosts can reach';
	if (a.isLoopback()) return 'is a loopback address: the other masters and the load balancer cannot reach it';
	if (a.isLinkLocal()) return 'is a link-local address (169.254.0.0/16): it is not routed';
	if (a.isMulticast()) return 'is a multicast address, not a host\'s';
	if (a.isBroadcast()) return 'is the broadcast address, not a host\'s';
	if (a.isReserved()) return 'is in the reserved range 240.0.0.0/4, not a host\'s';
	return undefined;
}

/** Why a CIDR-shaped value is not a network (host bits set), with the network it meant. */
export function hostBitsProblem(value: string): string | undefined {
	if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(value)) return undefined;
	try {
		const a = new Address4(value);
		if (a.startAddress().bigInt() === a.bigInt()) return undefined;
		return `has host bits set; the network is ${a.startAddress().correctForm()}/${a.subnetMask}`;
	} catch {
		return undefined;
	}
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * A DNS name (RFC 1123 labels of at most 63 characters, at most 253 in all, no trailing
 * dot). Its last label must not be all digits: `192.168.1.300` and `10.0.0` are mistyped
 * IP addresses, never host names.
 */
export function dnsNameProblem(name: string, options: {wildcard?: boolean} = {}): string | undefined {
	const bare = options.wildcard && name.startsWith('*.') ? name.slice(2) : name;
	if (name.length > 253) return 'is longer than the 253 characters of a DNS name';
	const labels = bare.split('.');
	if (labels.some((l) => !LABEL.test(l))) {
		return `is not a DNS name: each dot-separated part is 1-63 letters, digits or "-", not starting or ending with "-"${options.wildcard ? ' (a wildcard only as a first "*." part)' : ''}`;
	}
	if (/^\d+$/.test(labels.at(-1)!)) return 'looks like a mistyped IP address (a DNS name does not end in a number)';
	return undefined;
}

/** An extra SAN: an IP address (v4 or v6) or a DNS name, "*." allowed first. */
export function sanProblem(san: string): string | undefined {
	if (isIP(san) !== 0) return undefined;
	const problem = dnsNameProblem(san, {wildcard: true});
	return problem && `"${san}" ${problem}; give an IP address or a DNS name, e.g. 192.168.31.100 or k8s.example.com`;
}

/**
 * apiserver.endpoint, `HOST[:PORT]` (`[IPv6]:PORT`): the load balancer or VIP clients use.
 * Parsed; `host` without brackets, lower case; the port defaults to the apiserver's 6443.
 */
export function parseClientEndpoint(value: string): {host: string; port: number} | {problem: string} {
	const shape = 'must be HOST or HOST:PORT (a load balancer or VIP in front of the apiservers), e.g. 192.168.31.100:8443 or k8s.example.com';
	const m = /^(\[[0-9A-Fa-f:.]+\]|[^/\\:?#@[\]\s]+)(?::(\d{1,5}))?$/.exec(value);
	if (!m) return {problem: /^[a-z]+:\/\//i.test(value) ? `${shape} (no scheme: it is always https)` : shape};
	const bracketed = m[1]!.startsWith('[');
	const host = m[1]!.replace(/^\[|\]$/g, '').toLowerCase();
	const port = m[2] === undefined ? 6443 : Number(m[2]);
	if (port < 1 || port > 65535) return {problem: `${shape} (the port is 1-65535)`};
	if (bracketed) return isIP(host) === 6 ? {host, port} : {problem: `${shape} ("${m[1]}" is not an IPv6 address)`};
	if (isIP(host) === 4) return {host, port};
	const problem = dnsNameProblem(host);
	return problem ? {problem: `${shape} (host "${host}" ${problem})`} : {host, port};
}

/** `https://HOST:PORT`, parsed; `host` without brackets, lower case. */
export function parseEtcdEndpoint(url: string): {host: string; port: number} | {problem: string} {
	const shape = 'must be exactly https://HOST:PORT, e.g. https://192.168.31.44:2379';
	const m = /^https:\/\/(\[[0-9A-Fa-f:.]+\]|[^/\\:?#@[\]\s]+):(\d{1,5})$/.exec(url);
	if (!m) {
		if (!/^https:\/\//.test(url)) return {problem: `${shape} (an https URL: etcd is reached over TLS)`};
		if (/^https:\/\/[^/]*@/.test(url)) return {problem: `${shape} (no user name or password: the client certificate authenticates)`};
		if (/^https:\/\/(\[[^\]]*\]|[^/:?#]*)(\/|\?|#|$)/.test(url)) return {problem: `${shape} (the port is required)`};
		return {problem: `${shape} (nothing after the port: no path, query or fragment)`};
	}
	const host = m[1]!.replace(/^\[|\]$/g, '').toLowerCase();
	const port = Number(m[2]);
	if (port < 1 || port > 65535) return {problem: `${shape} (the port is 1-65535)`};
	if (m[1]!.startsWith('[')) return isIP(host) === 6 ? {host, port} : {problem: `${shape} ("${m[1]}" is not an IPv6 address)`};
	if (isIP(host) === 4) return {host, port};
	const problem = dnsNameProblem(host);
	return problem ? {problem: `${shape} (host "${host}" ${problem})`} : {host, port};
}

/**
 * Directories of the system itself: the tool creates each `paths.*` directory and sets its
 * mode (certDir 0700), so `/etc` as certDir would lock every other program out of /etc.
 */
const SYSTEM_DIRECTORIES = new Set([
	'/', '/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/lib32', '/lib64', '/libx32', '/media', '/mnt', '/opt', '/proc',
	'/root', '/run', '/sbin', '/srv', '/sys', '/tmp', '/usr', '/usr/bin', '/usr/include', '/usr/lib', '/usr/lib64',
	'/usr/libexec', '/usr/local', '/usr/local/bin', '/usr/local/lib', '/usr/local/sbin', '/usr/sbin', '/usr/share', '/var',
	'/var/cache', '/var/lib', '/var/log', '/var/run', '/var/tmp', '/etc/systemd', '/lib/systemd', '/usr/lib/systemd',
]);

/** A directory on the nodes: absolute, normalised, plain characters, not a system directory. */
export function remoteDirectoryProblem(path: string): string | undefined {
	if (!path.startsWith('/')) return 'must be an absolute path on the nodes, e.g. /opt/k8s/bin';
	if (!/^[A-Za-z0-9._/-]+$/.test(path)) return 'may hold only letters, digits, ".", "_", "-" and "/" (it reaches shell commands and unit files on every node)';
	const normal = posix.normalize(path).replace(/(.)\/$/, '$1');
	if (normal !== path) return `must be written normalised: ${normal} (no "//", ".", ".." or trailing "/")`;
	if (SYSTEM_DIRECTORIES.has(path)) return `is a system directory; the tool creates this directory and sets its mode, so give one of its own, e.g. ${path === '/' ? '/opt/k8s' : `${path}/k8s`}`;
	return undefined;
}

/**
 * systemd reads a unit line, continuation lines joined, of at most LONG_LINE_MAX = 1 MiB
 * (src/basic/fileio.h; conf-parser.c: "Continuation line too long"); the whole ExecStart
 * is one such line. The tool's own flags take a few KiB; extraArgs get the rest, counted
 * with the quoting and escaping the unit adds (systemd-unit.ts).
 */
export const EXTRA_ARGS_LINE_BUDGET = 1024 * 1024 - 64 * 1024;

/** The characters an extraArgs entry takes in ExecStart: `--name=value`, escaped, quoted, and the continuation. */
export function execStartLength(name: string, value: string): number {
	return `--${name}=${value}`.length + (value.match(/[%$"\\]/g)?.length ?? 0) + 2 + ' \\\n  '.length;
}

/** A flag value that would break its unit line: control characters (a newline ends the line). */
export function flagValueProblem(value: string): string | undefined {
	const control = /[\u0000-\u001f\u007f-\u009f]/.exec(value);
	if (control) return `holds a control character (U+${control[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}${control[0] === '\n' ? ', a newline' : ''}); a unit line cannot carry it`;
	return undefined;
}

/** base64 of an all-zero key: valid base64 and of the right size, and no secret at all. */
export function isAllZeroKey(base64: string): boolean {
	const bytes = Buffer.from(base64, 'base64');
	return bytes.length > 0 && bytes.every((b) => b === 0);
}
