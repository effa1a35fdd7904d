import {spawnSync} from 'node:child_process';
import {existsSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {stringify} from 'yaml';
import {baseProfile, cliPath, ensureBuilt, workspace} from './fixtures.js';

function render(ws: ReturnType<typeof workspace>) {
	const r = spawnSync(process.execPath, [cliPath, 'render', '--profile-file', ws.file, '--state-dir', ws.stateDir, '--out', ws.outDir], {cwd: ws.dir, encoding: 'utf8', env: {...process.env, HOME: join(ws.dir, 'home'), XDG_STATE_HOME: join(ws.dir, 'xdg-state'), XDG_CACHE_HOME: join(ws.dir, 'xdg-cache')}});
	expect(r.status, r.stderr).toBe(0);
	return r;
}

const haproxy = ['/usr/sbin/haproxy', '/usr/bin/haproxy'].find((p) => existsSync(p));

describe('render --out: a node-local apiserver proxy for workers', () => {
	beforeAll(() => ensureBuilt());

	it("lists every master's :6443 for nginx stream and haproxy, and follows the profile's masters on the next render", () => {
		const ws = workspace();
		const r = render(ws);
		expect(r.stdout).toContain('worker-proxy/kube-nginx.conf');
		const nginx = readFileSync(join(ws.outDir, 'worker-proxy/kube-nginx.conf'), 'utf8');
		const servers = (text: string) => [...text.matchAll(/(\d+\.\d+\.\d+\.\d+):6443/g)].map((m) => m[1]);
		expect(servers(nginx)).toEqual(['198.18.0.11', '198.18.0.12', '198.18.0.13']);
		expect(nginx).toContain('listen 127.0.0.1:8443;');
		expect(servers(readFileSync(join(ws.outDir, 'worker-proxy/haproxy.cfg'), 'utf8'))).toEqual(['198.18.0.11', '198.18.0.12', '198.18.0.13']);
		expect(statSync(join(ws.outDir, 'worker-proxy/haproxy.cfg')).mode & 0o777).toBe(0o644);
		// master1 leaves the profile, master4 joins: the next render has the new list.
		const profile = baseProfile();
		profile.nodes = [...profile.nodes!.slice(1), {name: 'master4', ip: '198.18.0.14'}];
		writeFileSync(ws.file, stringify(profile));
		render(ws);
		expect(servers(readFileSync(join(ws.outDir, 'worker-proxy/kube-nginx.conf'), 'utf8'))).toEqual(['198.18.0.12', '198.18.0.13', '198.18.0.14']);
		expect(servers(readFileSync(join(ws.outDir, 'worker-proxy/haproxy.cfg'), 'utf8'))).toEqual(['198.18.0.12', '198.18.0.13', '198.18.0.14']);
	});

	it.runIf(haproxy !== undefined)('the haproxy part is a configuration haproxy itself accepts (haproxy -c)', () => {
		const ws = workspace();
		render(ws);
		const config = join(ws.dir, 'haproxy-full.cfg');
		writeFileSync(config, `global\n    log stdout format raw local0\ndefaults\n    log global\n    timeout connect 2s\n    timeout client 1h\n    timeout server 1h\n\n${readFileSync(join(ws.outDir, 'worker-proxy/haproxy.cfg'), 'utf8')}`);
		const check = spawnSync(haproxy!, ['-c', '-f', config], {encoding: 'utf8'});
		expect(check.status, check.stdout + check.stderr).toBe(0);
		// And it can fail: a broken line is refused.
		writeFileSync(config, `${readFileSync(config, 'utf8')}    server broken\n`);
		expect(spawnSync(haproxy!, ['-c', '-f', config], {encoding: 'utf8'}).status).not.toBe(0);
	});
});
