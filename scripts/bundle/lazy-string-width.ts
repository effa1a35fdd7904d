import {dirname} from 'node:path';
import type {Plugin} from 'esbuild';

/**
 * An esbuild plugin: every `import stringWidth from 'string-width'` in the bundle (ink,
 * widest-line, wrap-ansi, cli-truncate; two major versions) gets a stand-in that answers
 * the common case itself and loads the real module only for the rest, on first need.
 *
 * Why: string-width's module body builds what it needs for emoji and grapheme clusters
 * at import time. Its `/^\p{RGI_Emoji}$/v` alone costs 35-45 ms to parse on this machine
 * and an `Intl.Segmenter` 25-45 ms more, paid before the wizard's first frame, which only
 * shows ASCII and a few narrow symbols (· › • ↑ ↓ ─ ✓). The stand-in knows that such text
 * is one column per code point (see source/ui/narrow-text.ts; a unit test checks every one of
 * them against the real string-width); for anything else it defers to the real module,
 * which esbuild then initialises lazily (a bundled require() of an ES module).
 */
export function lazyStringWidth(narrowTextModule: string): Plugin {
	return {
		name: 'lazy-string-width',
		setup(build) {
			build.onResolve({filter: /^string-width$/}, async (args) => {
				// build.resolve runs this callback again: let that inner call resolve normally.
				if ((args.pluginData as {real?: boolean} | undefined)?.real) return undefined;
				const real = await build.resolve(args.path, {kind: args.kind, resolveDir: args.resolveDir, pluginData: {real: true}});
				if (real.errors.length > 0) return {errors: real.errors};
				return {path: real.path, namespace: 'lazy-string-width'};
			});
			build.onLoad({filter: /.*/, namespace: 'lazy-string-width'}, (args) => ({
				loader: 'js',
				// Imports from a module outside the file namespace resolve only with a directory.
				resolveDir: dirname(args.path),
				contents: [
					`import {isNarrowText} from ${JSON.stringify(narrowTextModule)};`,
					'let real;',
					'export default function stringWidth(input, options) {',
					// Only with the default options: ambiguousIsNarrow: false makes · • ↑ ─ two columns wide.
					"\tif (typeof input === 'string' && (options === undefined || options.ambiguousIsNarrow !== false) && isNarrowText(input)) return [...input].length;",
					`\treal ??= require(${JSON.stringify(args.path)}).default;`,
					'\treturn real(input, options);',
					'}',
				].join('\n'),
			}));
		},
	};
}
