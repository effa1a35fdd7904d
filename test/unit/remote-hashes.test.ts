import {describe, expect, it} from 'vitest';
import type {ExecResult, Transport} from '../../source/remote/transport.js';
import {parseStatOutput, remoteHashes} from '../../source/run/remote-hashes.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

/** Answers the stat command with `output` and records which paths had to be hashed in full. */
function node(output: string, fullHashes: Record<string, string>) {
	const hashed: string[][] = [];
	const transport = {
		node: 'n',
		user: 'root',
		async exec(): Promise<ExecResult> {
			return {code: 0, stdout: output, stderr: ''};
		},
		async sha256(paths: readonly string[]) {
			hashed.push([...paths]);
			return new Map(paths.map((p) => [p, fullHashes[p]]));
		},
	} as unknown as Transport;
	return {transport, hashed};
}

describe('remote file hashes with the node-side cache', () => {
	it('parses cache lines and stat lines', () => {
		const {cache, stats} = parseStatOutput(`/x|10|100|7|${A}\ngarbage\n@@stat\n/x|10|100|7\n`);
		expect(cache.get('/x')).toEqual({size: '10', mtime: '100', inode: '7', sha256: A});
		expect(stats.get('/x')).toEqual({size: '10', mtime: '100', inode: '7'});
	});

	it('reuses a cached hash only while size, mtime and inode all match', async () => {
		const output = [`/same|10|100|7|${A}`, `/touched|10|100|7|${A}`, `/replaced|10|100|7|${A}`, '@@stat', '/same|10|100|7', '/touched|10|101|7', '/replaced|10|100|8', '/new|5|1|9', ''].join('\n');
		const {transport, hashed} = node(output, {'/touched': B, '/replaced': B, '/new': B});
		const {hashes, misses} = await remoteHashes(transport, ['/same', '/touched', '/replaced', '/new', '/absent']);
		expect(Object.fromEntries(hashes)).toEqual({'/same': A, '/touched': B, '/replaced': B, '/new': B, '/absent': undefined});
		expect(hashed).toEqual([['/touched', '/replaced', '/new']]);
		expect(misses).toBe(3);
	});
});
