// etcd's snapshot stream as its gRPC gateway sends it (see source/snapshot/stream.ts), built
// from database bytes: the blobs counting down to 0 bytes remaining, then the sha256.
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {gunzipSync} from 'node:zlib';

/**
 * The database of a one-member etcd 3.6.16 with 400 keys put and one deleted (its key bucket
 * is a branch page over 25 leaves): `etcdutl snapshot status` says revision 402, totalSize 131072.
 */
export function fixtureDatabase(): Buffer {
	return gunzipSync(readFileSync(new URL('../../fixtures/etcd-snapshot-rev402.db.gz', import.meta.url)));
}
export const FIXTURE_REVISION = 402;

export function gatewayLines(db: Buffer, blobSize = 32 * 1024): string[] {
	const lines: string[] = [];
	for (let at = 0; at < db.length; at += blobSize) {
		const blob = db.subarray(at, at + blobSize);
		const remaining = db.length - at - blob.length;
		// protojson: uint64 as a string, zero left out.
		lines.push(JSON.stringify({result: {...(remaining > 0 ? {remaining_bytes: String(remaining)} : {}), blob: blob.toString('base64'), version: '3.6.0'}}));
	}
	lines.push(JSON.stringify({result: {blob: createHash('sha256').update(db).digest('base64'), version: '3.6.0'}}));
	return lines;
}

export function gatewayStream(db: Buffer, blobSize?: number): Buffer {
	return Buffer.from(gatewayLines(db, blobSize).map((l) => `${l}\n`).join(''));
}
