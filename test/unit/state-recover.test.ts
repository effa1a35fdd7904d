// `state recover`: a state directory rebuilt from the files a plan puts on the masters plans
// those same files again, byte for byte (the re-run changes nothing on the nodes); a node
// that lacks a key, holds a mismatched pair or another cluster's CA stops it, naming the node
// and the file. The read script runs in a real sh against a directory of such files.
import {execFileSync} from 'node:child_process';
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {prepare} from '../../source/plan/prepare.js';
import type {Plan} from '../../source/plan/types.js';
import {loadProfileFile} from '../../source/profile/load.js';
import {parseReadFiles, readFilesScript} from '../../source/run/state-recover/read-node-files.js';
import {pathsToRead, readerKeys, recoverState, writeKey, type NodeFiles} from '../../source/run/state-recover/recovered-state.js';
import {renderEncryptionConfig} from '../../source/render/config-files.js';
import {keyringOf} from '../../source/pki/encryption-keyring.js';
import {parseEncryptionSetting} from '../../source/pki/encryption-setting.js';
import {StateDir} from '../../source/state/state-dir.js';
import {tempDir, workspace} from './render/fixtures.js';

/** What the plan puts on each node, as `state recover` would read it there. */
function filesOnNodes(plan: Plan, paths: readonly string[]): NodeFiles[] {
	return plan.nodes.map((n) => {
		const byPath = new Map(n.files.map((f) => [f.path, f.content] as const));
		return {node: n.node.name, files: new Map(paths.map((p) => [p, byPath.get(p)]))};
	});
}

async function installed() {
	const ws = workspace();
	const profile = await loadProfileFile(ws.file);
	const {plan} = await prepare({profile, stateDir: ws.stateDir});
	return {ws, profile, plan, nodes: filesOnNodes(plan, pathsToRead(profile))};
}

