import {spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {generationId, keepScript, restoreScript} from '../../source/run/generations.js';

// The generation scripts run in a real sh (dash on Debian, as on the nodes), in a temporary tree.
describe('generations on a node (real sh)', () => {
	let dir = '';
	afterEach(() => rmSync(dir, {recursive: true, force: true}));

	function run(script: string) {
		const r = spawnSync('sh', ['-c', script], {encoding: 'utf8'});
		expect(r.status, r.stderr).toBe(0);
	}

	it('keeps the files about to change and puts them back, removing the ones that were absent', () => {
		dir = mkdtempSync(join(tmpdir(), 'gen-'));
		const root = join(dir, 'generations');
		const cert = join(dir, "etc/it's/ca.pem");
		const unit = join(dir, 'etc/systemd/kube-apiserver.service');
		const added = join(dir, 'etc/new.yaml');
		mkdirSync(join(dir, "etc/it's"), {recursive: true});
		mkdirSync(join(dir, 'etc/systemd'), {recursive: true});
		writeFileSync(cert, 'old cert', {mode: 0o600});
		writeFileSync(unit, 'old unit');
		const id = generationId(new Date('2026-12-01T14:05:12.123Z'));
		expect(id).toBe('g-20261201T140512Z-123');
		run(keepScript(id, [cert, unit, added], root));
		expect(statSync(join(root, id)).mode & 0o777).toBe(0o700);
		// The change: each file replaced through a new inode, as uploads do, and a new file.
		for (const [p, text] of [[cert, 'new cert'], [unit, 'new unit'], [added, 'new']] as const) {
			writeFileSync(`${p}.tmp`, text);
			spawnSync('mv', ['-f', `${p}.tmp`, p]);
		}
		run(restoreScript({id, dir: join(root, id)}));
		expect(readFileSync(cert, 'utf8')).toBe('old cert');
		expect(statSync(cert).mode & 0o777).toBe(0o600);
		expect(readFileSync(unit, 'utf8')).toBe('old unit');
		expect(existsSync(added)).toBe(false);
	});

	it('keeps the two newest generations', () => {
		dir = mkdtempSync(join(tmpdir(), 'gen-'));
		const root = join(dir, 'generations');
		const file = join(dir, 'f');
		writeFileSync(file, 'x');
		const ids = ['2026-12-01T10:00:00.000Z', '2026-12-01T11:00:00.000Z', '2026-12-01T12:00:00.000Z', '2026-12-01T13:00:00.000Z'].map((t) => generationId(new Date(t)));
		for (const id of ids) run(keepScript(id, [file], root));
		expect(readdirSync(root).sort()).toEqual(ids.slice(2));
	});
});
