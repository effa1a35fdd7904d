import {readdirSync, readFileSync} from 'node:fs';
import {join, relative} from 'node:path';
import {describe, expect, it} from 'vitest';

// Shell text reaches a node only as sh`…` (source/remote/shell.ts), which quotes every value.
// This keeps the two ways around it out of the source: a hand-written quote around an
// interpolated value, and a cast that makes a plain string pass for quoted shell text.
const root = join(import.meta.dirname, '../../source');

function sourceFiles(dir: string): string[] {
	return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) return sourceFiles(path);
		return /\.tsx?$/.test(entry.name) ? [path] : [];
	});
}

function offences(pattern: RegExp): string[] {
	return sourceFiles(root)
		.filter((path) => relative(root, path) !== join('remote', 'shell.ts'))
		.flatMap((path) =>
			readFileSync(path, 'utf8')
				.split('\n')
				.flatMap((line, index) => (pattern.test(line) ? [`${relative(root, path)}:${index + 1}: ${line.trim()}`] : [])),
		);
}

describe('shell by construction', () => {
	it("has no hand-written quote around an interpolated value ('${…}')", () => {
		expect(offences(/'\$\{/)).toEqual([]);
	});

	it('makes shell text only through sh and shJoin (no cast to ShellCommand)', () => {
		expect(offences(/as ShellCommand\b/)).toEqual([]);
	});
});
