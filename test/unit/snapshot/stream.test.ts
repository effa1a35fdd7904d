import {createHash, randomBytes} from 'node:crypto';
import {describe, expect, it} from 'vitest';
import {SnapshotStream, SnapshotStreamError} from '../../../source/snapshot/stream.js';
import {fixtureDatabase, gatewayLines, gatewayStream} from './gateway-stream.js';

/** Feeds the chunks, returns the bytes the stream says to write and the summary. */
function run(chunks: Buffer[]): {written: Buffer; databaseBytes: number; storageVersion: string | undefined} {
	const stream = new SnapshotStream();
	const out: Buffer[] = [];
	for (const c of chunks) out.push(...stream.push(c));
	const {tail, ...summary} = stream.end();
	return {written: Buffer.concat([...out, ...tail]), ...summary};
}

const withChecksum = (db: Buffer) => Buffer.concat([db, createHash('sha256').update(db).digest()]);

describe('the snapshot stream', () => {
	const small = randomBytes(200);
	// 13 messages of ~30 characters: every split point is cheap to try.
	const smallStream = gatewayStream(small, 16);

	it('gives the database and its sha256, whatever byte the chunks split at', () => {
		for (let cut = 0; cut <= smallStream.length; cut++) {
			const {written, databaseBytes} = run([smallStream.subarray(0, cut), smallStream.subarray(cut)]);
			expect(written.equals(withChecksum(small)), `split at byte ${cut}`).toBe(true);
			expect(databaseBytes).toBe(200);
		}
	});

	it('takes the stream one byte at a time, and the real database in uneven chunks', () => {
		expect(run([...smallStream].map((b) => Buffer.from([b]))).written.equals(withChecksum(small))).toBe(true);
		const db = fixtureDatabase();
		const stream = gatewayStream(db);
		const chunks: Buffer[] = [];
		for (let at = 0, size = 1; at < stream.length; at += size, size = (size * 7 + 3) % 20_011) chunks.push(stream.subarray(at, at + size));
		const {written, databaseBytes, storageVersion} = run(chunks);
		expect(written.equals(withChecksum(db))).toBe(true);
		expect(databaseBytes).toBe(db.length);
		expect(storageVersion).toBe('3.6.0');
	});

	it('takes the last object without a newline, and remaining_bytes as a number', () => {
		const lines = gatewayLines(small, 64).map((l) => l.replace(/"remaining_bytes":"(\d+)"/, '"remaining_bytes":$1'));
		expect(run([Buffer.from(lines.join('\n'))]).written.equals(withChecksum(small))).toBe(true);
	});

	it('refuses a stream cut short: in the data, before the sha256, or inside a message', () => {
		const lines = gatewayLines(small, 16);
		const refuse = (text: string) => () => run([Buffer.from(text)]);
		expect(refuse(lines.slice(0, 5).join('\n'))).toThrow(/ended after 80 of 200 bytes \(truncated\)/);
		expect(refuse(lines.slice(0, -1).join('\n'))).toThrow(/after all 200 bytes \(13 message\(s\)\) but before their sha256 \(truncated\)/);
		expect(refuse(`${lines.slice(0, 3).join('\n')}\n${lines[3]!.slice(0, 20)}`)).toThrow(/ended inside a message, after 48 of 200 bytes \(truncated\)/);
		expect(refuse(`${lines[0]}\n{"result":\n${lines[1]}`), 'a broken line inside the stream').toThrow(/not JSON/);
		expect(refuse('')).toThrow(/ended before any data/);
	});

	it('refuses a stream in which etcd reports an error, with etcd\'s words and the gRPC code', () => {
		const lines = gatewayLines(small, 16);
		const v2 = JSON.stringify({error: {code: 14, message: 'etcdserver: leader changed', details: []}});
		expect(() => run([Buffer.from([...lines.slice(0, 4), v2].join('\n'))])).toThrow('etcd stopped the snapshot: etcdserver: leader changed (gRPC code 14 UNAVAILABLE)');
		const v1 = JSON.stringify({error: {grpc_code: 8, http_code: 429, message: 'etcdserver: too many requests', http_status: 'Too Many Requests'}});
		expect(() => run([Buffer.from(v1)])).toThrow(/too many requests \(gRPC code 8 RESOURCE_EXHAUSTED\)/);
	});

	it('refuses a damaged stream: a wrong sha256, sizes that do not add up, a message after the end, no result', () => {
		const lines = gatewayLines(small, 16);
		const wrongSum = [...lines.slice(0, -1), JSON.stringify({result: {blob: randomBytes(32).toString('base64')}})];
		expect(() => run([Buffer.from(wrongSum.join('\n'))])).toThrow(/does not match the data received/);
		const skipped = [lines[0], ...lines.slice(2)];
		expect(() => run([Buffer.from(skipped.join('\n'))])).toThrow(/sizes do not add up/);
		expect(() => run([Buffer.from([...lines, lines[0]].join('\n'))])).toThrow(/after the snapshot's sha256/);
		expect(() => run([Buffer.from('{"header":{}}')])).toThrow(/neither "result" nor "error"/);
		expect(() => run([Buffer.from('{"result":{"blob":"not base64!"}}')])).toThrow(/not base64/);
		try {
			run([Buffer.from('{"result":{"remaining_bytes":"-3","blob":""}}')]);
			expect.unreachable();
		} catch (error) {
			expect(error).toBeInstanceOf(SnapshotStreamError);
		}
	});
});
