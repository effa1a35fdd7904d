// How many channels one connection's steps may open at once (sshd's MaxSessions).

/**
 * sshd refuses channels beyond MaxSessions (10 by default) per connection with "Channel
 * open failure". Steps that run side by side on one node (uploads of three steps, service
 * starts, health checks) share one connection, so exec channels wait their turn here; the
 * one SFTP channel, kept open, counts once more, and so does the lock's (holdRaw): 8 of 10.
 */
export const MAX_EXEC_CHANNELS = 6;

export class ChannelLimit {
	#active = 0;
	readonly #waiting: Array<() => void> = [];
	constructor(private readonly max: number) {}

	async run<T>(fn: () => Promise<T>): Promise<T> {
		if (this.#active >= this.max) await new Promise<void>((resolve) => this.#waiting.push(resolve));
		else this.#active++;
		try {
			return await fn();
		} finally {
			const next = this.#waiting.shift();
			if (next) next();
			else this.#active--;
		}
	}
}
