// etcd's snapshot as its gRPC gateway sends it: `POST /v3/maintenance/snapshot` answers with a
// stream of JSON objects, one per line, each `{"result":{"remaining_bytes":"N","blob":"<base64>"}}`
// (protojson: a uint64 is a string, a zero is left out). The server sends the database in
// 32 KiB blobs, `remaining_bytes` counting down to 0, then one more message whose blob is the
// sha256 of everything before (etcd's maintenance.go; `etcdutl snapshot restore` checks it).
// A failure mid-stream arrives as `{"error":{"code":N,"message":"…"}}` (grpc-gateway v2;
// v1 said `grpc_code`). Pure: bytes in, bytes to write out; the HTTP edge is etcd-https.ts.
import {createHash} from 'node:crypto';

/** The stream is not a whole snapshot: etcd said so, or what arrived does not add up. */
export class SnapshotStreamError extends Error {
	override name = 'SnapshotStreamError';
}

/** One gateway message is ~44 KB (a 32 KiB blob in base64); a line far beyond is not etcd's stream. */
const MAX_LINE_BYTES = 4 * 1024 * 1024;
const NEWLINE = 0x0a;

/** Splits a byte stream into lines, whatever the chunking (a chunk may end inside a line, or a UTF-8 character). */
export class LineSplitter {
	#held: Buffer[] = [];
	#heldBytes = 0;

