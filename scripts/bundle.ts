/**
 * The shipped CLI: one ESM entry, dist/k8s-master-setup.mjs, with code splitting, so each
 * command loads only its own chunks (the `await import()`s in source/cli/commands stay
 * lazy: `render` and `--help` never load ink, react or ssh2). `npm run build` runs tsc
 * (typecheck, and dist/source + dist/scripts for the tests and benchmarks), then this.
 *
 * Also bundles scripts/wizard-first-frame.ts the same way into dist/bench/, so the
 * benchmark of startup to the first wizard frame measures bundled code.
 *
 * Not bundled (resolved from node_modules at run time, so they stay in dependencies):
 *  - ssh2: its optional native binding (sshcrypto.node) and cpu-features;
 *  - node-forge: loaded through createRequire on first use (only when a certificate is issued);
 *  - react-devtools-core: ink imports it only when DEV=true; it is not installed.
 */
import {build, type BuildOptions} from 'esbuild';
import {chmodSync, existsSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {lazyStringWidth} from './bundle/lazy-string-width.js';

/** The package root: the first directory above this file with a package.json (from scripts/ or dist/scripts/). */
function packageRoot(): string {
	let dir = dirname(fileURLToPath(import.meta.url));
	while (!existsSync(join(dir, 'package.json'))) {
		const parent = dirname(dir);
		if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
		dir = parent;
	}
	return dir;
}

const root = packageRoot();

const common: BuildOptions = {
	absWorkingDir: root,
	bundle: true,
	splitting: true,
	format: 'esm',
	platform: 'node',
	target: 'node20',
	outExtension: {'.js': '.mjs'},
	chunkNames: 'chunks/[name]-[hash]',
	external: ['ssh2', 'cpu-features', 'react-devtools-core', 'node-forge'],
	// React's production build (the development one costs twice the CPU in the live grid).
	define: {'process.env.NODE_ENV': '"production"'},
	// CommonJS dependencies (commander, react, ...) require() Node's built-ins: give the ESM
	// output a real require. One per output file; the name cannot clash with bundled code,
	// which esbuild keeps inside its own wrappers.
	banner: {js: "import {createRequire as __k8sCreateRequire} from 'node:module'; const require = __k8sCreateRequire(import.meta.url);"},
	plugins: [lazyStringWidth(join(root, 'source', 'ui', 'narrow-text.ts'))],
	minifyWhitespace: true,
	minifySyntax: true,
	sourcemap: 'linked',
	logLevel: 'warning',
};

/** Builds dist/k8s-master-setup.mjs (+ dist/chunks/) and dist/bench/; returns the CLI's path. */
export async function bundleCli(): Promise<string> {
	const out = join(root, 'dist');
	rmSync(join(out, 'chunks'), {recursive: true, force: true});
	rmSync(join(out, 'bench'), {recursive: true, force: true});
	await build({...common, entryPoints: {'k8s-master-setup': 'source/cli/bin.ts'}, outdir: out});
	const entry = join(out, 'k8s-master-setup.mjs');
	writeFileSync(entry, withLauncher(readFileSync(entry, 'utf8')));
	chmodSync(entry, 0o755);
	await build({...common, entryPoints: {'wizard-first-frame': 'scripts/wizard-first-frame.ts'}, outdir: join(out, 'bench')});
	return join(out, 'k8s-master-setup.mjs');
}

/**
 * The entry starts as a shell script that runs Node on itself, without NODE_EXTRA_CA_CERTS.
 * Node 20 reads and parses that whole bundle at every start, before any JavaScript runs
 * (0.12-0.17 s measured here with Debian's 140 CAs in it, against 0.05 s for `node -e ''`
 * without it): a third of the time to the wizard's first frame. This tool never needs
 * those CAs: its only TLS peers are the cluster's own apiservers and components, checked
 * against the cluster CA alone. The second line is a string and a comment to JavaScript,
 * and a no-op then `exec` to sh; `node k8s-master-setup.mjs` still works as before. A
 * plain `#!/usr/bin/env node` cannot do this portably (`env -S -u` is GNU and BSD only).
 * The tool runs the Linux Kubernetes binaries locally (`--version`, `--help`), so its
 * machine has a /bin/sh.
 */
export function withLauncher(code: string): string {
	const body = code.startsWith('#!') ? code.slice(code.indexOf('\n') + 1) : code;
	return `#!/bin/sh\n':' //; NODE_EXTRA_CA_CERTS= exec node "$0" "$@"\n${body}`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await bundleCli();
