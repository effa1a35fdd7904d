import {EventEmitter} from 'node:events';
import type {Client} from 'ssh2';
import {describe, expect, it} from 'vitest';
import {execRaw} from '../../source/remote/ssh-exec.js';

/**
 * ssh2 delivers a whole fast exchange (success, data, exit-status, EOF) in one go when it
 * arrives in one TCP segment: 'exit' fires before execRaw, still awaiting the channel, has
 * attached its listeners; 'close' follows later with the same status. Seen on the lab's
 * veth links as "the SSH connection was lost (while running: ...)".
 */
function clientReplaying(code: number): Client {
	return {
		exec(_command: string, callback: (error: Error | undefined, channel: unknown) => void) {
			const channel = Object.assign(new EventEmitter(), {
				stderr: new EventEmitter(),
				write() {},
				end() {},
				close() {},
			});
			callback(undefined, channel);
			channel.emit('exit', code); // nobody listens yet
			setTimeout(() => {
				channel.emit('data', Buffer.from('out\n'));
				channel.emit('close', code);
			}, 5);
		},
	} as unknown as Client;
}

describe('execRaw', () => {
	it('reads the exit status from close when exit fired before the listeners existed', async () => {
		const result = await execRaw(clientReplaying(3), 'exit 3', {node: 'n1', user: 'root', sudo: false});
		expect(result.code).toBe(3);
		expect(result.stdout.toString()).toBe('out\n');
	});
});