	push(chunk: Buffer): string[] {
		const lines: string[] = [];
		let start = 0;
		for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, start)) {
			this.#held.push(chunk.subarray(start, at));
			lines.push(Buffer.concat(this.#held).toString('utf8'));
			this.#held = [];
			this.#heldBytes = 0;
			start = at + 1;
		}
		if (start < chunk.length) {
			this.#held.push(chunk.subarray(start));
			this.#heldBytes += chunk.length - start;
			if (this.#heldBytes > MAX_LINE_BYTES) throw new SnapshotStreamError(`a message longer than ${MAX_LINE_BYTES} bytes: this is not etcd's snapshot stream`);
		}
		return lines;
	}

	/** What is left after the last newline (the last object may come without one). */
	end(): string[] {
		const rest = Buffer.concat(this.#held).toString('utf8');
		this.#held = [];
		this.#heldBytes = 0;
		return rest.trim() === '' ? [] : [rest];
	}
}

/** What a complete stream held. */
export interface SnapshotStreamSummary {
	/** Bytes still to write: those of a last message that came without a newline. */
	tail: Buffer[];
	/** Bytes of the database (without the trailing checksum). */
	databaseBytes: number;
	/** The storage version etcd sent along ("3.6.0"), when it did. */
	storageVersion: string | undefined;
}

export interface SnapshotProgress {
	received: number;
	total: number;
}

type Phase = 'data' | 'checksum' | 'done';

/**
 * Checks the stream as it arrives. `push` returns the bytes to append to the snapshot file,
 * in order: the database, then its 32-byte sha256, as `etcdctl snapshot save` keeps it (so
 * `etcdutl snapshot restore` can verify the file). `end` throws unless the database arrived
 * whole and its checksum matched, and returns the bytes of a last line that had no newline.
 */
export class SnapshotStream {
	#lines = new LineSplitter();
	#phase: Phase = 'data';
	#total: number | undefined;
	#received = 0;
	/** Messages read, for the errors: a stream that went wrong says how far it got. */
	#messages = 0;
	#hash = createHash('sha256');
	#storageVersion: string | undefined;

	push(chunk: Buffer): Buffer[] {
		return this.#lines.push(chunk).flatMap((line) => this.#message(line));
	}

	get progress(): SnapshotProgress {
		return {received: this.#received, total: this.#total ?? 0};
	}

	end(): SnapshotStreamSummary {
		const tail = this.#lines.end().flatMap((line) => {
			if (!isJson(line)) throw new SnapshotStreamError(`the stream ended inside a message, after ${this.#received} of ${this.#total ?? '?'} bytes (truncated)`);
			return this.#message(line);
		});
		if (this.#phase === 'data') {
			throw new SnapshotStreamError(
				this.#total === undefined ? 'the stream ended before any data' : `the stream ended after ${this.#received} of ${this.#total} bytes (truncated)`,
			);
		}
		if (this.#phase === 'checksum') throw new SnapshotStreamError(`the stream ended after all ${this.#received} bytes (${this.#messages} message(s)) but before their sha256 (truncated)`);
		return {tail, databaseBytes: this.#received, storageVersion: this.#storageVersion};
	}

	#message(line: string): Buffer[] {
		if (line.trim() === '') return [];
		const {blob, remaining, version} = parseMessage(line);
		this.#messages++;
		if (version) this.#storageVersion ??= version;
		if (this.#phase === 'done') throw new SnapshotStreamError('a message after the snapshot\'s sha256: this is not etcd\'s snapshot stream');
		if (this.#phase === 'checksum') {
			const expected = this.#hash.digest();
			if (blob.length !== expected.length || remaining !== 0) {
				throw new SnapshotStreamError(`after the last data a ${blob.length}-byte message with ${remaining} bytes remaining came where the 32-byte sha256 was due`);
			}
			if (!blob.equals(expected)) throw new SnapshotStreamError('the sha256 etcd sent does not match the data received: the snapshot was damaged on its way');
			this.#phase = 'done';
			return [blob];
		}
		this.#total ??= blob.length + remaining;
		this.#received += blob.length;
		if (this.#received + remaining !== this.#total) {
			throw new SnapshotStreamError(`the sizes do not add up: ${this.#received} bytes received and ${remaining} remaining, of ${this.#total} announced`);
		}
		if (this.#total === 0) throw new SnapshotStreamError('etcd sent an empty database');
		this.#hash.update(blob);
		if (remaining === 0) this.#phase = 'checksum';
		return [blob];
	}
}

interface Message {
	blob: Buffer;
	remaining: number;
	version: string | undefined;
}

function isJson(line: string): boolean {
	try {
		JSON.parse(line);
		return true;
	} catch {
		return false;
	}
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function parseMessage(line: string): Message {
	let parsed: unknown;
	try {
		parsed = JSON.parse(line);
	} catch {
		throw new SnapshotStreamError(`a message that is not JSON (${line.length} characters): this is not etcd's snapshot stream`);
	}
	const object = record(parsed);
	const error = record(object?.['error']);
	if (error) throw new SnapshotStreamError(`etcd stopped the snapshot: ${describeGatewayError(error)}`);
	const result = record(object?.['result']);
	if (!result) throw new SnapshotStreamError('a message with neither "result" nor "error": this is not etcd\'s snapshot stream');
	const blobText = result['blob'] ?? '';
	if (typeof blobText !== 'string' || blobText.length % 4 !== 0 || !BASE64.test(blobText)) throw new SnapshotStreamError('a message whose "blob" is not base64');
	const remaining = uint64(result['remaining_bytes']);
	if (remaining === undefined) throw new SnapshotStreamError(`a message whose "remaining_bytes" is not a byte count (${JSON.stringify(result['remaining_bytes'])})`);
	const version = typeof result['version'] === 'string' ? result['version'] : undefined;
	return {blob: Buffer.from(blobText, 'base64'), remaining, version};
}

/** `{code, message}` (grpc-gateway v2) or `{grpc_code, http_code, message}` (v1), as one phrase. */
export function describeGatewayError(error: Record<string, unknown>): string {
	const message = typeof error['message'] === 'string' && error['message'] !== '' ? error['message'] : 'no message';
	const code = error['code'] ?? error['grpc_code'];
	return typeof code === 'number' ? `${message} (gRPC code ${code}${GRPC_CODES[code] ? ` ${GRPC_CODES[code]}` : ''})` : message;
}

const GRPC_CODES: Record<number, string> = {
	1: 'CANCELLED',
	2: 'UNKNOWN',
	3: 'INVALID_ARGUMENT',
	4: 'DEADLINE_EXCEEDED',
	7: 'PERMISSION_DENIED',
	8: 'RESOURCE_EXHAUSTED',
	12: 'UNIMPLEMENTED',
	13: 'INTERNAL',
	14: 'UNAVAILABLE',
	16: 'UNAUTHENTICATED',
};

function record(value: unknown): Record<string, unknown> | undefined {
	return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** protojson writes a uint64 as a decimal string and leaves a zero out. */
function uint64(value: unknown): number | undefined {
	if (value === undefined) return 0;
	const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : typeof value === 'number' ? value : Number.NaN;
	return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
