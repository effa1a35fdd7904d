/** The `gitVersion` of an apiserver's `/version` answer (`v1.37.2`), or null when it has none. */
export function gitVersion(body: string): string | null {
	try {
		const v = (JSON.parse(body) as {gitVersion?: unknown}).gitVersion;
		return typeof v === 'string' ? v : null;
	} catch {
		return null;
	}
}
