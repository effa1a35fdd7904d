import type {Readable} from 'node:stream';
import type {Client, ClientChannel} from 'ssh2';
import {connectionLost, SshError, translateSudoFailure} from './ssh-errors.js';
import type {ShellCommand} from './shell.js';
import {wrapWithSudo} from './sudo-command.js';

/**
 * One command on a kept connection, with its output as bytes (readFile needs them
 * raw). With `sudo`, runs the prompt/marker exchange of sudo-command.ts.
 */
export interface RawExecResult {
	code: number;
	stdout: Buffer;
	stderr: Buffer;
}

export interface RawExecOptions {
	node: string;
	user: string;
	sudo: boolean;
	sudoPassword?: string;
	/** A stream (a binary being uploaded) is piped with the channel's flow control. */
	stdin?: string | Buffer | Readable;
	timeoutMs?: number;
	/** Resolves when the connection closes: a command cannot outlive it. */
	closed?: Promise<void>;
}

/**
 * sshd refuses a channel ("Channel open failure") while it still counts just-closed
 * sessions against MaxSessions (10): it frees a session slot a moment after the channel's
 * close reaches the client. Seen on the lab with as few as 6 channels opened and closed
 * in quick succession on one connection. The connection is fine, so the open is tried
 * again after a short pause instead of being reported as a lost connection.
 */
const OPEN_RETRIES = 8;

export async function openChannel<T>(node: string, open: (callback: (error: Error | undefined, channel: T) => void) => void): Promise<T> {
	for (let attempt = 0; ; attempt++) {
		try {
			return await new Promise<T>((resolve, reject) => {
				open((error, channel) => (error ? reject(error) : resolve(channel)));
			});
		} catch (error) {
			const message = (error as Error).message;
			if (attempt < OPEN_RETRIES && /Channel open failure/i.test(message)) {
				await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** Math.min(attempt, 4)));
				continue;
			}
			throw connectionLost(node, message);
		}
	}
}

/**
 * What a command may print, per stream: a node's output is kept in memory, and a runaway
 * journal or a hostile node must not grow it without end. Our commands print a few KiB
 * (the status probe's certificates are the most, ~30 KiB); a capped stream ends in TRUNCATED.
 */
export const OUTPUT_LIMIT_BYTES = 1024 * 1024;
export const TRUNCATED = '\n… truncated (more than 1 MiB)\n';

/** Collects a stream's chunks up to OUTPUT_LIMIT_BYTES; what comes after is dropped. */
function cappedBuffer(): {add(chunk: Buffer): void; bytes(): Buffer} {
	const chunks: Buffer[] = [];
	let size = 0;
	let truncated = false;
	return {
		add(chunk) {
			if (truncated) return;
			if (size + chunk.length > OUTPUT_LIMIT_BYTES) {
				chunks.push(chunk.subarray(0, OUTPUT_LIMIT_BYTES - size));
				truncated = true;
			} else chunks.push(chunk);
			size += chunk.length;
		},
		bytes: () => Buffer.concat(truncated ? [...chunks, Buffer.from(TRUNCATED)] : chunks),
	};
}

function openExec(client: Client, node: string, command: string): Promise<ClientChannel> {
	return openChannel<ClientChannel>(node, (callback) => client.exec(command, callback));
}