describe('recoverState', () => {
	it('rebuilds a state directory that plans every node file byte for byte as the lost one did', async () => {
		const {ws, profile, plan, nodes} = await installed();
		const [from, ...others] = nodes;
		const result = recoverState(profile, from!, others);
		expect(result.problems).toEqual([]);
		expect([...result.files.keys()].sort()).toEqual(
			['ca', 'front-proxy-ca', 'proxy-client', ...['master1', 'master2', 'master3'].flatMap((n) => [`nodes/${n}/kube-apiserver`, `nodes/${n}/kube-controller-manager`, `nodes/${n}/kube-scheduler`])]
				.flatMap((s) => [`${s}.pem`, `${s}-key.pem`])
				.concat(['sa.key', 'sa.pub', 'encryption-key', 'encryption.json'])
				.sort(),
		);
		expect(result.missing).toEqual([expect.stringMatching(/^the admin certificate is on no node/)]);
		const recovered = join(ws.dir, 'recovered');
		const state = StateDir.open(recovered);
		for (const [name, content] of result.files) state.write(name, content);
		const again = await prepare({profile, stateDir: recovered});
		expect(again.pkiChanges.map((c) => `${c.item} ${c.action}`)).toEqual(['admin certificate created']);
		for (const [i, node] of plan.nodes.entries()) {
			const before = node.files.map((f) => `${f.path} ${f.sha256}`);
			expect(again.plan.nodes[i]!.files.map((f) => `${f.path} ${f.sha256}`), node.node.name).toEqual(before);
		}
	});

	it('a master that did not answer: its own two certificates are named, to be issued anew', async () => {
		const {profile, nodes} = await installed();
		const result = recoverState(profile, nodes[0]!, [nodes[1]!]);
		expect(result.problems).toEqual([]);
		expect(result.missing[0]).toMatch(/^master3 did not answer: its apiserver, controller-manager and scheduler certificates are issued anew/);
		expect(result.files.has('nodes/master3/kube-scheduler.pem')).toBe(false);
	});

	it('stops on a missing key, a mismatched pair, another cluster\'s CA or an unreadable encryption config', async () => {
		const {profile, nodes} = await installed();
		const other = await installed();
		const [from, m2, m3] = nodes as [NodeFiles, NodeFiles, NodeFiles];
		const edit = (n: NodeFiles, path: string, content: Buffer | undefined): NodeFiles => ({node: n.node, files: new Map([...n.files, [path, content]])});
		const cert = '/etc/kubernetes/cert';
		const noSaKey = recoverState(profile, edit(from, `${cert}/sa.key`, undefined), []);
		expect(noSaKey.problems).toEqual([expect.stringMatching(/^master1 has no \/etc\/kubernetes\/cert\/sa\.key: the service-account key cannot be recovered/)]);
		const swapped = recoverState(profile, edit(from, `${cert}/ca-key.pem`, from.files.get(`${cert}/front-proxy-ca-key.pem`)), []);
		expect(swapped.problems).toEqual([`master1: ${cert}/ca-key.pem is not the key of ${cert}/ca.pem (the cluster CA); fix the node's files or recover from another master`]);
		const foreign = recoverState(profile, from, [m2, {...other.nodes[2]!, node: m3.node}]);
		expect(foreign.problems).toEqual([expect.stringMatching(/^master3 holds another CA in \/etc\/kubernetes\/cert\/ca\.pem \(SHA-256 [0-9A-F:]+\) than master1/)]);
		const identityFirst = recoverState(profile, edit(from, '/etc/kubernetes/encryption-config.yaml', Buffer.from('resources:\n  - resources: [secrets]\n    providers:\n      - identity: {}\n')), []);
		expect(identityFirst.problems).toEqual(['master1: /etc/kubernetes/encryption-config.yaml writes with identity, where this tool writes with secretbox, aescbc, aesgcm: recovering it is not supported']);
	});

	it('reads the key the apiserver writes with out of the rendered config', async () => {
		const {ws, plan} = await installed();
		const config = plan.nodes[0]!.files.find((f) => f.identity === 'encryption config')!.content!.toString();
		expect(writeKey(config)).toMatchObject({key: readFileSync(join(ws.stateDir, 'encryption-key'), 'utf8').trim()});
		expect(writeKey('{')).toEqual({problem: 'is not YAML'});
	});

	it('a config in the middle of a rotation: the writer and every reader recovered, so the state renders that same config', async () => {
		const {profile, nodes} = await installed();
		const from = nodes[0]!;
		const writer = {provider: 'secretbox' as const, keyName: 'key-20261206'};
		const reader = {provider: 'aescbc' as const, keyName: 'key-20261101', secret: Buffer.alloc(32, 7).toString('base64')};
		const config = renderEncryptionConfig(Buffer.alloc(32, 9).toString('base64'), {...writer, readers: [reader]}, [reader]);
		expect(readerKeys(config)).toEqual([reader]);
		const edited: NodeFiles = {node: from.node, files: new Map([...from.files, ['/etc/kubernetes/encryption-config.yaml', Buffer.from(config)]])};
		const recovered = recoverState(profile, edited, []);
		expect(recovered.problems).toEqual([]);
		expect(JSON.parse(recovered.files.get('encryption.json') as string)).toEqual({...writer, readers: [{provider: 'aescbc', keyName: 'key-20261101'}]});
		const keys = JSON.parse(recovered.files.get('encryption-keys.json') as string) as {keys: unknown[]};
		expect(keys.keys).toEqual([{...writer, secret: Buffer.alloc(32, 9).toString('base64')}, reader]);
		const ring = keyringOf(parseEncryptionSetting(recovered.files.get('encryption.json') as string)!, 'unused', keys.keys as never);
		expect(renderEncryptionConfig(ring.writer.secret, parseEncryptionSetting(recovered.files.get('encryption.json') as string)!, ring.readers)).toBe(config);
	});
});

describe('the read script (real sh)', () => {
	it('returns each file byte for byte, tells a missing one from an empty one, and quotes every path', () => {
		const dir = tempDir();
		mkdirSync(join(dir, "it's here"));
		const key = join(dir, "it's here", 'sa.key');
		const empty = join(dir, 'empty');
		const binary = join(dir, 'binary');
		writeFileSync(key, '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n');
		writeFileSync(empty, '');
		writeFileSync(binary, Buffer.from([0, 255, 10, 64, 64, 10]));
		const paths = [key, join(dir, 'absent; touch pwned'), empty, binary];
		const stdout = execFileSync('sh', ['-c', readFilesScript(paths)], {cwd: dir, encoding: 'utf8'});
		const files = parseReadFiles(stdout, paths);
		expect(files.get(key)?.toString()).toBe('-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n');
		expect(files.get(paths[1]!)).toBeUndefined();
		expect(files.get(empty)).toEqual(Buffer.alloc(0));
		expect(files.get(binary)).toEqual(Buffer.from([0, 255, 10, 64, 64, 10]));
		expect(() => parseReadFiles('', paths)).toThrow(/gave no answer/);
	});
});
