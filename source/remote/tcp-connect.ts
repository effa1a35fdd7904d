import {connect, type Socket} from 'node:net';

/**
 * A TCP connection with its own timeout, separate from the SSH handshake's: an
 * interactive host key prompt may take minutes, an unanswered SYN should not.
 */
export function openTcp(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<Socket> {
	return new Promise((resolve, reject) => {
		const socket = connect({host, port});
		const done = () => {
			clearTimeout(timer);
			signal?.removeEventListener('abort', abort);
		};
		const abort = () => {
			done();
			socket.destroy();
			reject(Object.assign(new Error(`connecting to ${host}:${port} was given up`), {code: 'ABORT_ERR'}));
		};
		const timer = setTimeout(() => {
			done();
			socket.destroy();
			reject(Object.assign(new Error(`TCP connect to ${host}:${port} timed out after ${timeoutMs} ms`), {code: 'ETIMEDOUT'}));
		}, timeoutMs);
		if (signal?.aborted) return abort();
		signal?.addEventListener('abort', abort, {once: true});
		socket.once('connect', () => {
			done();
			socket.setNoDelay(true);
			resolve(socket);
		});
		socket.once('error', (error) => {
			done();
			reject(error);
		});
	});
}
