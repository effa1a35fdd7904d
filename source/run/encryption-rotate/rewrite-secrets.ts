// Phase (c) of a rotation: every Secret written again, unchanged, through the API, so the
// apiserver stores it with the key that writes now. The apiserver skips the write of an
// unchanged object only when its stored value is not stale, and a value read with a key that
// is not the config's first is stale: each PUT re-encrypts what is under the old key (or in
// plaintext) and costs nothing for what is already under the new one — so a re-run after a
// kill is cheap, and "safe to run more than once" as upstream says. Listed in pages from a
// cursor the journal keeps, at a capped rate; a conflict is read again and written again, a
// Secret deleted meanwhile is skipped.

/** The part of a Secret the rewrite needs: its name, namespace and resourceVersion. */
export interface SecretObject {
	metadata: {name: string; namespace: string; resourceVersion?: string};
	[field: string]: unknown;
}

export type ListPage = {items: SecretObject[]; continue: string | null; remaining: number | null} | {expired: true};

/** The Secrets API as the rewrite uses it (secrets-api.ts over HTTPS; an in-memory one in tests). */
export interface SecretsApi {
	list(continueToken: string | null, limit: number): Promise<ListPage>;
	/** null: not found. */
	get(namespace: string, name: string): Promise<SecretObject | null>;
	put(secret: SecretObject): Promise<'ok' | 'conflict' | 'not-found'>;
}

export interface RewriteCursor {
	continue: string | null;
	done: number;
	total: number | null;
}

export interface RewriteOptions {
	/** Secrets per second at most (the load a rotation puts on etcd is capped: k3s #3407). */
	ratePerSecond: number;
	/** PUTs in flight at once. */
	concurrency?: number;
	pageSize?: number;
	signal?: AbortSignal;
	/** After each page: the cursor to carry on from (the journal keeps it). */
	onPage(cursor: RewriteCursor): void;
	/** A line for the log (a restarted list, a conflict given up). */
	say(line: string): void;
	now?: () => number;
	sleep?: (ms: number) => Promise<void>;
}

export interface RewriteResult {
	cursor: RewriteCursor;
	rewritten: number;
	skipped: number;
	conflicts: number;
	/** Stopped by the signal before the last page. */
	stopped: boolean;
}

const CONFLICT_TRIES = 5;

export async function rewriteSecrets(api: SecretsApi, from: RewriteCursor, options: RewriteOptions): Promise<RewriteResult> {
	const now = options.now ?? (() => performance.now());
	const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
	const pageSize = options.pageSize ?? 100;
	const concurrency = Math.max(1, options.concurrency ?? 8);
	const interval = 1000 / options.ratePerSecond;
	const started = now();
	let issued = 0;
	// Each PUT starts no earlier than its slot: the n-th at started + n × interval.
	const slot = async () => {
		const at = started + issued++ * interval;
		const wait = at - now();
		if (wait > 0) await sleep(wait);
	};
	const cursor: RewriteCursor = {...from};
	const result: RewriteResult = {cursor, rewritten: 0, skipped: 0, conflicts: 0, stopped: false};
	let restarted = false;
	for (;;) {
		if (options.signal?.aborted) return {...result, stopped: true};
		const page = await api.list(cursor.continue, pageSize);
		if ('expired' in page) {
			// The token outlived etcd's compaction: list again from the start (rewriting is idempotent).
			if (restarted && cursor.continue === null) throw new Error('the Secrets list cannot be read from the start (410 Gone without a continue token)');
			options.say(`the list's continue token expired (etcd compacted past it): listing again from the start`);
			cursor.continue = null;
			cursor.done = 0;
			cursor.total = null;
			restarted = true;
			continue;
		}
		if (cursor.total === null || cursor.continue === null) cursor.total = cursor.done + page.items.length + (page.remaining ?? 0);
		const queue = [...page.items];
		const worker = async () => {
			for (let secret = queue.shift(); secret !== undefined; secret = queue.shift()) {
				if (options.signal?.aborted) return;
				await slot();
				const outcome = await rewriteOne(api, secret);
				if (outcome === 'not-found') result.skipped++;
				else if (outcome === 'conflict') {
					result.conflicts++;
					options.say(`${secret.metadata.namespace}/${secret.metadata.name}: still in conflict after ${CONFLICT_TRIES} tries; the count in etcd will tell whether it was rewritten meanwhile`);
				} else result.rewritten++;
				cursor.done++;
			}
		};
		await Promise.all(Array.from({length: Math.min(concurrency, queue.length)}, worker));
		if (options.signal?.aborted) return {...result, stopped: true};
		cursor.continue = page.continue;
		options.onPage({...cursor});
		if (page.continue === null) return result;
	}
}

/** One PUT of the object as read; on a conflict the newest version is read and written, a few times. */
async function rewriteOne(api: SecretsApi, secret: SecretObject): Promise<'ok' | 'conflict' | 'not-found'> {
	let current: SecretObject | null = secret;
	for (let attempt = 0; attempt < CONFLICT_TRIES; attempt++) {
		const outcome = await api.put(current);
		if (outcome !== 'conflict') return outcome;
		current = await api.get(secret.metadata.namespace, secret.metadata.name);
		if (current === null) return 'not-found';
	}
	return 'conflict';
}
