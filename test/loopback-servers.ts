// Servers on this machine's loopback that stand in for a node that cannot be reached:
// one whose port is closed (SSH is refused at once) and one that accepts TCP and never
// says a word (the SSH handshake hangs, as a wedged sshd's would). No traffic leaves.
import {createServer, type Server, type Socket} from 'node:net';

/** A loopback port that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as {port: number};
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

/** A loopback server that accepts connections and never answers; `close` ends them all. */
export async function silentServer(): Promise<{port: number; connections: () => number; close: () => void}> {
	const sockets: Socket[] = [];
	const server: Server = createServer((socket) => sockets.push(socket));
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		port: (server.address() as {port: number}).port,
		/** How many connections it has accepted so far. */
		connections: () => sockets.length,
		close: () => {
			for (const s of sockets) s.destroy();
			server.close();
		},
	};
}
