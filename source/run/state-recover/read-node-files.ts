// `state recover`'s I/O on a node: the files it needs in one round trip, as root (sudo when
// the login user is not), each base64-encoded behind a marker line that names its path, so
// a key never travels through a terminal or a log and a missing file is told from an empty one.
import {sh, type ShellCommand} from '../../remote/shell.js';
import type {Transport} from '../../remote/transport.js';
import type {NodeFiles} from './recovered-state.js';

export function readFilesScript(paths: readonly string[]): ShellCommand {
	return sh`for p in ${paths}; do if [ -f "$p" ]; then printf '@@file %s\\n' "$p"; base64 < "$p" || exit 1; else printf '@@none %s\\n' "$p"; fi; done`;
}

export function parseReadFiles(stdout: string, paths: readonly string[]): Map<string, Buffer | undefined> {
	const files = new Map<string, Buffer | undefined>();
	let current: string | undefined;
	let lines: string[] = [];
	const flush = () => {
		if (current !== undefined) files.set(current, Buffer.from(lines.join(''), 'base64'));
		current = undefined;
		lines = [];
	};
	for (const line of stdout.split('\n')) {
		const file = /^@@file (.*)$/.exec(line);
		const none = /^@@none (.*)$/.exec(line);
		if (file || none) {
			flush();
			if (file) current = file[1]!;
			else files.set(none![1]!, undefined);
			continue;
		}
		if (current !== undefined) lines.push(line.trim());
	}
	flush();
	// Only what was asked for: a path the script did not answer about is an error, not "absent".
	for (const p of paths) if (!files.has(p)) throw new Error(`reading ${p} gave no answer`);
	return new Map(paths.map((p) => [p, files.get(p)]));
}

export async function readNodeFiles(transport: Transport, paths: readonly string[]): Promise<NodeFiles> {
	const result = await transport.exec(readFilesScript(paths));
	if (result.code !== 0) throw new Error(`reading the cluster's files on ${transport.node} failed (exit ${result.code}): ${result.stderr.trim().slice(-300)}`);
	return {node: transport.node, files: parseReadFiles(result.stdout, paths)};
}
