import {readdirSync, readFileSync} from 'node:fs';
import {dirname, join, relative, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import ts from 'typescript';
import {describe, expect, it} from 'vitest';

// The layers of source/ (docs/architecture.md): these edges between its directories were
// removed on purpose and must not come back. Every import, export-from and import() of
// source/**/*.ts(x) is read with TypeScript's own pre-processor, so a type-only import or
// a lazy one counts as well.

const SOURCE = resolve(dirname(fileURLToPath(import.meta.url)), '../../source');

const FORBIDDEN: ReadonlyArray<{from: string; to: string; why: string}> = [
	{from: 'run', to: 'status', why: 'run/ and status/ are siblings above cluster/: what both need lives in source/cluster/'},
	{from: 'status', to: 'run', why: 'run/ and status/ are siblings above cluster/: what both need lives in source/cluster/'},
	{from: 'status', to: 'plan', why: 'the service names and facts are the cluster vocabulary (source/cluster/services.ts)'},
	{from: 'profile', to: 'render', why: 'the extraArgs rules belong to the profile (profile/extra-args-rules.ts); render/ imports the profile'},
	{from: 'render', to: 'plan', why: 'the plan is built from rendered files, not the other way round'},
	...['pki', 'plan', 'render', 'run', 'status', 'ui', 'cli'].map((to) => ({from: 'cluster', to, why: 'source/cluster/ is a leaf: the vocabulary every layer above shares'})),
];

function sourceFiles(dir: string): string[] {
	return readdirSync(dir, {withFileTypes: true}).flatMap((e) =>
		e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : [],
	);
}

/** The top directory under source/ of a path ('' for files directly in source/). */
function layerOf(path: string): string {
	const parts = relative(SOURCE, path).split('/');
	return parts.length > 1 ? parts[0]! : '';
}

/** Every "from -> to" between directories of source/, with the file and specifier that makes it. */
function directoryEdges(files: ReadonlyArray<{path: string; text: string}>): Array<{from: string; to: string; at: string}> {
	const edges: Array<{from: string; to: string; at: string}> = [];
	for (const {path, text} of files) {
		for (const {fileName} of ts.preProcessFile(text, true, true).importedFiles) {
			if (!fileName.startsWith('.')) continue;
			const from = layerOf(path);
			const to = layerOf(resolve(dirname(path), fileName));
			if (from !== to) edges.push({from, to, at: `${relative(SOURCE, path)} imports ${fileName}`});
		}
	}
	return edges;
}

describe('import graph of source/', () => {
	const files = sourceFiles(SOURCE).map((path) => ({path, text: readFileSync(path, 'utf8')}));
	const edges = directoryEdges(files);

	it('reads the imports it checks (a sanity check of the reader itself)', () => {
		expect(files.length).toBeGreaterThan(50);
		expect(edges.some((e) => e.from === 'run' && e.to === 'cluster')).toBe(true);
		expect(edges.some((e) => e.from === 'status' && e.to === 'cluster')).toBe(true);
		expect(edges.some((e) => e.from === 'cli' && e.to === 'ui')).toBe(true);
	});

	for (const rule of FORBIDDEN) {
		it(`${rule.from}/ does not import ${rule.to}/ (${rule.why})`, () => {
			const found = edges.filter((e) => e.from === rule.from && e.to === rule.to).map((e) => e.at);
			expect(found, rule.why).toEqual([]);
		});
	}

	it('counts type-only, re-exported and lazy imports', () => {
		const at = (name: string) => join(SOURCE, 'run', name);
		const probe = [
			{path: at('a.ts'), text: "import type {X} from '../status/x.js';"},
			{path: at('b.ts'), text: "export {Y} from '../status/y.js';"},
			{path: at('c.ts'), text: "const m = await import('../status/z.js');"},
		];
		expect(directoryEdges(probe).map((e) => e.to)).toEqual(['status', 'status', 'status']);
	});
});