export async function execRaw(client: Client, command: ShellCommand, options: RawExecOptions): Promise<RawExecResult> {
	const sudo = options.sudo ? wrapWithSudo(command, options.sudoPassword !== undefined) : undefined;
	const channel = await openExec(client, options.node, sudo ? sudo.command : command);

	return new Promise<RawExecResult>((resolve, reject) => {
		const stdout = cappedBuffer();
		const stderrBytes = cappedBuffer();
		let stderrText = '';
		let pendingStdout = Buffer.alloc(0);
		let authorised = sudo === undefined;
		let promptsSeen = 0;
		let exitCode: number | undefined;
		let settled = false;

		const finish = (result: RawExecResult | Error) => {
			if (settled) return;
			settled = true;
			if (timer) clearTimeout(timer);
			if (result instanceof Error) {
				channel.close();
				if (isStream(options.stdin)) options.stdin.destroy();
				reject(result);
			} else {
				resolve(result);
			}
		};
		const sendStdin = () => {
			const stdin = options.stdin;
			if (isStream(stdin)) {
				const unreadable = (error: Error | null | undefined) =>
					finish(new SshError(options.node, 'remote-command', `cannot read what was to be sent: ${error?.message ?? 'the stream closed early'}`));
				// It may have failed already, while the channel was opening: the remote side
				// would otherwise wait for the end of its input for ever.
				if (stdin.errored || stdin.destroyed) {
					unreadable(stdin.errored);
					return;
				}
				stdin.once('error', unreadable);
				stdin.once('close', () => {
					if (!stdin.readableEnded) unreadable(stdin.errored);
				});
				stdin.pipe(channel);
				return;
			}
			if (stdin !== undefined) channel.write(stdin);
			channel.end();
		};

		const timer =
			options.timeoutMs === undefined
				? undefined
				: setTimeout(() => {
						finish(new SshError(options.node, 'timeout', `command did not finish within ${Math.round(options.timeoutMs! / 1000)}s: ${command.slice(0, 120)}`));
					}, options.timeoutMs);

		channel.on('data', (chunk: Buffer) => {
			if (authorised) {
				stdout.add(chunk);
				return;
			}
			// Before the marker: sudo has not let the command run yet; look for the marker line.
			const marker = Buffer.from(`${sudo!.successMarker}\n`);
			// Only the marker is looked for here: the tail that may hold its start is all that is kept.
			pendingStdout = Buffer.concat([pendingStdout.subarray(-OUTPUT_LIMIT_BYTES), chunk]);
			const at = pendingStdout.indexOf(marker);
			if (at >= 0) {
				authorised = true;
				stdout.add(pendingStdout.subarray(at + marker.length));
				pendingStdout = Buffer.alloc(0);
				sendStdin();
			}
		});
		channel.stderr.on('data', (chunk: Buffer) => {
			stderrBytes.add(chunk);
			if (!sudo || authorised) return;
			// Before the command runs, only sudo speaks here: its prompt is looked for in full text.
			stderrText += chunk.toString('utf8');
			if (!stderrText.includes(sudo.prompt)) return;
			const prompts = stderrText.split(sudo.prompt).length - 1;
			if (prompts > promptsSeen) {
				promptsSeen = prompts;
				if (promptsSeen > 1) {
					// sudo asks again: the password was wrong. Do not feed it a second time.
					finish(translateSudoFailure(options.node, options.user, 'Sorry, try again.', true)!);
					return;
				}
				channel.write(`${options.sudoPassword ?? ''}\n`);
			}
		});
		channel.on('exit', (code: number | null, signal?: string) => {
			exitCode = code ?? (signal ? 128 : 255);
		});
		// ssh2 passes the exit status to 'close' as well. It matters: when the whole exchange
		// arrives in one TCP segment, 'exit' fires while `await openExec` is still resolving,
		// before the listener above exists; 'close' waits for the stream's end and is never missed.
		channel.on('close', (code?: number | null, signal?: string) => {
			if (exitCode === undefined && (typeof code === 'number' || signal)) exitCode = typeof code === 'number' ? code : 128;
			const stderrAll = stderrBytes.bytes().toString('utf8');
			const stderr = sudo ? stderrAll.split(sudo.prompt).join('') : stderrAll;
			// The remote side may stop reading early (it failed): stop sending too.
			if (isStream(options.stdin)) {
				options.stdin.unpipe(channel);
				options.stdin.destroy();
			}
			if (exitCode === undefined) {
				finish(connectionLost(options.node, `while running: ${command.slice(0, 120)}`));
				return;
			}
			if (!authorised) {
				// sudo itself failed (the marker never came): say why in the user's terms.
				finish(
					translateSudoFailure(options.node, options.user, stderr, options.sudoPassword !== undefined) ??
						new SshError(options.node, 'remote-command', `sudo failed (exit ${exitCode}): ${stderr.trim().slice(-500)}`),
				);
				return;
			}
			finish({code: exitCode, stdout: stdout.bytes(), stderr: Buffer.from(stderr)});
		});
		options.closed?.then(() => finish(connectionLost(options.node, `while running: ${command.slice(0, 120)}`)));
		if (authorised) sendStdin();
	});
}

