import {execFileSync} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {stringify} from 'yaml';
import type {ProfileInput} from '../../../source/profile/schema.js';

/** Shared fixtures for the render/PKI/profile tests. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** CI clones the repo with shared/ beside it. */
export const flagsDir = resolve(repoRoot, '..', 'shared', 'reference', 'k8s-flags');
export const cliPath = join(repoRoot, 'dist', 'source', 'cli', 'main.js');

export function tempDir(prefix = 'k8s-render-'): string {
	return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Stand-ins for the four binaries, for the render path only: shell scripts that answer
 * `--version` like the real ones. Nothing here claims they are Kubernetes.
 */
export function fakeBinaries(dir: string, release = 'v1.35.0'): string {
	mkdirSync(dir, {recursive: true});
	for (const name of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl']) {
		writeFileSync(join(dir, name), `#!/bin/sh\necho "Kubernetes ${release}"\n`);
		chmodSync(join(dir, name), 0o755);
	}
	return dir;
}

export function baseProfile(overrides: Partial<ProfileInput> = {}): ProfileInput {
	return {
		name: 'lab',
		kubernetesVersion: '1.35',
		binaries: './bin',
		nodes: [
			{name: 'master1', ip: '198.18.0.11'},
			{name: 'master2', ip: '198.18.0.12'},
			{name: 'master3', ip: '198.18.0.13'},
		],
		etcd: {endpoints: ['https://198.18.0.11:2379', 'https://198.18.0.12:2379', 'https://198.18.0.13:2379']},
		...overrides,
	};
}

/** A directory with fake binaries and a profile file; returns the paths. */
export function workspace(profile: unknown = baseProfile(), options: {release?: string; file?: string; raw?: string} = {}) {
	const dir = tempDir();
	fakeBinaries(join(dir, 'bin'), options.release);
	const file = join(dir, options.file ?? 'profile.yaml');
	writeFileSync(file, options.raw ?? (file.endsWith('.json') ? JSON.stringify(profile, null, 2) : stringify(profile)));
	return {dir, file, stateDir: join(dir, 'state'), outDir: join(dir, 'out')};
}

/** Build dist/ when it is missing or older than any source file (the CLI tests run the built CLI). */
export function ensureBuilt(): void {
	const newest = newestMtime(join(repoRoot, 'source'));
	if (existsSync(cliPath) && statSync(cliPath).mtimeMs >= newest) return;
	try {
		execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], {cwd: repoRoot, stdio: 'pipe'});
	} catch {
		// Type errors elsewhere still emit JavaScript; the typecheck is its own CI step.
	}
	if (!existsSync(cliPath)) throw new Error(`build did not produce ${cliPath}`);
}

function newestMtime(dir: string): number {
	let newest = 0;
	for (const entry of readdirSync(dir, {withFileTypes: true})) {
		const path = join(dir, entry.name);
		newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
	}
	return newest;
}

export function hasOpenssl(): boolean {
	try {
		execFileSync('openssl', ['version'], {stdio: 'pipe'});
		return true;
	} catch {
		return false;
	}
}
