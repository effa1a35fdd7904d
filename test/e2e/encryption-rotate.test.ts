import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import YAML from 'yaml';
import {cannotRun} from '../require-or-skip.js';
import {adminCreds, applyArgs, canRunLab, cli, e2eWork, get, labEnv, labScript, NODES, nodeSsh, resetLab, startApply, type AdminCreds} from './apply-support.js';
import {labEtcdctl} from './lab.js';
import {p99, probeSecrets, seedSecrets} from '../../scripts/secret-probe.js';

/**
 * `encryption rotate` on the lab (issue 25): an aescbc cluster with 500 Secrets in 20
 * namespaces rotated to secretbox while a probe reads random Secrets through every master
 * and writes new ones every 200 ms (each read back through another master); the run is
 * SIGKILLed during the rewrite and run again. Afterwards etcd holds every Secret under the
 * new key (read raw, with etcdctl on this machine), each reads back with its data, and the
 * old key is in no node's config. First, a hand-edited config on one node: refused, naming it.
 * Leaves the shared cluster (e2eWork's profile and state) installed, rotated.
 */
const skip = cannotRun('e2e encryption rotate', canRunLab());

const SECRETS = 500;
const NAMESPACES = 20;

/** How every Secret is stored in etcd: the count per `k8s:enc:<provider>:v1:<name>:` prefix, or "plaintext". */
async function storedPrefixes(): Promise<Map<string, number>> {
	const {stdout} = await labEtcdctl(['get', '/registry/secrets/', '--prefix', '-w', 'json'], {maxBuffer: 256 * 1024 * 1024});
	const reply = JSON.parse(String(stdout)) as {kvs?: Array<{value?: string}>};
	const counts = new Map<string, number>();
	for (const kv of reply.kvs ?? []) {
		const head = Buffer.from(kv.value ?? '', 'base64').subarray(0, 80).toString('latin1');
		const prefix = /^k8s:enc:[a-z0-9]+:v1:[^:]+:/.exec(head)?.[0] ?? 'plaintext';
		counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
	}
	return counts;
}

