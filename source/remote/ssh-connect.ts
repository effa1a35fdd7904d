import type {Duplex} from 'node:stream';
// ssh2 is CommonJS: Node's ESM loader exposes only its default export.
import ssh2 from 'ssh2';
import type {Client} from 'ssh2';
import {prepareHostKeyCheck, type HostKeyPolicy} from './host-key-check.js';
import {planAuth} from './ssh-auth.js';
import type {ResolvedSshHost} from './ssh-config.js';
import {translateConnectError} from './ssh-errors.js';
import {openTcp} from './tcp-connect.js';

// Making one ssh2 connection, direct or through a bastion's forwarded channel: the TCP
// connect, the host key check, authentication, and the deadlines of each (a host key prompt
// waits for a human, a silent server does not). ssh-transport.ts chains them per hop.

/** What making one connection needs of connectSsh's options (ssh-transport.ts). */
export interface ConnectClientOptions {
	hostKeys: HostKeyPolicy;
	/** Default process.env.SSH_AUTH_SOCK; false: do not use an agent. */
	agentSocket?: string | false;
	/** Passphrase for encrypted identity files. */
	passphrase?: string;
	/** TCP connect, and SSH handshake up to the host key when there is a prompt, all of it without one (default 20 s; the CLI's --connect-timeout). */
	readyTimeoutMs?: number;
	/** Keepalive every N ms (default 15 s); the connection counts as dead after 4 unanswered. */
	keepaliveIntervalMs?: number;
	/** Gives up a connection still being made (TCP or handshake); one made already stays. */
	signal?: AbortSignal;
}

const DEFAULT_READY_TIMEOUT = 20_000;
/** With an interactive host key prompt the handshake waits for a human. */
const PROMPT_READY_TIMEOUT = 10 * 60_000;

export async function connectClient(
	node: string,
	host: ResolvedSshHost,
	options: ConnectClientOptions,
	via: {client: Client; name: string} | undefined,
): Promise<Client> {
	const auth = planAuth({
		user: host.user,
		identityFiles: host.identityFiles,
		identityFilesConfigured: host.identityFilesConfigured,
		agentSocket: options.agentSocket,
		passphrase: options.passphrase,
	});
	const attempt = {node, host: host.hostName, port: host.port, user: host.user, ...(via ? {via: via.name} : {})};
	const explain = (error: unknown) =>
		translateConnectError(error, {
			...attempt,
			methodsTried: auth.methodsTried,
			identityFiles: auth.identityFiles,
			identityProblems: auth.identityProblems,
			candidateIdentityFiles: host.identityFiles,
		});
	const timeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT;

	const hostKeys = await prepareHostKeyCheck(node, host.hostName, host.port, options.hostKeys, host.hostKeyAlias);
	let sock: Duplex;
	try {
		sock = via ? await forwardOut(via.client, host.hostName, host.port) : await openTcp(host.hostName, host.port, timeoutMs, options.signal);
	} catch (error) {
		throw explain(error);
	}

	const client = new ssh2.Client();
	return new Promise<Client>((resolve, reject) => {
		let ready = false;
		// With a host-key prompt ssh2's readyTimeout is a human's time, so until the server
		// shows its host key the connect timeout is kept here: a server that accepts TCP and
		// never answers is given up after timeoutMs, prompt or not.
		const untilHostKey = options.hostKeys.confirmHostKey
			? setTimeout(() => {
					client.destroy();
					reject(explain(Object.assign(new Error(`no SSH host key within ${timeoutMs} ms`), {code: 'ETIMEDOUT'})));
				}, timeoutMs)
			: undefined;
		const hostVerifier: typeof hostKeys.hostVerifier = (key, verify) => {
			clearTimeout(untilHostKey);
			hostKeys.hostVerifier(key, verify);
		};
		// Destroyed mid-handshake (end() would wait for a server that may never answer), the
		// client rejects through 'close' below.
		const abort = () => client.destroy();
		if (options.signal?.aborted) {
			clearTimeout(untilHostKey);
			sock.destroy();
			reject(explain(Object.assign(new Error('connecting was given up'), {code: 'ABORT_ERR'})));
			return;
		}
		options.signal?.addEventListener('abort', abort, {once: true});
		client.once('ready', () => {
			ready = true;
			clearTimeout(untilHostKey);
			options.signal?.removeEventListener('abort', abort);
			resolve(client);
		});
		client.on('error', (error: Error & {level?: string}) => {
			// ssh2 reports an unusable agent or key as an error, then goes on to the next method.
			if (error.level === 'agent' || /^Error signing data/.test(error.message)) {
				auth.identityProblems.push(`${error.level === 'agent' ? 'agent' : 'key'}: ${error.message}`);
				return;
			}
			if (!ready) reject(hostKeys.refusal() ?? explain(error));
			// After ready, errors surface through the failing exec/SFTP call ('close' follows).
		});
		client.once('close', () => {
			clearTimeout(untilHostKey);
			options.signal?.removeEventListener('abort', abort);
			if (!ready) reject(hostKeys.refusal() ?? explain(new Error('connection closed during the handshake')));
		});
		client.connect({
			sock,
			username: host.user,
			authHandler: auth.handler,
			hostVerifier,
			algorithms: {serverHostKey: hostKeys.serverHostKey as never},
			readyTimeout: options.hostKeys.confirmHostKey ? PROMPT_READY_TIMEOUT : timeoutMs,
			keepaliveInterval: options.keepaliveIntervalMs ?? 15_000,
			keepaliveCountMax: 4,
		});
	});
}

export function forwardOut(client: Client, host: string, port: number): Promise<Duplex> {
	return new Promise((resolve, reject) => {
		client.forwardOut('127.0.0.1', 0, host, port, (error, channel) => {
			if (error) {
				// The bastion could not open the TCP connection: say so like a refused connect.
				reject(Object.assign(new Error(`the bastion could not connect to ${host}:${port}: ${error.message}`), {code: 'ECONNREFUSED'}));
			} else {
				resolve(channel);
			}
		});
	});
}
