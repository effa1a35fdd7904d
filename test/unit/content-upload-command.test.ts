import {spawnSync} from 'node:child_process';
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {contentCommand, tempPrefixFor} from '../../source/remote/ssh-upload.js';

// The command a node's shell runs to place a small file read on stdin (here: this machine's sh).
describe('placing content from stdin', () => {
	let dir = '';
	afterEach(() => rmSync(dir, {recursive: true, force: true}));

	function place(content: Buffer, stdin: Buffer, target: string) {
		const prefix = tempPrefixFor(target);
		const owner = `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`;
		const command = contentCommand(content, target, {prefix, temp: `${prefix}abc123`, mode: '0640', owner});
		return spawnSync('sh', ['-c', command], {input: stdin});
	}

	it('writes the file with its mode, creating the directory', () => {
		dir = mkdtempSync(join(tmpdir(), 'content-'));
		const target = join(dir, 'sub', 'key.pem');
		const content = Buffer.from('-----BEGIN PRIVATE KEY-----\nsecret $HOME `x` "q"\n');
		expect(place(content, content, target).status).toBe(0);
		expect(readFileSync(target)).toEqual(content);
		expect(statSync(target).mode & 0o7777).toBe(0o640);
		expect(readdirSync(join(dir, 'sub'))).toEqual(['key.pem']);
	});

	it('keeps the old file and no temp file when the stream is cut short', () => {
		dir = mkdtempSync(join(tmpdir(), 'content-'));
		const target = join(dir, 'config.yaml');
		writeFileSync(target, 'old\n');
		const content = Buffer.from('kind: EncryptionConfiguration\nresources: []\n');
		const result = place(content, content.subarray(0, 10), target);
		expect(result.status).not.toBe(0);
		expect(readFileSync(target, 'utf8')).toBe('old\n');
		expect(readdirSync(dir)).toEqual(['config.yaml']);
	});
});