describe.skipIf(skip)('encryption rotate on the lab', () => {
	let env: Record<string, string>;
	let admin: AdminCreds;
	const profilePath = join(e2eWork, 'profile.yaml');
	const stateDir = join(e2eWork, 'state');
	const ipOf = (name: string) => new RegExp(`${name}=(\\S+)`).exec(env.LAB_NODES ?? '')?.[1] as string;
	const rotateArgs = () => ['encryption', 'rotate', '--profile-file', profilePath, '--state-dir', stateDir, '--known-hosts', env.LAB_KNOWN_HOSTS as string, '--yes', '--stability-window', '3'];
	const seeded = new Map<string, string>();

	beforeAll(async () => {
		// A cluster that writes with aescbc: installed afresh, the lab's profile naming the provider, a new state.
		await execa('bash', [labScript, 'up', '3'], {stdio: 'inherit'});
		env = await labEnv();
		await resetLab();
		mkdirSync(e2eWork, {recursive: true});
		const profile = YAML.parse(readFileSync(env.LAB_PROFILE as string, 'utf8'));
		profile.encryption = {provider: 'aescbc'};
		writeFileSync(profilePath, YAML.stringify(profile));
		await execa('rm', ['-rf', stateDir]);
		const installed = await startApply(applyArgs(env, profilePath, stateDir));
		if (installed.exitCode !== 0) throw new Error(`the aescbc install failed:\n${installed.all}`);
		admin = adminCreds(join(stateDir, 'admin.kubeconfig'));
		for (const [k, v] of await seedSecrets(NODES.map(ipOf), admin, SECRETS, NAMESPACES)) seeded.set(k, v);
	}, 300_000);

	afterAll(async () => {
		// The shared profile as the other suites expect it: no provider named (the state's is used).
		const profile = YAML.parse(readFileSync(profilePath, 'utf8'));
		delete profile.encryption;
		writeFileSync(profilePath, YAML.stringify(profile));
	});

	it('refuses, naming the node, when one node\'s encryption config was edited by hand; nothing changes', async () => {
		const before = readFileSync(join(stateDir, 'encryption.json'), 'utf8');
		await nodeSsh('lab-m3', "sed -i '1s/^/# edited by hand\\n/' /etc/kubernetes/encryption-config.yaml");
		const run = await execa('node', [cli, ...rotateArgs(), '--provider', 'secretbox'], {reject: false, all: true});
		expect(run.exitCode, run.all).toBe(2);
		expect(run.stderr).toMatch(/lab-m3: its encryption config \/etc\/kubernetes\/encryption-config\.yaml differs from the state's .*while its CA is this cluster's: edited by hand/);
		expect(run.stderr).not.toMatch(/lab-m[12]: its encryption config/);
		expect(readFileSync(join(stateDir, 'encryption.json'), 'utf8')).toBe(before);
		expect(existsSync(join(stateDir, 'encryption-keys.json'))).toBe(false);
		expect(existsSync(join(stateDir, 'encryption-rotation.json'))).toBe(false);
		// apply refuses it too; removed from the node, apply writes the state's.
		const refused = await startApply(applyArgs(env, profilePath, stateDir));
		expect(refused.exitCode, refused.all).toBe(2);
		await nodeSsh('lab-m3', 'rm /etc/kubernetes/encryption-config.yaml');
		const fixed = await startApply(applyArgs(env, profilePath, stateDir));
		expect(fixed.exitCode, fixed.all).toBe(0);
		// Now a dry run passes, prints the phases and changes nothing.
		const dry = await execa('node', [cli, ...rotateArgs().filter((a) => a !== '--yes'), '--provider', 'secretbox', '--dry-run'], {reject: false, all: true});
		expect(dry.exitCode, dry.all).toBe(0);
		expect(dry.stdout).toMatch(/^would rotate aescbc key-\d{8} → secretbox key-\d{8}(-\d+)?:$/m);
		expect(dry.stdout).toContain('dry run: nothing was changed');
		expect(readFileSync(join(stateDir, 'encryption.json'), 'utf8')).toBe(before);
		expect(existsSync(join(stateDir, 'encryption-keys.json'))).toBe(false);
		expect(existsSync(join(stateDir, 'snapshots'))).toBe(false);
	});

	it(`rotates aescbc → secretbox with ${SECRETS} Secrets under a read/write probe, killed in the rewrite and run again: every Secret under the new key, none lost, the old key in no config`, async () => {
		const ips = NODES.map(ipOf);
		const oldKey = JSON.parse(readFileSync(join(stateDir, 'encryption.json'), 'utf8')) as {provider: string; keyName: string};
		expect(oldKey.provider).toBe('aescbc');
		const baseline = probeSecrets('baseline', ips, admin, seeded);
		await new Promise((r) => setTimeout(r, 10_000));
		await baseline.stop();
		const probe = probeSecrets('rotation', ips, admin, seeded);
		const started = performance.now();

		// Killed once the rewrite has recorded its first page.
		const first = execa('node', [cli, ...rotateArgs(), '--provider', 'secretbox', '--rate', '50'], {reject: false, all: true});
		let killedAt: string | undefined;
		first.all?.on('data', (chunk: Buffer) => {
			const m = /rewrite: (\d+) of (\d+) Secrets/.exec(chunk.toString());
			if (m && killedAt === undefined) {
				killedAt = m[0];
				first.kill('SIGKILL');
			}
		});
		const killed = await first;
		expect(killedAt, killed.all).toBeDefined();
		expect(killed.signal).toBe('SIGKILL');
		const journal = JSON.parse(readFileSync(join(stateDir, 'encryption-rotation.json'), 'utf8')) as {phase: string; rewrite: {done: number}; to: {keyName: string}; snapshot?: string};
		expect(journal.phase).toBe('rewrite');
		expect(journal.rewrite.done).toBeGreaterThanOrEqual(100);
		expect(journal.snapshot).toMatch(/^etcd snapshot /);

		const again = await execa('node', [cli, ...rotateArgs()], {reject: false, all: true});
		const wallS = (performance.now() - started) / 1000;
		await probe.stop();
		expect(again.exitCode, again.all).toBe(0);
		expect(again.stdout).toContain(`carrying on with the rotation started`);
		expect(again.stdout).toMatch(/carrying on with the rewrite after \d+ Secrets/);
		const rate = /rewrote (\d+) Secrets in ([\d.]+) s \((\d+)\/s\)/.exec(again.stdout);
		console.log(
			`rotate aescbc → secretbox, ${SECRETS} seeded: ${wallS.toFixed(1)} s wall (killed at "${killedAt}"), rewrite after the kill ${rate?.[0] ?? '?'}; ` +
				`probe ${probe.reads} reads, ${probe.writes} writes, ${probe.failures.length} failed, ${probe.failedOver} to the next master (one restarting); read p99 ${p99(probe.readMs).toFixed(0)} ms (${p99(baseline.readMs).toFixed(0)} ms without a rotation)`,
		);
		expect(probe.failures).toEqual([]);
		expect(probe.writes).toBeGreaterThan(20);
		expect(existsSync(join(stateDir, 'encryption-rotation.json'))).toBe(false);

		// etcd, read raw: every Secret under the new key.
		const newPrefix = `k8s:enc:secretbox:v1:${journal.to.keyName}:`;
		const stored = await storedPrefixes();
		expect([...stored.keys()]).toEqual([newPrefix]);
		expect(stored.get(newPrefix)).toBeGreaterThanOrEqual(SECRETS + probe.writes + baseline.writes);
		// Every seeded Secret reads back with its data, through each master in turn.
		let i = 0;
		for (const [pick, value] of seeded) {
			const [ns, name] = pick.split('/') as [string, string];
			const r = await get(`https://${ips[i++ % 3]}:6443/api/v1/namespaces/${ns}/secrets/${name}`, admin);
			expect(r.status, pick).toBe(200);
			expect(Buffer.from((JSON.parse(r.body) as {data: {v: string}}).data.v, 'base64').toString(), pick).toBe(value);
		}
		// The old key is in no node's config; the state keeps it, retired.
		for (const node of NODES) {
			const config = await nodeSsh(node, 'cat /etc/kubernetes/encryption-config.yaml');
			expect(config.stdout, node).not.toContain(oldKey.keyName + '\n');
			expect(config.stdout, node).not.toContain('aescbc');
			expect(config.stdout, node).toContain(`- name: ${journal.to.keyName}\n`);
		}
		const keys = JSON.parse(readFileSync(join(stateDir, 'encryption-keys.json'), 'utf8')) as {keys: Array<{provider: string; keyName: string; retiredAt?: string}>};
		expect(keys.keys.map((k) => [k.provider, k.keyName, Boolean(k.retiredAt)])).toEqual([
			['aescbc', oldKey.keyName, true],
			['secretbox', journal.to.keyName, false],
		]);
		// Nothing secret in what was printed.
		for (const k of JSON.parse(readFileSync(join(stateDir, 'encryption-keys.json'), 'utf8')).keys as Array<{secret: string}>) {
			expect(killed.all).not.toContain(k.secret);
			expect(again.all).not.toContain(k.secret);
		}
		// And apply with the same profile (still naming aescbc) changes nothing.
		const dry = await execa('node', [cli, 'apply', ...applyArgs(env, profilePath, stateDir).filter((a) => a !== '--yes'), '--dry-run'], {reject: false, all: true});
		expect(dry.exitCode, dry.all).toBe(0);
		expect(dry.stdout).not.toContain('"kind":"update"');
	}, 600_000);

	it('a master that fails its gate in write-switch is put back to the read-enable config while a probe reads and writes through all three; fixed, the same command finishes', async () => {
		const ips = NODES.map(ipOf);
		const current = JSON.parse(readFileSync(join(stateDir, 'encryption.json'), 'utf8')) as {provider: string; keyName: string};
		// lab-m2's apiserver refuses to start with a config that writes with the new key (its note names the old one as a reader).
		const dropIn = '/etc/systemd/system/kube-apiserver.service.d/e2e-refuse-write-switch.conf';
		const unit = `[Service]\nExecStartPre=/bin/sh -c '! grep -qF "with ${current.provider} ${current.keyName} (" /etc/kubernetes/encryption-config.yaml'\n`;
		await nodeSsh('lab-m2', `mkdir -p /etc/systemd/system/kube-apiserver.service.d && echo ${Buffer.from(unit).toString('base64')} | base64 -d > ${dropIn} && systemctl daemon-reload`);
		const probe = probeSecrets('rollback', ips, admin, seeded);
		try {
			const failed = await execa('node', [cli, ...rotateArgs()], {reject: false, all: true});
			expect(failed.exitCode, failed.all).toBe(1);
			expect(failed.stderr).toContain('encryption rotate failed in phase write-switch');
			const journal = JSON.parse(readFileSync(join(stateDir, 'encryption-rotation.json'), 'utf8')) as {phase: string; passed: Array<{phase: string}>; to: {keyName: string}};
			expect(journal.phase).toBe('write-switch');
			expect(journal.passed.map((p) => p.phase)).toEqual(['read-enable']);
			// lab-m1 went first and writes with the new key; lab-m2 is back on read-enable's config (the new key a reader), serving; lab-m3 was not touched.
			const note = (node: string) => nodeSsh(node, "grep '^# Also reads' /etc/kubernetes/encryption-config.yaml").then((r) => r.stdout);
			expect(await note('lab-m1')).toContain(`with ${current.provider} ${current.keyName} (`);
			expect(await note('lab-m2')).toContain(`with ${current.provider} ${journal.to.keyName} (`);
			expect(await note('lab-m3')).toContain(`with ${current.provider} ${journal.to.keyName} (`);
			expect((await get(`https://${ipOf('lab-m2')}:6443/readyz`, admin)).status).toBe(200);
		} finally {
			await nodeSsh('lab-m2', `rm -f ${dropIn} && systemctl daemon-reload`);
		}
		const again = await execa('node', [cli, ...rotateArgs(), '--json'], {reject: false, all: true});
		await probe.stop();
		// --json: NDJSON to the end, apply's events and the rotation's lines, then its end.
		const events = again.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as {type: string; line?: string; ok?: boolean; lines?: string[]});
		expect(events.some((e) => e.type === 'log' && /^phase 2\/5 write-switch/.test(e.line ?? ''))).toBe(true);
		expect(events.some((e) => e.type === 'step-done')).toBe(true);
		expect(events.at(-1)).toMatchObject({type: 'rotation-finished', ok: true});
		expect(events.at(-1)?.lines?.[0]).toMatch(/^rotated: Secrets are written with /);
		console.log(`write-switch failing on lab-m2, put back, then finished: probe ${probe.reads} reads, ${probe.writes} writes, ${probe.failures.length} failed, ${probe.failedOver} to the next master`);
		expect(again.exitCode, again.all).toBe(0);
		expect(probe.failures).toEqual([]);
		const stored = await storedPrefixes();
		expect([...stored.keys()]).toEqual([`k8s:enc:${current.provider}:v1:${JSON.parse(readFileSync(join(stateDir, 'encryption.json'), 'utf8')).keyName}:`]);
	}, 600_000);
});
