import {existsSync, readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

/**
 * The package's templates/ directory. This module runs from source/render (tests) or
 * dist/source/render (the built CLI), so walk up to the directory that holds templates/.
 */
function templatesDir(): string {
	let dir = dirname(fileURLToPath(import.meta.url));
	for (;;) {
		const candidate = join(dir, 'templates');
		if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
		const parent = dirname(dir);
		if (parent === dir) throw new Error('templates/ not found above ' + fileURLToPath(import.meta.url));
		dir = parent;
	}
}

const cache = new Map<string, string>();

/** A packaged template, read once per process (read-only package data, so renders stay deterministic). */
export function readTemplate(name: string): string {
	let text = cache.get(name);
	if (text === undefined) {
		text = readFileSync(join(templatesDir(), name), 'utf8');
		cache.set(name, text);
	}
	return text;
}

/** Replace every {{name}}; a placeholder without a value is a bug, not an empty string. */
export function fillTemplate(template: string, values: Record<string, string>): string {
	return template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
		const value = values[key];
		if (value === undefined) throw new Error(`template placeholder {{${key}}} has no value`);
		return value;
	});
}

/**
 * A YAML scalar for any string: a JSON string is a valid YAML double-quoted scalar, so
 * template values need no YAML library (which costs more to load than the whole render).
 */
export function yamlString(value: string): string {
	return JSON.stringify(value);
}
