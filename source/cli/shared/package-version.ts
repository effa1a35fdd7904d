import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

/**
 * This package's version, from its package.json: the first one above this module that is
 * ours (dist/chunks/ in the bundle, dist/source/cli/shared/ after tsc, source/ in tests).
 */
export function packageVersion(from: string = import.meta.url): string {
	let dir = dirname(fileURLToPath(from));
	for (;;) {
		try {
			const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {name?: string; version?: string};
			if (pkg.name === 'k8s-master-setup' && pkg.version) return pkg.version;
		} catch {
			// no package.json here: look further up
		}
		const parent = dirname(dir);
		if (parent === dir) return 'unknown';
		dir = parent;
	}
}
