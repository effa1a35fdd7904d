import {readdirSync, readFileSync} from 'node:fs';
import {dirname, join, relative, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import ts from 'typescript';
import {describe, expect, it} from 'vitest';

// The layers of source/ (docs/architecture.md): these edges between its directories were
// removed on purpose and must not come back. Every import, export-from and import() of
// source/**/*.ts(x) is read with TypeScript's own pre-processor, so a type-only import or
// a lazy one counts as well. Between files, no import circle at all (issue 27): a type
// both sides need lives with the one that defines its meaning.

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

/** Each file of source/ (relative path) and the files of source/ it imports, type-only and lazy imports included. */
function fileGraph(files: ReadonlyArray<{path: string; text: string}>): Map<string, string[]> {
	const known = new Set(files.map((f) => f.path));
	const graph = new Map<string, string[]>();
	for (const {path, text} of files) {
		const targets: string[] = [];
		for (const {fileName} of ts.preProcessFile(text, true, true).importedFiles) {
			if (!fileName.startsWith('.')) continue;
			const base = resolve(dirname(path), fileName).replace(/\.js$/, '');
			const target = [`${base}.ts`, `${base}.tsx`, resolve(dirname(path), fileName)].find((p) => known.has(p));
			if (target !== undefined) targets.push(relative(SOURCE, target));
		}
		graph.set(relative(SOURCE, path), targets);
	}
	return graph;
}

/**
 * The import circles of a graph, each as the files along it with the first repeated at the
 * end (a -> b -> a). Depth-first: an edge back to a file still on the path closes a circle.
 * Not every circle of a tangle is listed, but a graph with any circle yields at least one.
 */
function findCycles(graph: ReadonlyMap<string, ReadonlyArray<string>>): string[][] {
	const cycles: string[][] = [];
	const done = new Set<string>();
	const path: string[] = [];
	const onPath = new Set<string>();
	const visit = (node: string): void => {
		path.push(node);
		onPath.add(node);
		for (const next of graph.get(node) ?? []) {
			if (onPath.has(next)) cycles.push([...path.slice(path.indexOf(next)), next]);
			else if (!done.has(next)) visit(next);
		}
		path.pop();
		onPath.delete(node);
		done.add(node);
	};
	for (const node of [...graph.keys()].sort()) if (!done.has(node)) visit(node);
	return cycles;
}

describe('findCycles', () => {
	const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges));

	it('finds none where there is none, shared dependencies included', () => {
		expect(findCycles(graph({a: ['b', 'c'], b: ['d'], c: ['d'], d: []}))).toEqual([]);
		expect(findCycles(graph({}))).toEqual([]);
	});

	it('finds a two-file circle, a longer one, and a file importing itself', () => {
		expect(findCycles(graph({a: ['b'], b: ['a']}))).toEqual([['a', 'b', 'a']]);
		expect(findCycles(graph({a: ['b'], b: ['c'], c: ['d', 'b'], d: []}))).toEqual([['b', 'c', 'b']]);
		expect(findCycles(graph({x: ['y'], y: ['z'], z: ['x']}))).toEqual([['x', 'y', 'z', 'x']]);
		expect(findCycles(graph({a: ['a']}))).toEqual([['a', 'a']]);
	});

	it('builds file edges from type-only imports and from .tsx files', () => {
		const at = (name: string) => join(SOURCE, 'cli', name);
		const g = fileGraph([
			{path: at('a.ts'), text: "import type {B} from './b.js';"},
			{path: at('b.tsx'), text: "export {A} from './a.js'; import {x} from 'node:fs';"},
		]);
		expect(findCycles(g)).toEqual([['cli/a.ts', 'cli/b.tsx', 'cli/a.ts']]);
	});
});

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

	it('has no import circle between files, type-only imports included', () => {
		const graph = fileGraph(files);
		expect([...graph.values()].flat().length).toBeGreaterThan(files.length);
		const circles = findCycles(graph).map((c) => c.join(' -> '));
		expect(circles, `import circles in source/ (move the shared type or function to where it belongs):\n${circles.join('\n')}`).toEqual([]);
	});

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
