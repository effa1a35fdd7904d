/**
 * Imports the terminal UI (ink) with `globalThis.fetch` hidden until it has loaded.
 *
 * ink's layout engine, yoga-layout, ships its WebAssembly inlined as base64 and, when
 * `fetch` exists, decodes it by fetching that data: URL; in Node the first fetch() loads
 * Node's whole fetch implementation (undici): about 40 ms of the wizard's ~0.3 s to its
 * first frame, and nothing else in this tool uses fetch. Without `fetch`, yoga decodes the
 * base64 itself. The property is put back as it was once the import, yoga's top-level
 * await included, has finished.
 */
export async function importUi<T>(load: () => Promise<T>): Promise<T> {
	const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
	if (!descriptor?.configurable) return load();
	Object.defineProperty(globalThis, 'fetch', {value: undefined, configurable: true, writable: true, enumerable: descriptor.enumerable ?? false});
	try {
		return await load();
	} finally {
		Object.defineProperty(globalThis, 'fetch', descriptor);
	}
}
