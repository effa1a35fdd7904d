import {spawnSync} from 'node:child_process';
import {chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {reloadIfNeeded} from '../../source/run/node-session.js';

// The guard runs in the node's shell; a stand-in `systemctl` on PATH answers `show` with
// the given state (in systemd's property order) and logs every other call.
describe('reload systemd only when a unit changed', () => {
	let dir = '';
	afterEach(() => rmSync(dir, {recursive: true, force: true}));

	function calls(state: string): string[] {
		dir = mkdtempSync(join(tmpdir(), 'reload-'));
		const log = join(dir, 'calls');
		writeFileSync(log, '');
		writeFileSync(join(dir, 'systemctl'), `#!/bin/sh\nif [ "$1" = show ]; then printf '%s\\n' ${state}; else echo "$*" >> ${log}; fi\n`);
		chmodSync(join(dir, 'systemctl'), 0o755);
		const result = spawnSync('sh', ['-c', reloadIfNeeded('kube-apiserver')], {env: {...process.env, PATH: `${dir}:${process.env.PATH}`}});
		expect(result.status).toBe(0);
		return readFileSync(log, 'utf8').split('\n').filter(Boolean);
	}

	it('does not reload for a unit loaded as it is on disk (a new unit file is loaded when first named)', () => {
		expect(calls('NeedDaemonReload=no LoadState=loaded')).toEqual([]);
		expect(calls('LoadState=loaded NeedDaemonReload=no')).toEqual([]);
	});

	it('reloads when the unit changed on disk, or systemd could not load it', () => {
		expect(calls('LoadState=loaded NeedDaemonReload=yes')).toEqual(['daemon-reload']);
		expect(calls('LoadState=not-found NeedDaemonReload=no')).toEqual(['daemon-reload']);
		expect(calls('')).toEqual(['daemon-reload']);
	});
});
