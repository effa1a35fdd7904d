import {readFileSync} from 'node:fs';
import {homedir, userInfo} from 'node:os';
import {join} from 'node:path';
import SSHConfig from 'ssh-config';
import {UserError} from '../errors.js';

/**
 * Resolve a host through ~/.ssh/config, as `ssh` would. Values given explicitly (the
 * profile's user, port, identityFile) are treated like `ssh` command-line options:
 * they win over the config file, and the config's IdentityFiles are still tried after
 * an explicit one (OpenSSH does the same with `-i`).
 */
export interface SshHostRequest {
	/** Address or ~/.ssh/config alias. */
	host: string;
	user?: string;
	port?: number;
	identityFile?: string;
	/** `user@host:port[,…]` overriding ProxyJump from the config. */
	proxyJump?: string;
}

export interface ResolvedSshHost {
	/** The alias as asked for (names the config section). */
	alias: string;
	/** The address to connect to (HostName, or the alias itself). */
	hostName: string;
	user: string;
	port: number;
	/** Explicit first, then from the config; `~` and %d/%u/%h/%r expanded. */
	identityFiles: string[];
	/** Whether identity files came from the profile or the config (else: the defaults). */
	identityFilesConfigured: boolean;
	/** Bastions to go through, first hop first; empty when direct. */
	proxyJumps: JumpHost[];
	/** The name to look the host key up under, when HostKeyAlias is set. */
	hostKeyAlias?: string;
}

export interface JumpHost {
	host: string;
	user?: string;
	port?: number;
}

export interface SshConfigSource {
	/** Path of the config file; default ~/.ssh/config; false: read none. */
	file?: string | false;
	homeDir?: string;
	localUser?: string;
}

/** OpenSSH's default identity files, tried when none is configured (if they exist). */
export const DEFAULT_IDENTITY_FILES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

export function loadSshConfig(source: SshConfigSource = {}): SSHConfig | undefined {
	if (source.file === false) {
		return undefined;
	}
	const file = source.file ?? join(source.homeDir ?? homedir(), '.ssh', 'config');
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT' && source.file === undefined) {
			return undefined; // no ~/.ssh/config is normal; a named file that is missing is not
		}
		throw new UserError(`cannot read ssh config ${file}: ${(error as Error).message}`, 'check the path given for the ssh config file');
	}
	try {
		return SSHConfig.parse(text);
	} catch (error) {
		throw new UserError(`cannot parse ssh config ${file}: ${(error as Error).message}`, 'fix the file; `ssh -G HOST` shows how OpenSSH reads it');
	}
}

function first(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[0] : value;
}

function all(value: string | string[] | undefined): string[] {
	return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function parsePort(value: string | undefined, where: string): number | undefined {
	if (value === undefined) {
		return undefined;
	}
	const port = Number(value);
	if (!Number.isInteger(port) || port < 1 || port > 65535) {
		throw new UserError(`${where}: Port "${value}" is not a port number`, 'fix Port in the ssh config (1-65535)');
	}
	return port;
}

/** `[user@]host[:port]` (or `ssh://[user@]host[:port]`), one ProxyJump hop. */
export function parseJumpHost(spec: string): JumpHost {
	const text = spec.replace(/^ssh:\/\//, '');
	const at = text.lastIndexOf('@');
	const user = at >= 0 ? text.slice(0, at) : undefined;
	const rest = at >= 0 ? text.slice(at + 1) : text;
	const bracketed = /^\[(.+)\](?::(\d+))?$/.exec(rest);
	const plain = /^([^:]+)(?::(\d+))?$/.exec(rest);
	const match = bracketed ?? plain;
	if (!match?.[1]) {
		throw new UserError(`ProxyJump "${spec}" is not [user@]host[:port]`, 'fix ProxyJump in the ssh config');
	}
	return {host: match[1], user: user || undefined, port: match[2] ? Number(match[2]) : undefined};
}

export function resolveSshHost(request: SshHostRequest, config: SSHConfig | undefined, source: SshConfigSource = {}): ResolvedSshHost {
	const home = source.homeDir ?? homedir();
	const localUser = source.localUser ?? userInfo().username;
	// matchExec off: resolving a host must not run commands from `Match exec` lines.
	const computed = config ? config.compute({Host: request.host, User: request.user}, {ignoreCase: true, matchExec: false}) : {};
	const where = `~/.ssh/config Host ${request.host}`;

	if (first(computed['proxycommand']) !== undefined && first(computed['proxycommand']) !== 'none' && request.proxyJump === undefined) {
		throw new UserError(
			`${where}: ProxyCommand is not supported`,
			'use ProxyJump (user@bastion[:port]) for this host instead of ProxyCommand',
		);
	}

	const hostName = (first(computed['hostname']) ?? request.host).replaceAll('%h', request.host);
	const user = request.user ?? first(computed['user']) ?? localUser;
	const port = request.port ?? parsePort(first(computed['port']), where) ?? 22;
	const expand = (path: string) =>
		path
			.replace(/^~(?=\/|$)/, home)
			.replaceAll('%d', home)
			.replaceAll('%u', localUser)
			.replaceAll('%r', user)
			.replaceAll('%h', hostName)
			.replaceAll('%%', '%');
	const configured = [...(request.identityFile ? [request.identityFile] : []), ...all(computed['identityfile'])].map(expand);
	const identityFiles = configured.length > 0 ? [...new Set(configured)] : DEFAULT_IDENTITY_FILES.map((name) => join(home, '.ssh', name));

	const jumpSpec = request.proxyJump ?? first(computed['proxyjump']);
	const proxyJumps = jumpSpec && jumpSpec !== 'none' ? jumpSpec.split(',').map((hop) => parseJumpHost(hop.trim())) : [];
	const hostKeyAlias = first(computed['hostkeyalias']);

	return {
		alias: request.host,
		hostName,
		user,
		port,
		identityFiles,
		identityFilesConfigured: configured.length > 0,
		proxyJumps,
		...(hostKeyAlias ? {hostKeyAlias} : {}),
	};
}
