import {spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {batchScript, tempPrefixFor} from '../../source/remote/ssh-upload.js';

const shells = ['sh', 'bash', 'dash'].filter((s) => spawnSync('sh', ['-c', `command -v ${s}`]).status === 0);

// The script a node's shell reads on stdin to place several small files (here: this machine's shells).
describe.each(shells)('placing several files from one script (%s)', (shell) => {
	let dir = '';
	afterEach(() => rmSync(dir, {recursive: true, force: true}));

	function files() {
		dir = mkdtempSync(join(tmpdir(), 'batch-'));
		const owner = `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`;
		return [
			{targetPath: join(dir, 'cert', 'ca.pem'), content: Buffer.from('-----BEGIN CERTIFICATE-----\n'.repeat(40)), mode: 0o644, owner},
			{targetPath: join(dir, 'cert', 'ca-key.pem'), content: Buffer.from("secret 'quoted' $HOME `x`\nK8S_MASTER_SETUP_EOF\n"), mode: 0o600, owner},
			{targetPath: join(dir, 'a b.yaml'), content: Buffer.alloc(0), mode: 0o640, owner},
		].map((f, i) => ({...f, prefix: tempPrefixFor(f.targetPath), temp: `${tempPrefixFor(f.targetPath)}t${i}`}));
	}
	const run = (script: string) => spawnSync(shell, [], {input: script});

	it('places every file whole, with its mode, creating directories', () => {
		const list = files();
		writeFileSync(join(dir, 'a b.yaml'), 'old');
		const result = run(batchScript(list));
		expect(result.status, result.stderr.toString()).toBe(0);
		for (const f of list) {
			expect(readFileSync(f.targetPath)).toEqual(f.content);
			expect(statSync(f.targetPath).mode & 0o7777).toBe(f.mode);
		}
		expect(readdirSync(join(dir, 'cert')).sort()).toEqual(['ca-key.pem', 'ca.pem']);
	});

	it('runs nothing from a script cut short', () => {
		const list = files();
		const script = batchScript(list);
		for (const cut of [0.2, 0.5, 0.99]) {
			const result = run(script.slice(0, Math.floor(script.length * cut)));
			expect(result.status).not.toBe(0);
			expect(existsSync(join(dir, 'cert'))).toBe(false);
			expect(readdirSync(dir)).toEqual([]);
		}
	});

	it('replaces none of them when one arrives damaged, and leaves no temp file', () => {
		const list = files();
		writeFileSync(join(dir, 'a b.yaml'), 'old');
		const script = batchScript(list).replace('LS0tLS1CRUdJTi', 'LS0tLS1CRUdJTj');
		expect(run(script).status).not.toBe(0);
		expect(readFileSync(join(dir, 'a b.yaml'), 'utf8')).toBe('old');
		expect(readdirSync(dir).sort()).toEqual(['a b.yaml', 'cert']);
		expect(readdirSync(join(dir, 'cert'))).toEqual([]);
	});
});
