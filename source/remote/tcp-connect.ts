import {connect, type Socket} from 'node:net';

/**
 * A TCP connection with its own timeout, separate from the SSH handshake's: an
 * interactive host key prompt may take minutes, an unanswered SYN should not.
 */
export function openTcp(host: string, port: number, timeoutMs: number): Promise<Socket> {
	return new Promise((resolve, reject) => {
		const socket = connect({host, port});
		const timer = setTimeout(() => {
			socket.destroy();
			reject(Object.assign(new Error(`TCP connect to ${host}:${port} timed out after ${timeoutMs} ms`), {code: 'ETIMEDOUT'}));
		}, timeoutMs);
		socket.once('connect', () => {
			clearTimeout(timer);
			socket.setNoDelay(true);
			resolve(socket);
		});
		socket.once('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
	});
}