function isStream(stdin: RawExecOptions['stdin']): stdin is Readable {
	return typeof stdin === 'object' && stdin !== null && !Buffer.isBuffer(stdin) && typeof (stdin as Readable).pipe === 'function';
}

/** A command left running on the node, for as long as this process wants it (node-lock.ts). */
export interface HeldCommand {
	/** The first line it printed. */
	readonly firstLine: string;
	/** Resolves when it has ended: released, or the connection is gone. */
	readonly ended: Promise<void>;
	/** Closes its stdin and its channel: it sees EOF and ends. */
	release(): void;
}

export type HoldOutcome = {held: HeldCommand} | {ended: {code: number; stdout: string; stderr: string}};

/**
 * Runs a command whose stdin stays open: it keeps running until release(), or until the
 * connection ends however it ends (this process killed included: the kernel closes the
 * socket, sshd closes the command's stdin). Resolves on its first line of output, or with
 * its exit code and output when it ends before printing one. Without sudo: what is held
 * this way (a flock on /) needs no root, and sudo's exchange would stand between the
 * command and its first line. Outside the channel limit of the commands: it stays open.
 */
export async function holdRaw(client: Client, command: ShellCommand, options: {node: string; timeoutMs: number; closed?: Promise<void>}): Promise<HoldOutcome> {
	const channel = await openExec(client, options.node, command);
	return new Promise<HoldOutcome>((resolve, reject) => {
		const stdout = cappedBuffer();
		const stderr = cappedBuffer();
		let exitCode: number | undefined;
		let settled = false;
		let markEnded = () => {};
		const ended = new Promise<void>((r) => (markEnded = r));
		const settle = (outcome: HoldOutcome | Error) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			if (outcome instanceof Error) {
				channel.close();
				reject(outcome);
			} else resolve(outcome);
		};
		const timer = setTimeout(() => {
			settle(new SshError(options.node, 'timeout', `command did not answer within ${Math.round(options.timeoutMs / 1000)}s: ${command.slice(0, 120)}`));
		}, options.timeoutMs);
		channel.on('data', (chunk: Buffer) => {
			if (settled) return; // what it prints after its first line is not kept
			stdout.add(chunk);
			const text = stdout.bytes().toString('utf8');
			const newline = text.indexOf('\n');
			if (newline < 0) return;
			settle({
				held: {
					firstLine: text.slice(0, newline),
					ended,
					release: () => {
						channel.end();
						channel.close();
					},
				},
			});
		});
		channel.stderr.on('data', (chunk: Buffer) => stderr.add(chunk));
		channel.on('exit', (code: number | null, signal?: string) => {
			exitCode = code ?? (signal ? 128 : 255);
		});
		channel.on('close', (code?: number | null) => {
			markEnded();
			exitCode ??= typeof code === 'number' ? code : undefined;
			if (exitCode === undefined) settle(connectionLost(options.node, `while running: ${command.slice(0, 120)}`));
			else settle({ended: {code: exitCode, stdout: stdout.bytes().toString('utf8'), stderr: stderr.bytes().toString('utf8')}});
		});
		options.closed?.then(() => {
			markEnded();
			settle(connectionLost(options.node, `while running: ${command.slice(0, 120)}`));
		});
	});
}
