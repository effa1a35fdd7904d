import {StepError} from './step-error.js';

/** `fn` over the items, at most `limit` at a time. */
export async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
	let next = 0;
	const workers = Array.from({length: Math.min(limit, items.length)}, async () => {
		while (next < items.length) {
			const item = items[next++] as T;
			await fn(item);
		}
	});
	await Promise.all(workers);
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new StepError(`${what} timed out after ${Math.round(ms / 1000)}s`, 'the node or network is slow or hung; run again to resume')), ms);
	});
	try {
		return await Promise.race([promise, timeout]);
	} finally {
		clearTimeout(timer);
	}
}

/** A promise's outcome as a value: never rejects, so it can wait beside other work unhandled. */
export function settled<T>(promise: Promise<T>): Promise<{value: T} | {error: unknown}> {
	return promise.then(
		(value) => ({value}),
		(error: unknown) => ({error}),
	);
}

export function deferred(): {promise: Promise<void>; resolve: () => void} {
	let resolve!: () => void;
	const promise = new Promise<void>((r) => (resolve = r));
	return {promise, resolve};
}
